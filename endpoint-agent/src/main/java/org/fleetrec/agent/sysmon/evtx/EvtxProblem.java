package org.fleetrec.agent.sysmon.evtx;

/**
 * Something in the file that could not be read. {@code fileOffset} is where it lies;
 * {@code lostRecords} how many records it cost: 0 when they were read but may be damaged,
 * -1 when the count cannot be known.
 */
public record EvtxProblem(String reason, long fileOffset, long lostRecords) implements EvtxEntry {
    public static final long UNKNOWN = -1;
}
