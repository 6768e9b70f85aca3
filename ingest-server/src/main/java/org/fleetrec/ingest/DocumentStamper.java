package org.fleetrec.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.MalformedEventException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Arrays;

/**
 * Checks one agent document and stamps it with the server's identity fields in one streaming
 * pass, splicing the stamp into the bytes the agent sent instead of building a tree and
 * serialising it again: on a busy server this is most of what the ingest tier adds to the work
 * Elasticsearch does anyway. Every token is still parsed, so what is forwarded is valid JSON.
 * <p>
 * A host can never write as another: every identity field the body carries, in any spelling
 * Elasticsearch reads as the same field (nested, or dotted at the top), has its value replaced
 * by the token's, and the nested field is always present. The reasons it gives are returned to
 * the agent and kept in the dead-letter index, so they say exactly what is wrong.
 */
final class DocumentStamper {
    /** Agents buffer for weeks when cut off; anything older than this is not believable from a live agent. */
    private static final Duration MAX_AGE = Duration.ofDays(400);
    /** Imported evidence may be years old, but not older than the systems that could have logged it. */
    private static final Instant EARLIEST_EVIDENCE = Instant.parse("1990-01-01T00:00:00Z");
    private static final Duration MAX_FUTURE = Duration.ofHours(24);
    private static final JsonFactory JSON = EventCodec.mapper().getFactory();

    /** What the server writes over a batch's documents, JSON-encoded once per batch. */
    static final class Stamp {
        private final byte[] agentId;
        private final byte[] hostId;
        private final byte[] hostName;
        private final byte[] ingested;
        private final boolean importer;

        /** {@code importer}: the batch is evidence collected before, so old times are expected. */
        Stamp(String agentId, String hostId, String hostName, String ingested, boolean importer) {
            this.importer = importer;
            this.agentId = quoted(agentId);
            this.hostId = quoted(hostId);
            this.hostName = quoted(hostName);
            this.ingested = quoted(ingested);
        }

        private static byte[] quoted(String value) {
            try {
                return EventCodec.mapper().writeValueAsBytes(value);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a string always serialises", e);
            }
        }
    }

    /** A valid document as it will be stored, with what routing and the host directory need. */
    record Stamped(byte[] json, Dataset dataset, Instant timestamp, long sequence, boolean health) {
    }

    static final class Invalid extends Exception {
        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The fields validation requires (the token supplies agent.* and host.*), one bit each in this order. */
    private static final String[] REQUIRED = Ecs.REQUIRED.stream()
            .filter(field -> !field.startsWith("agent.") && !field.startsWith("host."))
            .toArray(String[]::new);

    /** What one pass found: the fields validation needs and the edits to make. */
    private static final class Pass {
        final byte[] in;
        byte[] out;
        int outLength;
        int copied;
        int required;
        String timestamp;
        String dataset;
        String action;
        Long sequence;
        boolean agentObject;
        boolean hostObject;
        boolean eventObject;
        boolean hostName;
        /** The object being read had its own identity field, now holding the token's value. */
        boolean identityInPlace;

        Pass(byte[] in) {
            this.in = in;
            this.out = new byte[in.length + 160];
        }

        /** Copies the input up to {@code from}, then {@code with} in place of [from, to). */
        void splice(int from, int to, byte[]... with) {
            append(in, copied, from - copied);
            for (byte[] part : with) append(part, 0, part.length);
            copied = to;
        }

        byte[] finish() {
            append(in, copied, in.length - copied);
            return Arrays.copyOf(out, outLength);
        }

        private void append(byte[] bytes, int from, int length) {
            if (outLength + length > out.length) out = Arrays.copyOf(out, Math.max(outLength + length, out.length * 2));
            System.arraycopy(bytes, from, out, outLength, length);
            outLength += length;
        }
    }

    private static final byte[] COMMA = {','};
    private static final byte[] ID = "\"id\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NAME = "\"name\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INGESTED = "\"ingested\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NONE = {};

