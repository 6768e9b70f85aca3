package org.fleetrec.agent.source.windows;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Record numbers tell lost records apart from a cleared channel, and an unreadable record still counts. */
class WindowsRecordSequenceTest {
    @Test
    void tellsMissingRecordsFromARenumberedChannel() {
        RecordSequence sequence = new RecordSequence();
        sequence.resumedAfter(10);
        RecordSequence.Check first = sequence.check(11);
        assertEquals(RecordSequence.Kind.IN_ORDER, first.kind());
        assertTrue(first.afterResume());
        sequence.taken(11);
        sequence.unknownTaken(); // 12, unreadable
        assertEquals(RecordSequence.Kind.IN_ORDER, sequence.check(13).kind(), "the unreadable record kept its place");
        sequence.taken(13);

        RecordSequence.Check jump = sequence.check(20);
        assertEquals(RecordSequence.Kind.MISSING, jump.kind());
        assertEquals(6, jump.missed(), "14..19");
        assertFalse(jump.afterResume());
        assertEquals(13, sequence.lastTaken(), "checking changes nothing");
        sequence.taken(20);

        assertEquals(RecordSequence.Kind.RENUMBERED, sequence.check(3).kind());
        sequence.resumed();
        assertTrue(sequence.check(3).afterResume(), "the first record after subscribing again is told apart");
    }

    @Test
    void aStartAtTheOldestRecordTakesWhateverComesFirst() {
        RecordSequence sequence = new RecordSequence();
        sequence.startedOver();
        assertEquals(RecordSequence.Kind.IN_ORDER, sequence.check(500).kind());
        sequence.unknownTaken();
        assertEquals(RecordSequence.Kind.IN_ORDER, sequence.check(7).kind(), "nothing known yet: nothing to compare");
        assertEquals(-1, sequence.lastTaken());
    }
}
