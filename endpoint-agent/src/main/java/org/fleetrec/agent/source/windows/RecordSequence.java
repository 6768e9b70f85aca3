package org.fleetrec.agent.source.windows;

/**
 * Tells from EventRecordIDs whether records were lost between two taken. A channel numbers its records
 * one by one and the subscription takes every record of it (query {@code *}), so the next record taken
 * must carry the next number: a larger one means the records in between were overwritten before they
 * were read (the log wrapped while the agent was stopped or behind); a smaller one means the channel was
 * cleared and numbering started again. A record whose number is unknown (it could not be rendered or
 * read) still takes its place in the count.
 */
final class RecordSequence {
    enum Kind { IN_ORDER, MISSING, RENUMBERED }

    /**
     * @param missed       records lost before this one, for {@link Kind#MISSING}
     * @param afterResume  whether this was the first record after subscribing from a bookmark
     */
    record Check(Kind kind, long missed, long expected, long actual, boolean afterResume) {
    }

    /** The record id expected next; -1 when not known (nothing taken yet from a start at the oldest record). */
    private long next = -1;
    private boolean resuming;

    /** A subscription began after the record {@code recordId} (-1 when the bookmark does not say). */
    void resumedAfter(long recordId) {
        next = recordId < 0 ? -1 : recordId + 1;
        resuming = true;
    }

    /** A subscription began after the last record taken. */
    void resumed() {
        resuming = true;
    }

    /** A subscription began at the oldest record: whatever comes first is the reference. */
    void startedOver() {
        next = -1;
        resuming = false;
    }

    /** A record was taken without its number being known. */
    void unknownTaken() {
        if (next >= 0) next++;
        resuming = false;
    }

    /** What taking {@code recordId} next would mean; changes nothing. */
    Check check(long recordId) {
        long expected = next;
        if (expected < 0 || recordId == expected) return new Check(Kind.IN_ORDER, 0, expected, recordId, resuming);
        if (recordId > expected) return new Check(Kind.MISSING, recordId - expected, expected, recordId, resuming);
        return new Check(Kind.RENUMBERED, -1, expected, recordId, resuming);
    }

    /** The record {@code recordId} was taken. */
    void taken(long recordId) {
        next = recordId + 1;
        resuming = false;
    }

    /** The last record id taken, or -1. */
    long lastTaken() {
        return next < 0 ? -1 : next - 1;
    }
}
