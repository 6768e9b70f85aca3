package org.fleetrec.agent.source.line;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
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
 * </ul>
 *
 * <p>Inodes come from {@link BasicFileAttributes#fileKey()} (device + inode on Linux). On a file system
 * without file keys only truncation can be detected.
 */
final class LogFollower implements Closeable {
    /** Upper bound of one poll's reading, so a huge backlog does not keep {@link #poll} from returning. */
    private static final long MAX_BYTES_PER_POLL = 16L << 20;

    private final Path path;
    private final LineSplitter splitter;
    private final int maxLineBytes;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
    private final boolean startAtEnd;
    private boolean begun;
    private FileChannel channel;
    private Object fileKey;
    private long position;
    private final AtomicLong rotations = new AtomicLong();
    private final AtomicLong truncations = new AtomicLong();

    LogFollower(Path path, boolean fromBeginning, int maxLineBytes) {
        this.path = Objects.requireNonNull(path, "path");
        this.splitter = new LineSplitter(maxLineBytes);
        this.maxLineBytes = maxLineBytes;
        this.startAtEnd = !fromBeginning;
    }

    /**
     * Reads everything new (up to a bound) and hands complete lines to {@code out}.
     *
     * @return bytes read; 0 means there was nothing new, so the caller may sleep
     */
    long poll(Consumer<String> out) throws IOException {
        begin();
        if (channel == null && !open(false)) {
            return 0;
        }
        Object nameKey = keyOf(path);
        if (channel.size() < position) {
            splitter.dropPartial();
            position = 0;
            truncations.incrementAndGet();
        }
        long read = drain(out);
        if (read >= MAX_BYTES_PER_POLL) {
            return read; // more to read from this file first; check rotation on a later poll
        }
        if (nameKey != null && !nameKey.equals(fileKey)) {
            splitter.dropPartial();
            closeChannel();
            rotations.incrementAndGet();
            if (open(false)) {
                read += drain(out);
            }
        }
        return read;
    }

    /**
     * Opens the file if it exists and, when starting at the end, remembers where the end is now, so that
     * "from the end" means from this call rather than from the first poll. Later calls do nothing.
     */
    void begin() throws IOException {
        if (!begun) {
            // Only the file that exists now is skipped; one appearing later is new and read whole.
            open(startAtEnd);
            begun = true; // not before: if open threw (no permission), a later begin() tries again
        }
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

    /** Byte offset of the next read in the current file (for tests and health). */
    long position() {
        return position;
    }

    @Override
    public void close() throws IOException {
        closeChannel();
    }

    private boolean open(boolean atEnd) throws IOException {
        Object before = keyOf(path);
        if (before == null) {
            return false;
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return false;
        }
        // The name may have been moved to another file between the stat and the open; then we cannot tell
        // which inode we hold, so try again on the next poll.
        if (!before.equals(keyOf(path))) {
            ch.close();
            return false;
        }
        channel = ch;
        fileKey = before;
        position = atEnd ? startOfLastLine(ch) : 0;
        return true;
    }

    private long drain(Consumer<String> out) throws IOException {
        long total = 0;
        while (total < MAX_BYTES_PER_POLL) {
            buffer.clear();
            int n = channel.read(buffer, position);
            if (n <= 0) {
                break;
            }
            position += n;
            total += n;
            splitter.feed(buffer.array(), 0, n, out);
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

    private static Object keyOf(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            Object key = a.fileKey();
            return key != null ? key : NO_KEY;
        } catch (IOException e) {
            return null;
        }
    }

    /** Stands for "exists, but the file system has no inode identity" (all such files compare equal). */
    private static final Object NO_KEY = new Object();

    private void closeChannel() throws IOException {
        FileChannel ch = channel;
        channel = null;
        fileKey = null;
        if (ch != null) {
            ch.close();
        }
    }
}
