package org.fleetrec.agent.store;

import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.EventDocument;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * monitor.db: every event the agent keeps, in SQLite (WAL), queryable offline, within a size
 * quota and a maximum age. The processing thread appends and commits in batches; the shipper
 * reads after its cursor and moves the cursor, kept in the same database, once the server
 * acknowledged. Shipping never deletes; only retention does, and it says when it had to drop
 * events that were never shipped.
 */
public final class EventStore implements AutoCloseable {
    /** Where and how much. */
    public record Config(Path file, long quotaBytes, Duration maxAge) {
    }

    /** One stored event as the shipper reads it: its sequence and its JSON line. */
    public record Stored(long sequence, byte[] json) {
    }

    /** Events retention removed that had never been shipped: the content of a gap event. */
    public record Gap(long count, long firstSequence, long lastSequence) {
    }

    private static final int BATCH = 500;

    private final Config config;
    private final Connection writer;
    private final Connection reader;
    private final PreparedStatement insert;
    private final List<EventDocument> pending = new ArrayList<>(BATCH);

    private EventStore(Config config, Connection writer, Connection reader) throws SQLException {
        this.config = config;
        this.writer = writer;
        this.reader = reader;
        this.insert = writer.prepareStatement("INSERT OR IGNORE INTO events"
                + "(seq, ts, dataset, pid, entity, executable, path, user, doc, parent) VALUES (?,?,?,?,?,?,?,?,?,?)");
    }

    public static EventStore open(Config config) throws IOException {
        try {
            Files.createDirectories(config.file().toAbsolutePath().getParent());
            String url = "jdbc:sqlite:" + config.file();
            Connection writer = DriverManager.getConnection(url);
            try (Statement s = writer.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL"); // durable at each checkpoint; a crash loses at most the last batch's fsync window
                s.execute("PRAGMA busy_timeout=10000");
                s.execute("CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, "
                        + "dataset TEXT NOT NULL, pid INTEGER, entity TEXT, executable TEXT, path TEXT, user TEXT, doc BLOB NOT NULL, "
                        + "parent TEXT)");
                s.execute("CREATE INDEX IF NOT EXISTS events_ts ON events(ts)");
                s.execute("CREATE INDEX IF NOT EXISTS events_dataset ON events(dataset, ts)");
                s.execute("CREATE INDEX IF NOT EXISTS events_pid ON events(pid)");
                s.execute("CREATE INDEX IF NOT EXISTS events_entity ON events(entity)");
                s.execute("CREATE INDEX IF NOT EXISTS events_path ON events(path)");
                s.execute("CREATE INDEX IF NOT EXISTS events_parent ON events(parent)");
                s.execute("CREATE TABLE IF NOT EXISTS cursor (name TEXT PRIMARY KEY, seq INTEGER NOT NULL)");
            }
            writer.setAutoCommit(false);
            Connection reader = DriverManager.getConnection(url);
            try (Statement s = reader.createStatement()) {
                s.execute("PRAGMA busy_timeout=10000");
            }
            return new EventStore(config, writer, reader);
        } catch (SQLException e) {
            throw new IOException("cannot open " + config.file() + ": " + e.getMessage(), e);
        }
    }

    /** Buffers a stamped document; {@link #flush()} commits. Call from the one writing thread. */
    public void append(EventDocument doc) {
        pending.add(doc);
        if (pending.size() >= BATCH) flush();
    }

    /** Commits what was appended in one transaction (never one commit per event). */
    public void flush() {
        if (pending.isEmpty()) return;
        try {
            for (EventDocument doc : pending) {
                insert.setLong(1, doc.get(Ecs.EVENT_SEQUENCE).asLong());
                insert.setLong(2, Instant.parse(doc.text(Ecs.TIMESTAMP)).toEpochMilli());
                insert.setString(3, doc.text(Ecs.EVENT_DATASET));
                if (doc.has("process.pid")) insert.setLong(4, doc.get("process.pid").asLong());
                else insert.setNull(4, java.sql.Types.INTEGER);
                insert.setString(5, doc.text("process.entity_id"));
                insert.setString(6, doc.text("process.executable"));
                insert.setString(7, doc.text("file.path"));
                insert.setString(8, doc.text("user.name"));
                insert.setBytes(9, EventCodec.toLine(doc));
                insert.setString(10, doc.text("process.parent.entity_id"));
                insert.addBatch();
            }
            insert.executeBatch();
            writer.commit();
            pending.clear();
        } catch (SQLException e) {
            rollbackQuietly();
            throw new StoreException("could not write " + pending.size() + " events to " + config.file(), e);
        }
    }

