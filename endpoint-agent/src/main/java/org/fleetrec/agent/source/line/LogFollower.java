package org.fleetrec.agent.source.line;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The {@code tail -F} state machine behind {@link LogFollowSource}, without a thread: each {@link #poll}
 * reads what is new and returns. Kept apart so rotation and truncation can be tested step by step.
 *
 * <ul>
 *   <li>Rotation (rename + new file): the path is stat'ed <em>before</em> the open file is drained, so
 *       when the name already points at a different inode, everything the writer put into the old file
 *       before it created the new one is read first; then the new file is read from its start.</li>
 *   <li>Truncation (copytruncate): the file got shorter than our position, so we start again at 0. A
 *       file truncated and refilled past our position between two polls looks like growth (the same
 *       blind spot as {@code tail -F}); the poll interval keeps that window short.</li>
 *   <li>A half-written last line is held until its newline arrives; if the file is replaced or truncated
 *       first, that fragment is dropped and counted.</li>
 *   <li>Starting "at the end" starts at the beginning of the last, possibly unfinished, line, so a record
 *       being written at that moment is read whole rather than as a tail fragment.</li>
 *   <li>Resuming from a saved {@link LogPosition} (see {@link ResumePlan}) replaces "at the end": lines
 *       written while the agent was stopped are read, in rotated files first if need be.</li>
 * </ul>
 *
 * <p>Every line is delivered with the position just past it. Inodes come from
 * {@link java.nio.file.attribute.BasicFileAttributes#fileKey()} (device + inode on Linux). On a file system
 * without file keys only truncation can be detected.
 */
final class LogFollower implements Closeable {
    /** Upper bound of one poll's reading, so a huge backlog does not keep {@link #poll} from returning. */
    private static final long MAX_BYTES_PER_POLL = 16L << 20;

    private final Path path;
    private final Path canonicalPath;
    private final LineSplitter splitter;
    private final int maxLineBytes;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
    private final boolean startAtEnd;
    private final LogPosition resumeFrom;
    private String startAccount = "";
    private boolean begun;
    /** Rotated files to finish before the followed one, oldest first (only when resuming). */
    private final Deque<OpenLog> backlog = new ArrayDeque<>();
    private OpenLog current;
    private final AtomicLong rotations = new AtomicLong();
    private final AtomicLong truncations = new AtomicLong();

    LogFollower(Path path, boolean fromBeginning, int maxLineBytes) {
        this(path, fromBeginning, maxLineBytes, null);
    }

    /** {@code resumeFrom}, when saved while following this same path, wins over {@code fromBeginning}. */
    LogFollower(Path path, boolean fromBeginning, int maxLineBytes, LogPosition resumeFrom) {
        this.path = Objects.requireNonNull(path, "path");
        this.canonicalPath = LogPosition.canonical(path);
        this.splitter = new LineSplitter(maxLineBytes);
        this.maxLineBytes = maxLineBytes;
        this.startAtEnd = !fromBeginning;
        this.resumeFrom = resumeFrom != null && resumeFrom.isOf(path) ? resumeFrom : null;
    }

    /** {@link #pollWithPositions} for callers that do not need positions. */
    long poll(Consumer<String> out) throws IOException {
        return pollWithPositions((line, after) -> out.accept(line));
    }

    /**
     * Reads everything new (up to a bound) and hands complete lines to {@code out}.
     *
     * @return bytes read; 0 means there was nothing new, so the caller may sleep
     */
    long pollWithPositions(LineSink out) throws IOException {
        begin();
        long read = 0;
        while (!backlog.isEmpty()) {
            long n = drain(backlog.peekFirst(), out);
            read += n;
            if (n >= MAX_BYTES_PER_POLL) {
                return read;
            }
            // A rotated file is complete (its writer moved on before we started); a line it ends without a
            // newline was cut short.
            splitter.dropPartial();
            backlog.removeFirst().close();
            if (read >= MAX_BYTES_PER_POLL) {
                return read;
            }
        }
        if (current == null && !openCurrent(false)) {
            return read;
        }
        Object nameKey = OpenLog.keyOf(path);
        if (current.channel.size() < current.position) {
            splitter.dropPartial();
            current.restart();
            truncations.incrementAndGet();
        }
        long n = drain(current, out);
        read += n;
        if (n >= MAX_BYTES_PER_POLL) {
            return read; // more to read from this file first; check rotation on a later poll
        }
        if (nameKey != null && !nameKey.equals(current.key)) {
            splitter.dropPartial();
            closeCurrent();
            rotations.incrementAndGet();
            if (openCurrent(false)) {
                read += drain(current, out);
            }
        }
        return read;
    }

    /**
     * Opens the file(s) and decides where reading starts: where a saved position says, else at the end
     * (remembered now, so that "from the end" means from this call rather than from the first poll).
     * Later calls do nothing.
     */
    void begin() throws IOException {
        if (begun) {
            return;
        }
        if (resumeFrom != null) {
            ResumePlan plan = ResumePlan.find(path, resumeFrom);
            backlog.addAll(plan.backlog());
            current = plan.live();
            startAccount = plan.account();
        } else {
            // Only the file that exists now is skipped; one appearing later is new and read whole.
            openCurrent(startAtEnd);
            startAccount = "following " + path + " from the " + (startAtEnd ? "end" : "beginning");
        }
        begun = true; // not before: if opening threw (no permission), a later begin() tries again
    }

    /** Where {@link #begin()} started reading, for the agent's log. */
    String startAccount() {
        return startAccount;
    }

    /**
     * Where {@link #begin()} started reading, as a position to persist: safe before any line is read, so
     * that a stop before the first line still resumes here rather than at the end. Null when the log
     * does not exist yet.
     */
    LogPosition startPosition() {
        OpenLog first = backlog.isEmpty() ? current : backlog.peekFirst();
        return first == null ? null : first.after(canonicalPath, first.position);
    }

    long rotations() {
        return rotations.get();
    }

    long truncations() {
        return truncations.get();
    }

    /** Lines dropped: over the bound, or cut short by truncation or replacement. */
    long malformedLines() {
        return splitter.overlong() + splitter.torn();
    }

    /** Byte offset of the next read in the followed file (for tests and health). */
    long position() {
        return current == null ? 0 : current.position;
    }

    @Override
    public void close() throws IOException {
        while (!backlog.isEmpty()) {
            backlog.removeFirst().close();
        }
        closeCurrent();
    }

    private boolean openCurrent(boolean atEnd) throws IOException {
        OpenLog opened = OpenLog.open(path);
        if (opened == null) {
            return false;
        }
        current = opened;
        current.position = atEnd ? startOfLastLine(opened.channel) : 0;
        return true;
    }

    private long drain(OpenLog file, LineSink out) throws IOException {
        long total = 0;
        while (total < MAX_BYTES_PER_POLL) {
            buffer.clear();
            int n = file.channel.read(buffer, file.position);
            if (n <= 0) {
                break;
            }
            long chunkStart = file.position;
            file.position += n;
            total += n;
            splitter.feed(buffer.array(), 0, n, (line, end) -> out.accept(line, file.after(canonicalPath, chunkStart + end)));
        }
        return total;
    }

    /** Offset just after the last newline, looking back at most one line bound. */
    private long startOfLastLine(FileChannel ch) throws IOException {
        long size = ch.size();
        long limit = Math.max(0, size - maxLineBytes - 1);
        long end = size;
        while (end > limit) {
            long start = Math.max(limit, end - buffer.capacity());
            buffer.clear().limit((int) (end - start));
            int n = 0;
            while (buffer.hasRemaining()) {
                int r = ch.read(buffer, start + n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
            for (int i = n - 1; i >= 0; i--) {
                if (buffer.get(i) == '\n') {
                    return start + i + 1;
                }
            }
            end = start;
        }
        if (limit == 0) {
            return 0; // no newline at all: the whole file is one unfinished line
        }
        splitter.skipFragment(); // a line too long to keep anyway: skip its tail quietly
        return size;
    }

    private void closeCurrent() throws IOException {
        OpenLog f = current;
        current = null;
        if (f != null) {
            f.close();
        }
    }
}
