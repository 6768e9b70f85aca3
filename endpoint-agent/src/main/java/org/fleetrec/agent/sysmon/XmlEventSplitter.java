package org.fleetrec.agent.sysmon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Cuts a stream of event XML into one string per {@code <Event>} element, line by line, so a
 * large export never becomes one DOM and a broken event never takes its neighbours with it.
 * Works with or without an {@code <Events>} root and with one event per line or spread over
 * many. Whatever lies between events (a prolog, a DOCTYPE, a root tag) is never parsed.
 */
final class XmlEventSplitter {
    /** An event larger than this is not a real Sysmon event; it is cut off and reported. */
    static final int MAX_EVENT_CHARS = 4 << 20;
    private static final String END = "</Event>";

    /** An event's text, or the error that replaced it; {@code truncated} when its end never came. */
    record Chunk(String xml, long line, String error, boolean truncated) {
        Chunk(String xml, long line, String error) {
            this(xml, line, error, false);
        }
    }

    private final BufferedReader in;
    private final Deque<Chunk> ready = new ArrayDeque<>();
    private final StringBuilder current = new StringBuilder();
    private long lineNumber;
    private long startLine = -1;
    private boolean overflow;
    private boolean eof;

    XmlEventSplitter(BufferedReader in) {
        this.in = in;
    }

    /** The next event's text, or null at the end of the stream. */
    Chunk next() {
        while (ready.isEmpty() && !eof) readLine();
        return ready.poll();
    }

    private void readLine() {
        String line;
        try {
            line = in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (line == null) {
            eof = true;
            if (startLine > 0) cutOff();
            return;
        }
        lineNumber++;
        int pos = 0;
        while (pos < line.length()) {
            int searchFrom = pos;
            if (startLine < 0) {
                int start = eventStart(line, pos);
                if (start < 0) return;
                startLine = lineNumber;
                current.setLength(0);
                overflow = false;
                pos = start;
                searchFrom = start + 1;
            }
            int end = line.indexOf(END, pos);
            // A new event before this one's end: this one was cut off (a syslog line limit); keep both.
            int restart = eventStart(line, searchFrom);
            if (restart >= 0 && (end < 0 || restart < end)) {
                append(line, pos, restart);
                cutOff();
                pos = restart;
                continue;
            }
            int stop = end < 0 ? line.length() : end + END.length();
            append(line, pos, stop);
            if (end < 0) {
                append("\n", 0, 1);
                return;
            }
            ready.add(overflow
                    ? new Chunk(null, startLine, "event starting at line " + startLine + " is larger than " + MAX_EVENT_CHARS + " characters")
                    : new Chunk(current.toString(), startLine, null));
            startLine = -1;
            pos = stop;
        }
    }

    private void cutOff() {
        ready.add(overflow
                ? new Chunk(null, startLine, "event starting at line " + startLine + " is larger than " + MAX_EVENT_CHARS + " characters")
                : new Chunk(current.toString(), startLine, null, true));
        startLine = -1;
    }

    private void append(String s, int from, int to) {
        if (overflow) return;
        if (current.length() + (to - from) > MAX_EVENT_CHARS) {
            overflow = true;
            current.setLength(0);
            return;
        }
        current.append(s, from, to);
    }

    /** "<Event" followed by whitespace, '>' or '/': not "<Events", "<EventData", "<EventID". */
    private static int eventStart(String line, int from) {
        for (int at = line.indexOf("<Event", from); at >= 0; at = line.indexOf("<Event", at + 1)) {
            int next = at + "<Event".length();
            if (next == line.length()) return at;
            char c = line.charAt(next);
            if (c == '>' || c == '/' || Character.isWhitespace(c)) return at;
        }
        return -1;
    }
}
