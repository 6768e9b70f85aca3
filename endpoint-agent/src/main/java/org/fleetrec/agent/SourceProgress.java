package org.fleetrec.agent;

import org.fleetrec.agent.audit.AuditRecord;
import org.fleetrec.agent.audit.RecordTypes;
import org.fleetrec.agent.source.line.LogPosition;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How far the followed log may be called stored, for the agent to persist with the events: the position
 * after the last line processed, held back to just before the first line of any event the assembler
 * still waits to complete (its records are read but not stored yet). Persisted in the same transaction as
 * the events, it is never ahead of them, so a crash loses no line. It can be behind: events completed
 * after a waiting one are stored already, and a restart after a crash reads their lines again and stores
 * them twice (at most the couple of seconds an event waits). A clean stop completes every waiting event
 * first, so it resumes exactly after the last line.
 *
 * <p>Mirrors the assembler's bookkeeping by serial (an event starts waiting with its first record other
 * than EOE, and stops when emitted); when the assembler holds nothing, nothing is waiting, whatever the
 * mirror says. Used by the processing thread only.
 */
final class SourceProgress {
    /** Serial of each waiting event, in arrival order, with the position before its first line. */
    private final Map<Long, LogPosition> waiting = new LinkedHashMap<>();
    private LogPosition afterLast;
    private LogPosition reported;

    /** Call before the assembler takes {@code record}, parsed from the line being processed. */
    void reading(AuditRecord record) {
        if (record.type() != RecordTypes.EOE) waiting.putIfAbsent(record.serial(), afterLast);
    }

    /** The line ending at {@code after} is processed (whether it made a record or not). */
    void read(LogPosition after) {
        afterLast = after;
    }

    /** The assembler emitted the event of {@code serial}. */
    void emitted(long serial) {
        waiting.remove(serial);
    }

    /**
     * The position to persist, if it moved since the last call.
     *
     * @param inFlight events the assembler holds now
     */
    Optional<LogPosition> advanced(int inFlight) {
        if (inFlight == 0) waiting.clear();
        LogPosition safe = waiting.isEmpty() ? afterLast : waiting.values().iterator().next();
        if (safe == null || safe == reported) return Optional.empty();
        reported = safe;
        return Optional.of(safe);
    }
}
