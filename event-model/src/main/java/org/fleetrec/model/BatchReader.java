package org.fleetrec.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads an NDJSON batch line by line without trusting its size: a line longer than the
 * limit is reported and skipped, not buffered, so one hostile line cannot exhaust memory
 * or take its neighbours down with it. Lines stay bytes: the ingest server forwards them
 * without ever holding them as text.
 */
public final class BatchReader {
    /** A line as received: its 1-based number and bytes (ASCII blanks trimmed), or why it could not be read. */
    public record Line(int number, byte[] bytes, String error) {
        public boolean ok() {
            return error == null;
        }

        /** The line as text, for messages and dead letters; null for a line that was not kept. */
        public String text() {
            return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private boolean eof;
    private byte[] current = new byte[4096];
    private int kept;
    private int lineNumber;

    public BatchReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next non-blank line, or null at the end of the batch. */
    public Line next() throws IOException {
        while (fill()) {
            kept = 0;
            long length = 0;
            boolean ended = false;
            while (!ended && fill()) {
                int newline = indexOfNewline();
                int stop = newline < 0 ? limit : newline;
                int chunk = stop - position;
                if (length + chunk <= maxLineBytes) append(position, chunk);
                length += chunk;
                position = newline < 0 ? limit : newline + 1;
                ended = newline >= 0;
            }
            lineNumber++;
            if (length > maxLineBytes) {
                return new Line(lineNumber, null, "line of " + length + " bytes exceeds the limit of " + maxLineBytes);
            }
            int from = 0;
            int to = kept;
            while (from < to && blank(current[from])) from++;
            while (to > from && blank(current[to - 1])) to--;
            if (from < to) return new Line(lineNumber, Arrays.copyOfRange(current, from, to), null);
        }
        return null;
    }

    private boolean fill() throws IOException {
        if (position < limit) return true;
        if (eof) return false;
        int n;
        do {
            n = in.read(buffer, 0, buffer.length);
        } while (n == 0);
        if (n < 0) {
            eof = true;
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }

    private int indexOfNewline() {
        for (int i = position; i < limit; i++) {
            if (buffer[i] == '\n') return i;
        }
        return -1;
    }

    private void append(int from, int length) {
        if (kept + length > current.length) current = Arrays.copyOf(current, Math.max(kept + length, current.length * 2));
        System.arraycopy(buffer, from, current, kept, length);
        kept += length;
    }

    private static boolean blank(byte b) {
        return b == ' ' || b == '\t' || b == '\r';
    }
}
