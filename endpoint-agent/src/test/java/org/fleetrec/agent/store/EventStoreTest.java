package org.fleetrec.agent.store;

import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventStoreTest {
    @TempDir
    Path dir;

    private EventStore open(long quota) throws Exception {
        return EventStore.open(new EventStore.Config(dir.resolve("monitor.db"), quota, Duration.ofDays(30)));
    }

    /** What the store takes on disk: the file and its WAL. */
    private long onDisk() throws Exception {
        Path wal = dir.resolve("monitor.db-wal");
        return Files.size(dir.resolve("monitor.db")) + (Files.exists(wal) ? Files.size(wal) : 0);
    }

    private static EventDocument event(long sequence, Instant time, String padding) {
        return EventDocument.create().put("@timestamp", time.toString()).put("event.dataset", "process")
                .put("event.sequence", sequence).put("process.pid", 100 + sequence)
                .put("process.command_line", "cmd " + sequence + " " + padding);
    }

    @Test
    void theCursorSurvivesAReopenAndReadsResumeAfterIt() throws Exception {
        try (EventStore store = open(1L << 30)) {
            for (long s = 1; s <= 1200; s++) store.append(event(s, Instant.now(), ""));
            store.flush();
            List<EventStore.Stored> first = store.readAfter(0, 1000, 1L << 20);
            assertEquals(1000, first.size());
            assertEquals(1, first.get(0).sequence());
            assertTrue(new String(first.get(0).json(), StandardCharsets.UTF_8).endsWith("\n"), "NDJSON lines");
            store.acknowledge(1000);
            store.append(event(1000, Instant.now(), "again")); // a retried sequence is stored once
            store.flush();
            assertEquals(1200, store.count());
        }
        try (EventStore reopened = open(1L << 30)) {
            assertEquals(1000, reopened.shippedCursor());
            List<EventStore.Stored> rest = reopened.readAfter(reopened.shippedCursor(), 1000, 1L << 20);
            assertEquals(200, rest.size());
            assertEquals(1001, rest.get(0).sequence());
            reopened.acknowledge(900); // a late, smaller acknowledgement never moves the cursor back
            assertEquals(1000, reopened.shippedCursor());
        }
    }

    @Test
    void batchesAreBoundedInBytesToo() throws Exception {
        try (EventStore store = open(1L << 30)) {
            for (long s = 1; s <= 50; s++) store.append(event(s, Instant.now(), "x".repeat(1000)));
            store.flush();
            List<EventStore.Stored> batch = store.readAfter(0, 1000, 10_000);
            assertTrue(batch.size() >= 8 && batch.size() <= 10, "about 10 kB: " + batch.size());
        }
    }

    @Test
    void theQuotaKeepsTheNewestAndReportsTheUnshippedItDropped() throws Exception {
        long quota = 2L << 20;
        List<EventStore.Gap> gaps = new java.util.ArrayList<>();
        try (EventStore store = open(quota)) {
            store.onGap(gaps::add);
            String padding = "p".repeat(900);
            for (long s = 1; s <= 8000; s++) {
                store.append(event(s, Instant.now(), padding)); // commits (and enforces the quota) every 500
                if (s == 100) {
                    store.flush();
                    store.acknowledge(100); // the first hundred were shipped before the server went away
                }
            }
            store.flush();
            assertTrue(store.usedBytes() <= quota, "data within quota: " + store.usedBytes());
            assertTrue(Files.size(dir.resolve("monitor.db")) <= quota * 3 / 2,
                    "the file stays within the quota and one batch: " + Files.size(dir.resolve("monitor.db")));
            List<EventStore.Stored> left = store.readAfter(0, 100_000, Long.MAX_VALUE);
            long oldestLeft = left.get(0).sequence();
            assertEquals(8000, left.get(left.size() - 1).sequence(), "the newest are kept");
            assertEquals(101, gaps.get(0).firstSequence(), "shipped events are not a gap");
            assertEquals(oldestLeft - 1, gaps.get(gaps.size() - 1).lastSequence());
            assertEquals(oldestLeft - 101, gaps.stream().mapToLong(EventStore.Gap::count).sum(),
                    "every unshipped event that went is counted once");
        }
        try (EventStore reopened = open(quota)) {
            assertEquals(100, reopened.shippedCursor(), "the cursor was persisted by the writer");
        }
    }

    @Test
    void eventsOlderThanTheMaximumAgeGo() throws Exception {
        try (EventStore store = EventStore.open(new EventStore.Config(dir.resolve("monitor.db"), 1L << 30, Duration.ofDays(7)))) {
            store.append(event(1, Instant.now().minus(Duration.ofDays(8)), ""));
            store.append(event(2, Instant.now(), ""));
            store.flush();
            store.acknowledge(1);
            assertEquals(Optional.empty(), store.enforceRetention(Instant.now()), "an old shipped event is no gap");
            assertEquals(1, store.count());
        }
    }

    @Test
    void aLoweredQuotaShrinksTheFileOnDisk() throws Exception {
        String padding = "p".repeat(900);
        try (EventStore store = open(1L << 30)) {
            for (long s = 1; s <= 10_000; s++) store.append(event(s, Instant.now(), padding));
        }
        long filled = onDisk();
        assertTrue(filled > 8L << 20, "about 11 MB stored: " + filled);

        long quota = 2L << 20;
        try (EventStore store = open(quota)) {
            // As the agent does: a retention pass per flush while over the quota, one every 30 s after.
            for (int pass = 0; pass < 100 && (store.overQuota() || onDisk() > quota); pass++) {
                store.enforceRetention(Instant.now());
            }
            assertTrue(onDisk() <= quota, "file and WAL within the lowered quota: " + onDisk() + " of " + quota);
            List<EventStore.Stored> left = store.readAfter(0, 100_000, Long.MAX_VALUE);
            assertEquals(10_000, left.get(left.size() - 1).sequence(), "the newest are kept");
            for (long s = 10_001; s <= 12_000; s++) store.append(event(s, Instant.now(), padding));
            store.flush();
            assertEquals(12_000, store.readAfter(11_999, 10, Long.MAX_VALUE).get(0).sequence(), "the shrunk file takes new events");
        }
        assertTrue(onDisk() <= quota, "still within the quota after closing: " + onDisk());
    }

    @Test
    void aFileFromBeforeIncrementalVacuumIsRebuiltOnceAndKeepsItsEvents() throws Exception {
        Path db = dir.resolve("monitor.db");
        try (EventStore store = open(1L << 30)) {
            for (long s = 1; s <= 600; s++) store.append(event(s, Instant.now(), ""));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA auto_vacuum=NONE");
            s.execute("VACUUM"); // now as the store used to make its files
            assertEquals(0, autoVacuum(s));
        }
        try (EventStore store = open(1L << 30)) {
            assertEquals(600, store.count());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            assertEquals(2, autoVacuum(s), "incremental");
        }
    }

    private static long autoVacuum(Statement s) throws Exception {
        try (ResultSet rs = s.executeQuery("PRAGMA auto_vacuum")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
