package org.fleetrec.agent;

import org.fleetrec.agent.audit.AuditRecordParser;
import org.fleetrec.agent.source.line.LogPosition;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The saved log position never passes a line whose event is not stored yet. */
class SourceProgressTest {
    private final SourceProgress progress = new SourceProgress();
    private int inFlight;

    private static LogPosition at(long offset) {
        return new LogPosition(Path.of("/var/log/audit/audit.log"), offset, 0, "digest");
    }

    /** A line as the agent's processing thread handles it; {@code emits} is the serial the assembler completes, or -1. */
    private void line(String text, long offset, long emits) throws Exception {
        progress.reading(AuditRecordParser.parseLine(text));
        if (emits >= 0) progress.emitted(emits);
        progress.read(at(offset));
    }

    @Test
    void aWaitingEventHoldsThePositionBeforeItsFirstLine() throws Exception {
        line("type=SYSCALL msg=audit(1.0:10): syscall=59", 100, -1);
        inFlight = 1;
        line("type=EOE msg=audit(1.0:10): ", 130, 10);
        inFlight = 0;
        assertEquals(Optional.of(at(130)), progress.advanced(inFlight), "event 10 complete");

        line("type=SYSCALL msg=audit(1.1:11): syscall=42", 200, -1); // waits for its EOE
        inFlight = 1;
        line("type=SYSCALL msg=audit(1.2:12): syscall=59", 260, -1);
        line("type=EOE msg=audit(1.2:12): ", 290, 12);
        assertEquals(Optional.empty(), progress.advanced(inFlight), "event 11 still waits: stay after event 10");

        progress.emitted(11); // its timeout
        inFlight = 0;
        assertEquals(Optional.of(at(290)), progress.advanced(inFlight));
        assertEquals(Optional.empty(), progress.advanced(inFlight), "reported once");
    }

    @Test
    void anUnparsableLineIsPassedAndNothingIsClaimedBeforeTheFirstLine() throws Exception {
        line("type=SYSCALL msg=audit(1.0:20): syscall=59", 50, -1);
        assertEquals(Optional.empty(), progress.advanced(1), "waiting since the first line read: nothing new to save");
        progress.emitted(20);
        progress.read(at(70)); // a line that did not parse
        assertEquals(Optional.of(at(70)), progress.advanced(0));
    }
}
