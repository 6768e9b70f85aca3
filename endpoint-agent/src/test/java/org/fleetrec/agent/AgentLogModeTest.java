package org.fleetrec.agent;

import org.fleetrec.agent.audit.AuditTestData;
import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent following an audit.log (the fallback when it cannot talk to the kernel): records
 * appended to the file come out as ECS documents, each event whole even though its records
 * carry times years old; a restart resumes where the last run stopped.
 */
class AgentLogModeTest {
    @TempDir
    Path dir;

    @Test
    void followsALogAndMapsWhatIsAppended() throws Exception {
        Path source = AuditTestData.linuxAudit("otrf-security-datasets/sh_arp_cache_2020-11-10074812.log");
        Path log = Files.createFile(dir.resolve("audit.log"));
        AgentConfig config = AgentConfig.fromEnvironment(Map.of(
                "FLEETREC_SHIP", "off", "FLEETREC_AGENT_STATE", dir.resolve("state").toString(),
                "FLEETREC_AUDIT_SOURCE", "log:" + log));
        List<EventDocument> recorded = new CopyOnWriteArrayList<>();
        try (Agent agent = new Agent(config, recorded::add)) {
            assertEquals("log", agent.mode());
            Files.write(log, Files.readAllBytes(source), StandardOpenOption.APPEND);
            long deadline = System.currentTimeMillis() + 15_000;
            while (executions(recorded).size() < 2 && System.currentTimeMillis() < deadline) Thread.sleep(100);
        }
        List<EventDocument> execs = executions(recorded);
        assertEquals(2, execs.size(), "arp and grep: " + execs);
        assertEquals("arp -a", execs.get(0).text("process.command_line"));
        assertEquals("/home/wardog", execs.get(0).text("process.working_directory"), "CWD joined the event");
        assertTrue(execs.get(0).has("event.sequence") && execs.get(0).has("host.id"), "stamped: " + execs.get(0));
        assertTrue(recorded.stream().anyMatch(d -> "agent".equals(d.text("event.dataset"))
                && "log".equals(d.text("fleet.health.source_mode"))), "health names the mode");
    }

    /**
     * Five runs of the agent on one log, with lines written while it is stopped: after a run that read
     * no line at all, after one that did, then before a rotation (rename, new file), then before a
     * rotation by copy and truncate. Every event written while the agent ran or was stopped is in
     * monitor.db exactly once; what the file held before the very first start (nothing saved yet) is
     * skipped, as before.
     */
    @Test
    void resumesAfterARestartWithoutLosingOrRepeatingEvents() throws Exception {
        List<List<String>> events = events(AuditTestData.recordLines(
                AuditTestData.linuxAudit("laurel/testdata/shell-proc-trace-confusion.txt")));
        assertEquals(72, events.size(), "one event per serial, records together");
        List<List<List<String>>> parts = new ArrayList<>();
        for (int from = 0; from < events.size(); from += 8) parts.add(events.subList(from, from + 8));
        Path log = dir.resolve("audit.log");
        Path rotated1 = dir.resolve("audit.log.1");
        Map<String, String> env = Map.of("FLEETREC_SHIP", "off", "FLEETREC_AGENT_STATE", dir.resolve("state").toString(),
                "FLEETREC_AUDIT_SOURCE", "log:" + log, "FLEETREC_STORE_MAX_AGE_DAYS", "36500"); // the records are from 2023

        write(log, parts.get(0)); // history: before the first start, with no position saved
        run(env, () -> { }, List.of());

        write(log, parts.get(1)); // while stopped
        run(env, () -> write(log, parts.get(2)), concat(parts.get(1), parts.get(2)));

        write(log, parts.get(3)); // while stopped
        run(env, () -> { }, parts.get(3));

        write(log, parts.get(4)); // while stopped, then a rotation as auditd does it
        Files.move(log, rotated1);
        write(log, parts.get(5));
        run(env, () -> { }, concat(parts.get(4), parts.get(5)));

        write(log, parts.get(6)); // while stopped, then a rotation by copy and truncate
        Files.move(rotated1, dir.resolve("audit.log.2"));
        Files.copy(log, rotated1);
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        write(log, parts.get(7));
        run(env, () -> write(log, parts.get(8)), concat(concat(parts.get(6), parts.get(7)), parts.get(8)));

        Map<Long, Integer> expected = new TreeMap<>();
        for (List<List<String>> part : parts.subList(1, 9)) {
            for (long serial : serials(part)) expected.put(serial, 1);
        }
        assertEquals(expected, storedSerials(dir.resolve("state/monitor.db")), "every event once, the history not at all");
    }

    /** Starts the agent, does {@code whileRunning}, waits until the events of {@code expected} are recorded, stops it. */
    private void run(Map<String, String> env, ThrowingRunnable whileRunning, List<List<String>> expected) throws Exception {
        List<EventDocument> recorded = new CopyOnWriteArrayList<>();
        Set<Long> wanted = serials(expected);
        try (Agent agent = new Agent(AgentConfig.fromEnvironment(env), recorded::add)) {
            assertEquals("log", agent.mode());
            whileRunning.run();
            long deadline = System.currentTimeMillis() + 15_000;
            while (!recordedSerials(recorded).keySet().containsAll(wanted) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
        }
        Map<Long, Integer> expectedCounts = wanted.stream().collect(Collectors.toMap(s -> s, s -> 1, Integer::sum, TreeMap::new));
        assertEquals(expectedCounts, recordedSerials(recorded), "this run records what was written since the last, once");
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Consecutive lines of one serial make one event (true of this file). */
    private static List<List<String>> events(List<String> lines) {
        List<List<String>> events = new ArrayList<>();
        long last = -1;
        for (String line : lines) {
            long serial = serial(line);
            if (serial != last) events.add(new ArrayList<>());
            events.get(events.size() - 1).add(line);
            last = serial;
        }
        return events;
    }

    private static long serial(String line) {
        int colon = line.indexOf(':', line.indexOf("msg=audit("));
        return Long.parseLong(line.substring(colon + 1, line.indexOf(')', colon)));
    }

    private static Set<Long> serials(List<List<String>> events) {
        return events.stream().map(e -> serial(e.get(0))).collect(Collectors.toSet());
    }

    private static List<List<String>> concat(List<List<String>> a, List<List<String>> b) {
        List<List<String>> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static void write(Path log, List<List<String>> events) throws Exception {
        StringBuilder text = new StringBuilder();
        for (List<String> event : events) {
            for (String line : event) text.append(line).append('\n');
        }
        Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** auditd.sequence of each recorded audit document, with how many documents had it. */
    private static Map<Long, Integer> recordedSerials(List<EventDocument> docs) {
        Map<Long, Integer> counts = new TreeMap<>();
        for (EventDocument doc : docs) {
            if (doc.has("auditd.sequence")) counts.merge(doc.get("auditd.sequence").asLong(), 1, Integer::sum);
        }
        return counts;
    }

    private static Map<Long, Integer> storedSerials(Path db) throws Exception {
        Map<Long, Integer> counts = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT json_extract(doc, '$.auditd.sequence') FROM events "
                     + "WHERE json_extract(doc, '$.auditd.sequence') IS NOT NULL")) {
            while (rs.next()) counts.merge(rs.getLong(1), 1, Integer::sum);
        }
        return counts;
    }

    private static List<EventDocument> executions(List<EventDocument> docs) {
        return docs.stream().filter(d -> "executed".equals(d.text("event.action"))).toList();
    }
}
