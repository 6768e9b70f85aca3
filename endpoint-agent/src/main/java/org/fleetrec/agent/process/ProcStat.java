package org.fleetrec.agent.process;

import org.fleetrec.agent.audit.AuditValues;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What /proc tells about one live task. Reads fail quietly: the task may be gone already. */
public record ProcStat(long pid, long ppid, long startTicks, String comm) {
    /** USER_HZ, the unit of /proc start times; fixed at 100 by the kernel ABI on mainstream architectures. */
    public static final long TICKS_PER_SECOND = 100;

    public static Optional<ProcStat> read(Path proc, long pid) {
        try {
            String stat = Files.readString(proc.resolve(Long.toString(pid)).resolve("stat"));
            // comm is in parentheses and may itself hold spaces and ')': split after the last ')'.
            int open = stat.indexOf('(');
            int close = stat.lastIndexOf(')');
            if (open < 0 || close < open) return Optional.empty();
            String[] rest = stat.substring(close + 2).split(" ");
            // rest[0] is field 3 (state); ppid is field 4, starttime field 22.
            return Optional.of(new ProcStat(pid, Long.parseLong(rest[1]), Long.parseLong(rest[19]),
                    stat.substring(open + 1, close)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    public static List<String> cmdline(Path proc, long pid) {
        try {
            byte[] raw = Files.readAllBytes(proc.resolve(Long.toString(pid)).resolve("cmdline"));
            return AuditValues.nulSeparated(new String(raw, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return List.of();
        }
    }

    public static Optional<String> link(Path proc, long pid, String name) {
        try {
            return Optional.of(Files.readSymbolicLink(proc.resolve(Long.toString(pid)).resolve(name)).toString());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** Bytes read of /proc/<pid>/cgroup: a few hundred in practice. */
    static final int MAX_CGROUP_BYTES = 64 * 1024;

    /** The text of /proc/<pid>/cgroup (bounded), or empty when the task is gone. */
    public static Optional<String> cgroup(Path proc, long pid) {
        try (java.io.InputStream in = Files.newInputStream(proc.resolve(Long.toString(pid)).resolve("cgroup"))) {
            return Optional.of(new String(in.readNBytes(MAX_CGROUP_BYTES), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The uid line of /proc/<pid>/status: real, effective, saved, filesystem. */
    public static Optional<String[]> ids(Path proc, long pid, String field) {
        try {
            for (String line : Files.readAllLines(proc.resolve(Long.toString(pid)).resolve("status"))) {
                if (line.startsWith(field + ":")) return Optional.of(line.substring(field.length() + 1).trim().split("\\s+"));
            }
        } catch (IOException e) {
            // gone
        }
        return Optional.empty();
    }

    /** Seconds since the epoch at which the system booted (the btime line of /proc/stat). */
    public static long bootTimeSeconds(Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve("stat"))) {
                if (line.startsWith("btime ")) return Long.parseLong(line.substring(6).trim());
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return 0;
    }
}
