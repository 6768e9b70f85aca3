package org.fleetrec.agent.store;

import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.EventDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * quota and a maximum age. One thread writes: it appends and commits in batches, persists the
 * shipped cursor the shipper reported and the capture source's position, and runs retention after
 * each batch, so a burst cannot overshoot the quota by more than a batch. The shipper only reads. A crash between an
 * acknowledgement and its persisting re-sends one batch, which the server stores once (same ids).
 * Shipping never deletes; only retention does, and it says when it dropped events never shipped.
 * Deleted rows only free pages inside the file; {@link #enforceRetention} also gives them back to the
 * file system when they are many (incremental auto-vacuum), so the file shrinks when the quota does.
 */
public final class EventStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventStore.class);

    /** Where and how much. */
    public record Config(Path file, long quotaBytes, Duration maxAge) {
    }

    /** One stored event as the shipper reads it: its sequence and its JSON line. */
    public record Stored(long sequence, byte[] json) {
    }

    /** Events retention removed that had never been shipped: the content of a gap event. */
    public record Gap(long count, long firstSequence, long lastSequence) {
        /** One gap covering both, as a retention pass that dropped events twice reports them. */
        Gap plus(Gap other) {
            return new Gap(count + other.count, Math.min(firstSequence, other.firstSequence),
                    Math.max(lastSequence, other.lastSequence));
        }
    }

    private static final int BATCH = 500;
    /**
     * Free pages go back to the file system this many at a time (8 MiB at the default 4 KiB page), each
     * step committed and checkpointed: moving pages writes them to the WAL, which must not grow by the
     * whole amount at once.
     */
    private static final int RECLAIM_STEP_PAGES = 2048;
    /** Time one call may spend giving space back: the writing thread is also the one that records. */
    private static final long RECLAIM_BUDGET_NANOS = Duration.ofMillis(250).toNanos();
    /** A checkpoint waits this long at most for a reader (an offline query) to let go of the WAL. */
    private static final int CHECKPOINT_BUSY_MILLIS = 200;
    private static final int BUSY_MILLIS = 10_000;

    private final Config config;
    private final Connection writer;
    private final Connection reader;
    private final PreparedStatement insert;
    private final List<EventDocument> pending = new ArrayList<>(BATCH);
    private final java.util.concurrent.atomic.AtomicLong acknowledged = new java.util.concurrent.atomic.AtomicLong();
    private long persistedCursor;
    private String sourcePosition;
    private String persistedSourcePosition;
    /** A reclaim ran out of time; the next flush or retention pass goes on with it. */
    private boolean reclaiming;
    private java.util.function.Consumer<Gap> gapListener = gap -> { };

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
                // Before anything writes the header (WAL mode does): on a new file this is the only time
                // the vacuum mode can be chosen without rebuilding the file.
                s.execute("PRAGMA auto_vacuum=INCREMENTAL");
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL"); // durable at each checkpoint; a crash loses at most the last batch's fsync window
                s.execute("PRAGMA busy_timeout=" + BUSY_MILLIS);
                // A big transaction (a retention pass) grows the WAL; without a limit it keeps that size for good.
                s.execute("PRAGMA journal_size_limit=" + Math.min(config.quotaBytes() / 10, 64L << 20));
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
                s.execute("CREATE TABLE IF NOT EXISTS source_position (source TEXT PRIMARY KEY, position TEXT NOT NULL)");
                useIncrementalVacuum(s, config.file());
            }
            writer.setAutoCommit(false);
            Connection reader = DriverManager.getConnection(url);
            try (Statement s = reader.createStatement()) {
                s.execute("PRAGMA busy_timeout=" + BUSY_MILLIS);
            }
            EventStore store = new EventStore(config, writer, reader);
            store.persistedCursor = store.readCursor();
            store.acknowledged.set(store.persistedCursor);
            store.persistedSourcePosition = store.readSourcePosition();
            store.sourcePosition = store.persistedSourcePosition;
            return store;
        } catch (SQLException e) {
            throw new IOException("cannot open " + config.file() + ": " + e.getMessage(), e);
        }
    }

    /**
     * A file made before the store used incremental vacuum keeps its mode until rebuilt: done once, here.
     * The rebuild takes a few seconds per GiB and, for that while, about twice the file's size on disk
     * (the copy and the WAL); if it fails (no room, a reader in the way) the store works as before and
     * the next start tries again.
     */
    private static void useIncrementalVacuum(Statement s, Path file) throws SQLException {
        long mode;
        try (ResultSet rs = s.executeQuery("PRAGMA auto_vacuum")) {
            rs.next();
            mode = rs.getLong(1);
        }
        if (mode != 0) return;
        log.info("rebuilding {} once so that it can shrink when events are deleted", file);
        try {
            s.execute("PRAGMA auto_vacuum=INCREMENTAL");
            s.execute("VACUUM");
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException e) {
            log.warn("could not rebuild {} ({}); its size will not shrink until a later start manages", file, e.getMessage());
        }
    }

    /** Who hears of never-shipped events the quota forced out; the agent turns them into a gap event. */
    public void onGap(java.util.function.Consumer<Gap> listener) {
        this.gapListener = listener;
    }

    /** Buffers a stamped document; {@link #flush()} commits. Call from the one writing thread. */
    public void append(EventDocument doc) {
        pending.add(doc);
        if (pending.size() >= BATCH) flush();
    }

    /**
     * Commits what was appended, the shipped cursor and the source position, in one transaction (never
     * one commit per event); then keeps the data within the quota. Call from the one writing thread.
     */
    public void flush() {
        long cursor = acknowledged.get();
        String position = sourcePosition;
        if (pending.isEmpty() && cursor == persistedCursor && java.util.Objects.equals(position, persistedSourcePosition)) {
            if (reclaiming) reclaimSpace();
            return;
        }
        int count = pending.size();
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
            if (count > 0) insert.executeBatch();
            if (cursor != persistedCursor) {
                try (PreparedStatement u = writer.prepareStatement(
                        "INSERT INTO cursor(name, seq) VALUES ('shipped', ?) ON CONFLICT(name) DO UPDATE SET seq = excluded.seq")) {
                    u.setLong(1, cursor);
                    u.executeUpdate();
                }
            }
            if (!java.util.Objects.equals(position, persistedSourcePosition)) writeSourcePosition(position);
            writer.commit();
            pending.clear();
            persistedCursor = cursor;
            persistedSourcePosition = position;
        } catch (SQLException e) {
            rollbackQuietly();
            throw new StoreException("could not write " + count + " events to " + config.file(), e);
        }
        if (count > 0 && overQuota()) enforceRetention(Instant.now()).ifPresent(gapListener);
        else if (reclaiming) reclaimSpace();
    }

    /**
     * Where the capture source stood when everything it had read so far was appended here: written by
     * the next {@link #flush()}, in the same transaction as those events, so a restart resumes neither
     * before stored events nor after lost ones. Opaque text, owned by the source; null forgets it.
     * Call from the one writing thread.
     */
    public void sourcePosition(String position) {
        this.sourcePosition = position;
    }

    /** The source position last set (persisted or about to be). */
    public Optional<String> sourcePosition() {
        return Optional.ofNullable(sourcePosition);
    }

    private void writeSourcePosition(String position) throws SQLException {
        try (PreparedStatement u = writer.prepareStatement(position == null
                ? "DELETE FROM source_position WHERE source = 'capture'"
                : "INSERT INTO source_position(source, position) VALUES ('capture', ?) "
                        + "ON CONFLICT(source) DO UPDATE SET position = excluded.position")) {
            if (position != null) u.setString(1, position);
            u.executeUpdate();
        }
    }

    private String readSourcePosition() throws SQLException {
        try (Statement s = writer.createStatement();
             ResultSet rs = s.executeQuery("SELECT position FROM source_position WHERE source = 'capture'")) {
            String position = rs.next() ? rs.getString(1) : null;
            writer.commit();
            return position;
        }
    }

    /** The oldest events after {@code afterSequence}, at most {@code maxCount} and about {@code maxBytes}. */
    public List<Stored> readAfter(long afterSequence, int maxCount, long maxBytes) {
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
    public long shippedCursor() {
        return acknowledged.get();
    }

    /** Called by the shipper once the server took everything up to {@code sequence}; the writer persists it. */
    public void acknowledge(long sequence) {
        acknowledged.accumulateAndGet(sequence, Math::max);
    }

    private long readCursor() throws SQLException {
        try (Statement s = writer.createStatement();
             ResultSet rs = s.executeQuery("SELECT seq FROM cursor WHERE name = 'shipped'")) {
            long seq = rs.next() ? rs.getLong(1) : 0;
            writer.commit();
            return seq;
        }
    }

    /**
     * Deletes events older than the maximum age, then, over 90 % of the quota, a bounded slice of
     * the oldest. SQLite reuses freed pages, so with a pass after every batch the file stays within
     * the quota plus about a batch; when deletions left much more free than that, the file is shrunk.
     * Returns the never-shipped events it had to remove, for a gap event.
     */
    public Optional<Gap> enforceRetention(Instant now) {
        long shipped = shippedCursor();
        Optional<Gap> gap = Optional.empty();
        try (Statement s = writer.createStatement()) {
            long oldest = now.minus(config.maxAge()).toEpochMilli();
            gap = unshippedRange(s, "ts < " + oldest, shipped);
            s.executeUpdate("DELETE FROM events WHERE ts < " + oldest);
            // One bounded step a pass: freed pages lag behind deletes, so looping until the size drops
            // could delete far more than needed. The next batch's pass continues if still over.
            if (usedBytes(s) > config.quotaBytes() * 9 / 10) {
                long count = Math.max(BATCH, countRows(s) / 10);
                long upTo = -1;
                try (ResultSet rs = s.executeQuery("SELECT max(seq) FROM (SELECT seq FROM events ORDER BY seq LIMIT " + count + ")")) {
                    if (rs.next() && rs.getObject(1) != null) upTo = rs.getLong(1);
                }
                if (upTo >= 0) {
                    Optional<Gap> dropped = unshippedRange(s, "seq <= " + upTo, shipped);
                    s.executeUpdate("DELETE FROM events WHERE seq <= " + upTo);
                    if (dropped.isPresent()) gap = Optional.of(gap.map(g -> g.plus(dropped.get())).orElse(dropped.get()));
                }
            }
            writer.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw new StoreException("retention failed on " + config.file(), e);
        }
        reclaimSpace();
        return gap;
    }

    /**
     * Gives free pages back to the file system, and truncates the WAL, when the file and its WAL
     * outgrew the quota (it was lowered, or the WAL swelled) or a quarter of the file is free (a large
     * deletion). Not for the tenth of the data a retention pass frees at the quota: new events reuse
     * those pages soon, and shrinking the file only for it to grow again would double the writing.
     * Waits while the data itself is over the quota (the retention passes still deleting would only
     * free more), works for a bounded time per call and goes on at the next flush. A reader keeping the
     * WAL from being emptied (an offline query) ends the round: the next retention pass starts another.
     * Never throws: the events are safe either way.
     */
    private void reclaimSpace() {
        try {
            Space space = space();
            boolean due = reclaiming || space.diskBytes() > config.quotaBytes() || space.freePages() * 4 > space.pages();
            if (!due || space.usedBytes() > config.quotaBytes() * 9 / 10) return;
            reclaiming = false;
            // First, so that pages are moved only into a WAL that can be emptied after each step.
            if (!truncateWal()) return;
            long deadline = System.nanoTime() + RECLAIM_BUDGET_NANOS;
            try (Statement s = writer.createStatement()) {
                while (pragma(s, "freelist_count") > 0) {
                    // executeUpdate runs the pragma to its end; it frees one page per step of the statement,
                    // so a JDBC execute(), which steps once, frees a single page.
                    s.executeUpdate("PRAGMA incremental_vacuum(" + RECLAIM_STEP_PAGES + ")");
                    writer.commit();
                    if (!truncateWal()) return;
                    if (System.nanoTime() > deadline) {
                        reclaiming = true;
                        return;
                    }
                }
                writer.commit();
            }
        } catch (SQLException e) {
            rollbackQuietly();
            log.warn("could not give free space in {} back: {}", config.file(), e.getMessage());
        }
    }

    /** The file's pages and the bytes on disk (file plus WAL). */
    private record Space(long pageSize, long pages, long freePages, long diskBytes) {
        long usedBytes() {
            return (pages - freePages) * pageSize;
        }
    }

    private Space space() throws SQLException {
        try (Statement s = writer.createStatement()) {
            Space space = new Space(pragma(s, "page_size"), pragma(s, "page_count"), pragma(s, "freelist_count"),
                    sizeOnDisk(config.file()) + sizeOnDisk(Path.of(config.file() + "-wal")));
            writer.commit();
            return space;
        }
    }

    private static long sizeOnDisk(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // no WAL at this moment
        }
    }

    /**
     * Copies the WAL into the file and empties it, which is also when the file loses the pages a vacuum
     * step released. Waits only briefly for readers: if an offline query holds an old snapshot, the
     * checkpoint is left for a later call rather than stalling the writer. Returns whether it completed.
     */
    private boolean truncateWal() throws SQLException {
        writer.setAutoCommit(true);
        try (Statement s = writer.createStatement()) {
            s.execute("PRAGMA busy_timeout=" + CHECKPOINT_BUSY_MILLIS);
            try (ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                return rs.next() && rs.getInt(1) == 0; // first column: 1 when readers kept it from completing
            } finally {
                s.execute("PRAGMA busy_timeout=" + BUSY_MILLIS);
            }
        } finally {
            writer.setAutoCommit(false);
        }
    }

    /**
     * Count and sequence range of the never-shipped events {@code where} selects. A gap event among
     * them stands for the events it counted, so its count (not 1) is carried into the new gap.
     */
    private static Optional<Gap> unshippedRange(Statement s, String where, long shipped) throws SQLException {
        String selected = "FROM events WHERE " + where + " AND seq > " + shipped;
        long rows;
        long min;
        long max;
        try (ResultSet rs = s.executeQuery("SELECT count(*), min(seq), max(seq) " + selected)) {
            if (!rs.next() || rs.getLong(1) == 0) return Optional.empty();
            rows = rs.getLong(1);
            min = rs.getLong(2);
            max = rs.getLong(3);
        }
        try (ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(json_extract(doc, '$.fleet.gap.count')), 0), "
                + "min(json_extract(doc, '$.fleet.gap.first_sequence')) " + selected
                + " AND dataset = 'agent' AND json_extract(doc, '$.event.action') = 'gap'")) {
            if (rs.next() && rs.getLong(1) > 0) {
                rows += rs.getLong(2) - rs.getLong(1);
                min = Math.min(min, rs.getLong(3));
            }
        }
        return Optional.of(new Gap(rows, min, max));
    }

    /** Bytes held by live pages (the file keeps some freed pages for reuse). */
    public long usedBytes() {
        try (Statement s = writer.createStatement()) {
            long used = usedBytes(s);
            writer.commit();
            return used;
        } catch (SQLException e) {
            throw new StoreException("cannot measure " + config.file(), e);
        }
    }

    private static long usedBytes(Statement s) throws SQLException {
        return (pragma(s, "page_count") - pragma(s, "freelist_count")) * pragma(s, "page_size");
    }

    private static long pragma(Statement s, String name) throws SQLException {
        try (ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Whether the data has outgrown the quota, checked after each batch so a burst cannot overshoot for long. */
    public boolean overQuota() {
        try (Statement s = writer.createStatement()) {
            boolean over = usedBytes(s) > config.quotaBytes() * 9 / 10;
            writer.commit();
            return over;
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

    /** Events stored after the shipped cursor: the shipping backlog, for health. */
    public long unshipped() {
        try (PreparedStatement q = reader.prepareStatement("SELECT count(*) FROM events WHERE seq > ?")) {
            q.setLong(1, shippedCursor());
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot count the backlog in " + config.file(), e);
        }
    }

    /** Folds the WAL into the database file, so the file's size is the data's (used by the store bench). */
    public void checkpoint() {
        flush();
        try (Statement s = writer.createStatement()) {
            writer.setAutoCommit(true);
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException e) {
            throw new StoreException("cannot checkpoint " + config.file(), e);
        } finally {
            try {
                writer.setAutoCommit(false);
            } catch (SQLException ignored) {
                // the connection is failing already; the error above says why
            }
        }
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
