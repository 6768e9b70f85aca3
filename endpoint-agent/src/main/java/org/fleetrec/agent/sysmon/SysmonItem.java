package org.fleetrec.agent.sysmon;

/**
 * What the reader yields for each record of a file: an event, a record that is fine but not
 * Sysmon, or a record that could not be read. {@code line} is where the record starts (1-based;
 * -1 for an evtx file, which has no lines: its reasons name the chunk and file offset instead),
 * {@code record} its ordinal in the file (1-based), so a reason can always be traced back.
 */
public sealed interface SysmonItem {
    long line();

    long record();

    record Event(SysmonEvent event, long line, long record) implements SysmonItem {
    }

    record Skipped(String reason, long line, long record) implements SysmonItem {
    }

    record Failed(String reason, long line, long record) implements SysmonItem {
    }
}