    /** The oldest events after {@code afterSequence}, at most {@code maxCount} and about {@code maxBytes}. */
    public synchronized List<Stored> readAfter(long afterSequence, int maxCount, long maxBytes) {
        List<Stored> batch = new ArrayList<>();
        long bytes = 0;
        try (PreparedStatement q = reader.prepareStatement("SELECT seq, doc FROM events WHERE seq > ? ORDER BY seq LIMIT ?")) {
            q.setLong(1, afterSequence);
            q.setInt(2, maxCount);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    byte[] json = rs.getBytes(2);
                    if (!batch.isEmpty() && bytes + json.length > maxBytes) break;
                    batch.add(new Stored(rs.getLong(1), json));
                    bytes += json.length;
                }
            }
            return batch;
        } catch (SQLException e) {
            throw new StoreException("could not read " + config.file(), e);
        }
    }

    /** The last sequence the server acknowledged (0 before the first). */
    public synchronized long shippedCursor() {
        try (PreparedStatement q = reader.prepareStatement("SELECT seq FROM cursor WHERE name = 'shipped'");
             ResultSet rs = q.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            throw new StoreException("could not read the shipping cursor", e);
        }
    }

    public synchronized void acknowledge(long sequence) {
        try (PreparedStatement u = reader.prepareStatement(
                "INSERT INTO cursor(name, seq) VALUES ('shipped', ?) ON CONFLICT(name) DO UPDATE SET seq = max(seq, excluded.seq)")) {
            u.setLong(1, sequence);
            u.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not move the shipping cursor", e);
        }
    }

    /**
     * Deletes events older than the maximum age, then the oldest until the data is back under 90 %
     * of the quota. SQLite reuses freed pages, so with retention run after every batch the file
     * stays within the quota plus one batch. Returns the never-shipped events it had to remove,
     * for a gap event.
     */
    public Optional<Gap> enforceRetention(Instant now) {
        flush();
        long shipped = shippedCursor();
        long removed = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        try (Statement s = writer.createStatement()) {
            long oldest = now.minus(config.maxAge()).toEpochMilli();
            Optional<long[]> aged = unshippedRange(s, "ts < " + oldest, shipped);
            s.executeUpdate("DELETE FROM events WHERE ts < " + oldest);
            if (aged.isPresent()) {
                removed += aged.get()[0];
                first = Math.min(first, aged.get()[1]);
                last = Math.max(last, aged.get()[2]);
            }
            while (usedBytes(s) > config.quotaBytes() * 9 / 10) {
                long count = Math.max(1000, countRows(s) / 10);
                long upTo;
                try (ResultSet rs = s.executeQuery("SELECT max(seq) FROM (SELECT seq FROM events ORDER BY seq LIMIT " + count + ")")) {
                    if (!rs.next() || rs.getObject(1) == null) break;
                    upTo = rs.getLong(1);
                }
                Optional<long[]> dropped = unshippedRange(s, "seq <= " + upTo, shipped);
                s.executeUpdate("DELETE FROM events WHERE seq <= " + upTo);
                writer.commit();
                if (dropped.isPresent()) {
                    removed += dropped.get()[0];
                    first = Math.min(first, dropped.get()[1]);
                    last = Math.max(last, dropped.get()[2]);
                }
            }
            writer.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw new StoreException("retention failed on " + config.file(), e);
        }
        return removed == 0 ? Optional.empty() : Optional.of(new Gap(removed, first, last));
    }

    private static Optional<long[]> unshippedRange(Statement s, String where, long shipped) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*), min(seq), max(seq) FROM events WHERE " + where + " AND seq > " + shipped)) {
            if (rs.next() && rs.getLong(1) > 0) return Optional.of(new long[]{rs.getLong(1), rs.getLong(2), rs.getLong(3)});
            return Optional.empty();
        }
    }

    /** Bytes held by live pages (the file keeps freed pages for reuse). */
    public long usedBytes() {
        try (Statement s = writer.createStatement()) {
            return usedBytes(s);
        } catch (SQLException e) {
            throw new StoreException("cannot measure " + config.file(), e);
        }
    }

    private static long usedBytes(Statement s) throws SQLException {
        long pages;
        long free;
        long size;
        try (ResultSet rs = s.executeQuery("PRAGMA page_count")) { rs.next(); pages = rs.getLong(1); }
        try (ResultSet rs = s.executeQuery("PRAGMA freelist_count")) { rs.next(); free = rs.getLong(1); }
        try (ResultSet rs = s.executeQuery("PRAGMA page_size")) { rs.next(); size = rs.getLong(1); }
        return (pages - free) * size;
    }

    /** Whether the data has outgrown the quota, checked after each batch so a burst cannot overshoot for long. */
    public boolean overQuota() {
        try (Statement s = writer.createStatement()) {
            return usedBytes(s) > config.quotaBytes() * 9 / 10;
        } catch (SQLException e) {
            throw new StoreException("cannot measure " + config.file(), e);
        }
    }

    private static long countRows(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM events")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public long count() {
        try (Statement s = reader.createStatement()) {
            return countRows(s);
        } catch (SQLException e) {
            throw new StoreException("cannot count " + config.file(), e);
        }
    }

    public Connection readerConnection() {
        return reader;
    }

    private void rollbackQuietly() {
        try {
            writer.rollback();
        } catch (SQLException ignored) {
            // the original failure is what matters
        }
    }

    @Override
    public void close() {
        try {
            flush();
        } finally {
            try {
                insert.close();
                writer.close();
                reader.close();
            } catch (SQLException e) {
                throw new UncheckedIOException(new IOException("closing " + config.file(), e));
            }
        }
    }

    /** A store failure: the agent reports it in health and keeps capturing. */
    public static final class StoreException extends RuntimeException {
        StoreException(String message, Throwable cause) {
            super(message + ": " + cause.getMessage(), cause);
        }
    }
}
