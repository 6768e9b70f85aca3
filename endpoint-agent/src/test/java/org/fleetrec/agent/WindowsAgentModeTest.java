package org.fleetrec.agent;

import org.fleetrec.agent.source.windows.BookmarkPosition;
import org.fleetrec.agent.source.windows.ScriptedEventLog;
import org.fleetrec.agent.source.windows.SysmonSamples;
import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent in its Windows mode, with the event log scripted: Sysmon events written to the channel
 * come out stamped as Windows documents of the host that wrote them, go into monitor.db with the
 * bookmark in the same commit, and a restart resumes right after the last one stored. Linux's own
 * inputs (/proc snapshot, audit rules) stay out of it.
 */
class WindowsAgentModeTest {
    @TempDir
    Path dir;

    @Test
    void recordsSysmonEventsAndResumesAfterTheBookmarkStoredWithThem() throws Exception {
        Map<String, String> env = Map.of("FLEETREC_SHIP", "off", "FLEETREC_AGENT_STATE", dir.resolve("state").toString(),
                "FLEETREC_AUDIT_SOURCE", "eventlog", "FLEETREC_STORE_MAX_AGE_DAYS", "36500"); // the events are from 2019 and 2022
        ScriptedEventLog log = new ScriptedEventLog();
        List<String> linux = SysmonSamples.sysmonForLinuxWhole();
        log.writeAll(linux.subList(0, 3)); // history before the first start: records 1..3

        List<EventDocument> first = new CopyOnWriteArrayList<>();
        try (Agent agent = new Agent(AgentConfig.fromEnvironment(env), first::add, () -> log)) {
            assertEquals("eventlog", agent.mode());
            log.writeAll(SysmonSamples.windowsRendered()); // records 4..7
            awaitSysmon(first, 4);
        }
        assertEquals(0, log.openHandles(), "every handle closed on stop: " + log.openHandleKinds());
        List<EventDocument> windows = sysmon(first);
        assertEquals(List.of("4", "5", "6", "7"), windows.stream().map(d -> d.text("winlog.record_id")).toList(), "not the history");
        for (EventDocument doc : windows) {
            assertEquals("windows", doc.text("host.os.type"));
            assertEquals("vagrant-2012-r2", doc.text("host.name"), "the event's Computer names the host");
            assertTrue(doc.has("event.sequence") && doc.has("host.id") && doc.has("agent.id"), doc.json().toString());
        }
        EventDocument health = first.stream().filter(d -> "health".equals(d.text("event.action"))).findFirst().orElseThrow();
        assertEquals("eventlog", health.text("fleet.health.source_mode"));
        assertEquals("windows", health.text("host.os.type"));
        assertNotEquals("vagrant-2012-r2", health.text("host.name"), "the agent's own documents keep the identity's name");
        assertFalse(first.stream().anyMatch(d -> d.has("process.pid") && !"sysmon".equals(d.text("event.module"))),
                "no /proc snapshot in this mode");
        assertEquals(7, storedBookmark().recordId(), "the bookmark was committed with the events");

        log.writeAll(linux.subList(3, 13)); // records 8..17, while stopped
        List<EventDocument> second = new CopyOnWriteArrayList<>();
        try (Agent agent = new Agent(AgentConfig.fromEnvironment(env), second::add, () -> log)) {
            log.writeAll(linux.subList(13, 15)); // records 18, 19
            awaitSysmon(second, 12);
        }
        assertEquals(0, log.openHandles(), log.openHandleKinds());
        assertEquals(List.of("8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19"),
                sysmon(second).stream().map(d -> d.text("winlog.record_id")).toList());
        assertTrue(sysmon(second).stream().allMatch(d -> "UBUNTU5".equals(d.text("host.name"))));
        Map<String, Integer> stored = storedRecordIds();
        assertEquals(16, stored.size(), "records 4..19 in monitor.db: " + stored);
        assertTrue(stored.values().stream().allMatch(n -> n == 1), "each once: " + stored);
        assertEquals(19, storedBookmark().recordId());
    }

    private static void awaitSysmon(List<EventDocument> recorded, int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (sysmon(recorded).size() < count && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertEquals(count, sysmon(recorded).size());
    }

    private static List<EventDocument> sysmon(List<EventDocument> docs) {
        Predicate<EventDocument> isSysmon = d -> "sysmon".equals(d.text("event.module"));
        return docs.stream().filter(isSysmon).toList();
    }

    private BookmarkPosition storedBookmark() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("state/monitor.db"));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT position FROM source_position WHERE source = 'capture'")) {
            assertTrue(rs.next(), "a position is stored");
            return BookmarkPosition.decode(rs.getString(1)).orElseThrow();
        }
    }

    private Map<String, Integer> storedRecordIds() throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("state/monitor.db"));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT json_extract(doc, '$.winlog.record_id') FROM events "
                     + "WHERE json_extract(doc, '$.event.module') = 'sysmon'")) {
            while (rs.next()) counts.merge(rs.getString(1), 1, Integer::sum);
        }
        return counts;
    }
}
