package org.fleetrec.agent.sysmon.evtx;

/** Bytes that do not decode as the format says: the record (or chunk) they belong to is reported, the rest read on. */
final class EvtxFormatException extends RuntimeException {
    EvtxFormatException(String message) {
        super(message);
    }
}
