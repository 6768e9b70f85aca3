package org.fleetrec.agent.source.line;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into {@code '\n'}-terminated lines, decoded as UTF-8 (malformed bytes become U+FFFD;
 * splitting on the byte 0x0A is safe because it never occurs inside a multi-byte UTF-8 sequence).
 *
 * <p>Memory is bounded by {@code maxLineBytes}: once an unfinished line grows past it, its bytes are
 * thrown away as they arrive and the line is counted in {@link #overlong()} when its newline comes. The
 * unfinished tail is never emitted; the owner decides when it is lost for good ({@link #dropPartial()}).
 * Empty lines are skipped silently. One thread feeds it; the counters may be read from any thread.
 */
final class LineSplitter {
    static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;
    private static final int INITIAL_CAPACITY = 8 << 10;
    private static final int KEEP_CAPACITY = 64 << 10;

    private final int maxLineBytes;
    private byte[] pending = new byte[INITIAL_CAPACITY];
    private int pendingLength;
    /** Inside a line that is being thrown away, until its newline. */
    private boolean discarding;
    /** Whether the line being thrown away counts as malformed (over-long) or is a known fragment. */
    private boolean discardCounts;
    private final AtomicLong overlong = new AtomicLong();
    private final AtomicLong torn = new AtomicLong();

    LineSplitter(int maxLineBytes) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes < 1");
        }
        this.maxLineBytes = maxLineBytes;
    }

    /** Takes a complete line and the index just past its newline in the array being fed. */
    @FunctionalInterface
    interface LineEnds {
        void accept(String line, int end);
    }

    /** Emits every line completed by {@code bytes[offset, offset+length)}; keeps the unfinished rest. */
    void feed(byte[] bytes, int offset, int length, Consumer<String> out) {
        feed(bytes, offset, length, (LineEnds) (line, end) -> out.accept(line));
    }

    /** {@link #feed(byte[], int, int, Consumer)}, telling where in {@code bytes} each line ended. */
    void feed(byte[] bytes, int offset, int length, LineEnds out) {
        int end = offset + length;
        int lineStart = offset;
        for (int i = offset; i < end; i++) {
            if (bytes[i] == '\n') {
                finishLine(bytes, lineStart, i, out);
                lineStart = i + 1;
            }
        }
        keep(bytes, lineStart, end);
    }

    /**
     * Throws away the bytes up to the next newline without counting them: for a known fragment, e.g. the
     * tail of a line whose start was written before we began reading.
     */
    void skipFragment() {
        pendingLength = 0;
        discarding = true;
        discardCounts = false;
    }

    /** True if bytes of an unfinished line are held (or being discarded). */
    boolean hasPartial() {
        return pendingLength > 0 || discarding;
    }

    /** The unfinished line will never be completed (input ended, file truncated or replaced): count it. */
    void dropPartial() {
        if (discarding) {
            if (discardCounts) {
                overlong.incrementAndGet();
            }
        } else if (pendingLength > 0) {
            torn.incrementAndGet();
        }
        reset();
    }

    /** Lines longer than the bound, dropped. */
    long overlong() {
        return overlong.get();
    }

    /** Unfinished lines dropped by {@link #dropPartial()}. */
    long torn() {
        return torn.get();
    }

    private void finishLine(byte[] bytes, int from, int to, LineEnds out) {
        if (discarding) {
            if (discardCounts) {
                overlong.incrementAndGet();
            }
            reset();
            return;
        }
        int total = pendingLength + (to - from);
        if (total > maxLineBytes) {
            overlong.incrementAndGet();
            reset();
            return;
        }
        String line;
        if (pendingLength == 0) {
            line = new String(bytes, from, to - from, StandardCharsets.UTF_8);
        } else {
            keep(bytes, from, to);
            line = new String(pending, 0, pendingLength, StandardCharsets.UTF_8);
            reset();
        }
        if (!line.isEmpty()) {
            out.accept(line, to + 1);
        }
    }

    private void keep(byte[] bytes, int from, int to) {
        int n = to - from;
        if (n == 0 || discarding) {
            return;
        }
        if (pendingLength + n > maxLineBytes) {
            reset();
            discarding = true;
            discardCounts = true;
            return;
        }
        if (pendingLength + n > pending.length) {
            int grown = Math.max(pendingLength + n, Math.min(maxLineBytes, pending.length * 2));
            pending = Arrays.copyOf(pending, grown);
        }
        System.arraycopy(bytes, from, pending, pendingLength, n);
        pendingLength += n;
    }

    private void reset() {
        pendingLength = 0;
        discarding = false;
        discardCounts = false;
        if (pending.length > KEEP_CAPACITY) {
            // One huge line must not pin a megabyte for the life of the agent.
            pending = new byte[INITIAL_CAPACITY];
        }
    }
}
