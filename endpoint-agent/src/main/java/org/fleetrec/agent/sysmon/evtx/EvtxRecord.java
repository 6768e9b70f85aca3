package org.fleetrec.agent.sysmon.evtx;

import java.time.Instant;

/** One event record: its identifier and written time from the record header, and its event as Windows renders it. */
public record EvtxRecord(long recordId, Instant written, String xml) implements EvtxEntry {
}
