package org.fleetrec.detection.alert;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader of RFC 5424 messages and RFC 6587 octet-counted frames, written from the ABNF of
 * RFC 5424 §6, for checking what a receiver gets: anything off the grammar throws.
 */
final class Rfc5424 {
    record Message(int pri, String timestamp, String hostname, String appName, String procId, String msgId,
                   Map<String, Map<String, String>> structuredData, String msg) {
        int facility() {
            return pri / 8;
        }

        int severity() {
            return pri % 8;
        }
    }

    private final byte[] bytes;
    private int at;

    private Rfc5424(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Splits a TCP stream into octet-counted frames (§3.4.1 of RFC 6587): {@code MSG-LEN SP SYSLOG-MSG}, nothing between. */
    static List<byte[]> frames(InputStream in) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        while (true) {
            int b = in.read();
            if (b < 0) return frames;
            StringBuilder length = new StringBuilder();
            while (b != ' ') {
                if (b < '0' || b > '9' || length.length() > 9) throw new IllegalArgumentException("not a frame length: " + length + (char) b);
                if (length.isEmpty() && b == '0') throw new IllegalArgumentException("a frame length starts with 1-9");
                length.append((char) b);
                b = in.read();
                if (b < 0) throw new IllegalArgumentException("stream ends inside a frame length");
            }
            byte[] frame = in.readNBytes(Integer.parseInt(length.toString()));
            if (frame.length != Integer.parseInt(length.toString())) throw new IllegalArgumentException("stream ends inside a frame");
            frames.add(frame);
        }
    }

    static Message parse(byte[] bytes) {
        return new Rfc5424(bytes).message();
    }

    private Message message() {
        expect('<');
        String pri = digits(1, 3);
        if (pri.length() > 1 && pri.startsWith("0") || Integer.parseInt(pri) > 191) throw error("bad PRI " + pri);
        expect('>');
        String version = digits(1, 3);
        if (!version.equals("1")) throw error("VERSION is " + version);
        expect(' ');
        String timestamp = field(48);
        if (!timestamp.equals("-")) {
            if (!timestamp.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?(Z|[+-]\\d{2}:\\d{2})")) throw error("TIMESTAMP " + timestamp);
            OffsetDateTime.parse(timestamp);
        }
        expect(' ');
        String hostname = field(255);
        expect(' ');
        String appName = field(48);
        expect(' ');
        String procId = field(128);
        expect(' ');
        String msgId = field(32);
        expect(' ');
        Map<String, Map<String, String>> sd = structuredData();
        String msg = null;
        if (at < bytes.length) {
            expect(' ');
            int start = at;
            if (bytes.length - at >= 3 && (bytes[at] & 0xff) == 0xEF && (bytes[at + 1] & 0xff) == 0xBB && (bytes[at + 2] & 0xff) == 0xBF) start += 3;
            msg = new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8);
            at = bytes.length;
        }
        return new Message(Integer.parseInt(pri), timestamp, hostname, appName, procId, msgId, sd, msg);
    }

    private Map<String, Map<String, String>> structuredData() {
        Map<String, Map<String, String>> elements = new LinkedHashMap<>();
        if (peek() == '-') {
            at++;
            return elements;
        }
        if (peek() != '[') throw error("STRUCTURED-DATA starts with [ or is -");
        while (at < bytes.length && peek() == '[') {
            at++;
            String id = sdName();
            Map<String, String> params = new LinkedHashMap<>();
            while (peek() == ' ') {
                at++;
                String name = sdName();
                expect('=');
                expect('"');
                ByteArrayOutputStream value = new ByteArrayOutputStream();
                while (true) {
                    if (at >= bytes.length) throw error("message ends inside a PARAM-VALUE");
                    byte b = bytes[at++];
                    if (b == '"') break;
                    if (b == ']') throw error("an unescaped ] inside PARAM-VALUE of " + name);
                    if (b == '\\' && at < bytes.length && (bytes[at] == '"' || bytes[at] == '\\' || bytes[at] == ']')) {
                        b = bytes[at++];
                    }
                    value.write(b);
                }
                if (params.put(name, value.toString(StandardCharsets.UTF_8)) != null) throw error("parameter twice: " + name);
            }
            expect(']');
            if (elements.put(id, params) != null) throw error("SD-ID twice: " + id);
        }
        return elements;
    }

    private String sdName() {
        int start = at;
        while (at < bytes.length && bytes[at] >= 33 && bytes[at] <= 126 && bytes[at] != '=' && bytes[at] != ']' && bytes[at] != '"'
                && bytes[at] != ' ') {
            at++;
        }
        if (at == start || at - start > 32) throw error("SD-NAME of " + (at - start) + " characters");
        return new String(bytes, start, at - start, StandardCharsets.US_ASCII);
    }

    /** A header field: NILVALUE or 1..max PRINTUSASCII. */
    private String field(int max) {
        int start = at;
        while (at < bytes.length && bytes[at] >= 33 && bytes[at] <= 126) at++;
        if (at == start || at - start > max) throw error("header field of " + (at - start) + " characters");
        return new String(bytes, start, at - start, StandardCharsets.US_ASCII);
    }

    private String digits(int min, int max) {
        int start = at;
        while (at < bytes.length && bytes[at] >= '0' && bytes[at] <= '9') at++;
        if (at - start < min || at - start > max) throw error("expected " + min + " to " + max + " digits");
        return new String(bytes, start, at - start, StandardCharsets.US_ASCII);
    }

    private int peek() {
        if (at >= bytes.length) throw error("message ends early");
        return bytes[at];
    }

    private void expect(char c) {
        if (peek() != c) throw error("expected '" + c + "'");
        at++;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("not RFC 5424 at byte " + at + ": " + what + " in "
                + new String(bytes, StandardCharsets.UTF_8));
    }
}
