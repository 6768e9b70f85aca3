package org.fleetrec.stack.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What auditd wrote (log_format = RAW) in a time window: distinct serials of EXECVE records (the execs),
 * and of exit_group SYSCALL records (the ends); together, the events the agent turns into process documents.
 */
record AuditLogCount(long execs, long exits, long records) {
    private static final Pattern HEADER = Pattern.compile("^type=(\\S+) msg=audit\\((\\d+)\\.(\\d{3}):(\\d+)\\):");
    /** exit_group: 231 on x86_64 (arch c000003e), 252 on i386 (arch 40000003). */
    private static final Pattern EXIT_GROUP = Pattern.compile(" arch=(c000003e syscall=231|40000003 syscall=252) ");

    /** Counts records stamped in [fromMillis, toMillis) of the epoch. */
    static AuditLogCount of(Path log, long fromMillis, long toMillis) throws IOException {
        Set<Long> execs = new HashSet<>();
        Set<Long> exits = new HashSet<>();
        long records = 0;
        try (BufferedReader reader = Files.newBufferedReader(log, StandardCharsets.ISO_8859_1)) {
            String line;
            while ((line = reader.readLine()) != null) {
                Matcher m = HEADER.matcher(line);
                if (!m.find()) continue;
                long millis = Long.parseLong(m.group(2)) * 1000 + Long.parseLong(m.group(3));
                if (millis < fromMillis || millis >= toMillis) continue;
                records++;
                String type = m.group(1);
                long serial = Long.parseLong(m.group(4));
                if (type.equals("EXECVE")) {
                    execs.add(serial);
                } else if (type.equals("SYSCALL") && EXIT_GROUP.matcher(line).find()) {
                    exits.add(serial);
                }
            }
        }
        return new AuditLogCount(execs.size(), exits.size(), records);
    }
}
