package org.fleetrec.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads an NDJSON batch line by line without trusting its size: a line longer than the
 * limit is reported and skipped, not buffered, so one hostile line cannot exhaust memory
 * or take its neighbours down with it.
 */
public final class BatchReader {
    /** A line as received: its 1-based number and text, or why it could not be read. */
    public record Line(int number, String text, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private int lineNumber;
    private boolean eof;

    public BatchReader(InputStream in, int maxLineBytes) {
        this.in = in instanceof java.io.BufferedInputStream ? in : new java.io.BufferedInputStream(in, 64 * 1024);
        this.maxLineBytes = maxLineBytes;
    }

    /** The next non-blank line, or null at the end of the batch. */
    public Line next() throws IOException {
        while (!eof) {
            current.reset();
            boolean tooLong = false;
            long length = 0;
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                length++;
                if (length > maxLineBytes) {
                    tooLong = true;
                } else {
                    current.write(b);
                }
            }
            if (b < 0) eof = true;
            if (length == 0 && b < 0) return null;
            lineNumber++;
            if (tooLong) {
                return new Line(lineNumber, null, "line of " + length + " bytes exceeds the limit of " + maxLineBytes);
            }
            String text = current.toString(StandardCharsets.UTF_8).strip();
            if (!text.isEmpty()) return new Line(lineNumber, text, null);
        }
        return null;
    }
}