    Stamped stamp(byte[] line, Stamp stamp, Instant now) throws Invalid, MalformedEventException {
        Pass pass = new Pass(line);
        try (JsonParser parser = JSON.createParser(line)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedEventException("a line must hold one JSON object");
            }
            int members = readMembers(parser, "", pass, stamp);
            int end = offset(parser);
            byte[] comma = members > 0 ? COMMA : NONE;
            if (!pass.agentObject) {
                pass.splice(end, end, comma, "\"agent\":{".getBytes(StandardCharsets.US_ASCII), ID, stamp.agentId, close());
                comma = COMMA;
            }
            if (!pass.hostObject) {
                pass.splice(end, end, comma, "\"host\":{".getBytes(StandardCharsets.US_ASCII), ID, stamp.hostId,
                        pass.hostName ? NONE : COMMA, pass.hostName ? NONE : NAME, pass.hostName ? NONE : stamp.hostName, close());
                comma = COMMA;
            }
            if (!pass.eventObject) {
                pass.splice(end, end, comma, "\"event\":{".getBytes(StandardCharsets.US_ASCII), INGESTED, stamp.ingested, close());
            }
            if (parser.nextToken() != null) throw new MalformedEventException("not valid JSON: trailing content after the object");
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("reading a byte array cannot fail", e);
        }
        return validated(pass, now, stamp.importer);
    }

    private static byte[] close() {
        return new byte[]{'}'};
    }

