package org.fleetrec.agent.sysmon.evtx;

/** What reading an evtx file yields, in file order: a record, or a problem that cost records (or may have). */
public sealed interface EvtxEntry permits EvtxRecord, EvtxProblem {
}