    /**
     * Reads an object's members up to its end (the parser is left on its END_OBJECT), replacing
     * identity values and stamping the objects that hold them. Returns how many members it had.
     */
    private static int readMembers(JsonParser parser, String parent, Pass pass, Stamp stamp) throws IOException, Invalid {
        int members = 0;
        for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
            members++;
            String name = parser.currentName();
            String path = parent.isEmpty() ? name : parent + "." + name;
            JsonToken value = parser.nextToken();
            byte[] identity = identity(path, stamp);
            if (identity != null) {
                int from = offset(parser);
                skipValue(parser, value);
                pass.splice(from, (int) parser.currentLocation().getByteOffset(), identity);
                if (!parent.isEmpty()) pass.identityInPlace = true; // a dotted spelling at the top still gets the nested field
                continue;
            }
            if (parent.isEmpty() && (name.equals("agent") || name.equals("host") || name.equals("event"))) {
                if (value != JsonToken.START_OBJECT) throw new Invalid(name + " must be an object");
                pass.identityInPlace = false;
                int inner = readMembers(parser, name, pass, stamp);
                stampObject(name, inner, offset(parser), pass, stamp);
                continue;
            }
            note(path, value, parser, pass);
            skipValue(parser, value);
        }
        return members;
    }

    /** Writes the identity fields an agent/host/event object still lacks before its closing brace. */
    private static void stampObject(String name, int members, int close, Pass pass, Stamp stamp) {
        boolean idInPlace = pass.identityInPlace;
        byte[] comma = members > 0 ? COMMA : NONE;
        switch (name) {
            case "agent" -> {
                pass.agentObject = true;
                if (!idInPlace) pass.splice(close, close, comma, ID, stamp.agentId);
            }
            case "host" -> {
                pass.hostObject = true;
                if (!idInPlace) {
                    pass.splice(close, close, comma, ID, stamp.hostId);
                    comma = COMMA;
                }
                if (!pass.hostName) {
                    pass.splice(close, close, comma, NAME, stamp.hostName);
                    pass.hostName = true;
                }
            }
            default -> {
                pass.eventObject = true;
                if (!idInPlace) pass.splice(close, close, comma, INGESTED, stamp.ingested);
            }
        }
    }

    private static byte[] identity(String path, Stamp stamp) {
        return switch (path) {
            case Ecs.AGENT_ID -> stamp.agentId;
            case Ecs.HOST_ID -> stamp.hostId;
            case Ecs.EVENT_INGESTED -> stamp.ingested;
            default -> null;
        };
    }

    private static void note(String path, JsonToken value, JsonParser parser, Pass pass) throws IOException, Invalid {
        switch (path) {
            case Ecs.TIMESTAMP -> pass.timestamp = value.isScalarValue() ? parser.getText() : null;
            case Ecs.EVENT_ACTION -> pass.action = value.isScalarValue() ? parser.getText() : null;
            case Ecs.EVENT_DATASET -> pass.dataset = value.isScalarValue() ? parser.getText() : null;
            case Ecs.EVENT_SEQUENCE -> {
                if (value == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                        && parser.getLongValue() >= 0) {
                    pass.sequence = parser.getLongValue();
                } else if (value != JsonToken.VALUE_NULL) {
                    throw new Invalid("event.sequence must be a non-negative integer");
                }
            }
            case Ecs.HOST_NAME -> pass.hostName |= value != JsonToken.VALUE_NULL;
            case Ecs.EVENT_CATEGORY, Ecs.EVENT_TYPE -> {
            }
            default -> {
                return;
            }
        }
        if (value == JsonToken.VALUE_NULL) return;
        for (int bit = 0; bit < REQUIRED.length; bit++) {
            if (REQUIRED[bit].equals(path)) pass.required |= 1 << bit;
        }
    }

    private static void skipValue(JsonParser parser, JsonToken value) throws IOException {
        if (value.isStructStart()) {
            parser.skipChildren();
        } else {
            parser.finishToken(); // strings are read lazily: the offset after it needs the whole token
        }
    }

    private static int offset(JsonParser parser) {
        return (int) parser.currentTokenLocation().getByteOffset();
    }

    private static Stamped validated(Pass pass, Instant now, boolean importer) throws Invalid {
        for (int bit = 0; bit < REQUIRED.length; bit++) {
            if ((pass.required & (1 << bit)) == 0) throw new Invalid("missing required field " + REQUIRED[bit]);
        }
        Instant timestamp = parseInstant(pass.timestamp);
        Instant earliest = importer ? EARLIEST_EVIDENCE : now.minus(MAX_AGE);
        if (timestamp.isBefore(earliest) || timestamp.isAfter(now.plus(MAX_FUTURE))) {
            throw new Invalid("@timestamp " + timestamp + " is outside the accepted window");
        }
        String datasetId = pass.dataset == null ? "" : pass.dataset;
        Dataset dataset = Dataset.fromId(datasetId)
                .orElseThrow(() -> new Invalid("unknown event.dataset '" + truncate(datasetId) + "'"));
        if (pass.sequence == null) throw new Invalid("event.sequence must be a non-negative integer");
        return new Stamped(pass.finish(), dataset, timestamp, pass.sequence, "health".equals(pass.action));
    }

    /**
     * {@code 2026-11-21T09:03:04.123456789Z}, the form agents write, read without the general
     * formatter (which costs more than the rest of the document); anything else goes to it.
     */
    static Instant parseInstant(String text) throws Invalid {
        if (text == null) throw new Invalid("@timestamp is not an ISO-8601 instant");
        int length = text.length();
        if (length >= 20 && length <= 30 && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
                && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(length - 1) == 'Z'
                && (length == 20 || text.charAt(19) == '.' && length > 21)) {
            int year = digits(text, 0, 4);
            int month = digits(text, 5, 7);
            int day = digits(text, 8, 10);
            int hour = digits(text, 11, 13);
            int minute = digits(text, 14, 16);
            int second = digits(text, 17, 19);
            int nanos = 0;
            if (length > 20) {
                int fraction = digits(text, 20, length - 1);
                nanos = fraction < 0 ? -1 : fraction * POWERS[9 - (length - 21)];
            }
            if (year >= 0 && month >= 0 && day >= 0 && hour >= 0 && hour < 24 && minute >= 0 && minute < 60
                    && second >= 0 && second < 60 && nanos >= 0) {
                try {
                    long days = LocalDate.of(year, month, day).toEpochDay();
                    return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
                } catch (DateTimeException e) {
                    throw new Invalid("@timestamp is not an ISO-8601 instant");
                }
            }
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new Invalid("@timestamp is not an ISO-8601 instant");
        }
    }

    private static final int[] POWERS = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000};

    /** The decimal value of text[from, to), or -1 when any of it is not an ASCII digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') return -1;
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static String truncate(String value) {
        return value.length() > 64 ? value.substring(0, 64) + "…" : value;
    }
}
