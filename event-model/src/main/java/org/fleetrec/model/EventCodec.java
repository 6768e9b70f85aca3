package org.fleetrec.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/** The wire format of the agent → ingest protocol: gzip NDJSON, one event document a line. */
public final class EventCodec {
    public static final String CONTENT_TYPE = "application/x-ndjson";
    public static final String CONTENT_ENCODING = "gzip";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private EventCodec() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Streams documents as gzip NDJSON; the caller owns {@code out}. */
    public static void writeGzipNdjson(Iterable<EventDocument> documents, OutputStream out) throws IOException {
        GZIPOutputStream gzip = new GZIPOutputStream(out, 64 * 1024);
        for (EventDocument doc : documents) {
            gzip.write(toLine(doc));
        }
        gzip.finish();
    }

    public static byte[] gzipNdjson(Iterable<EventDocument> documents) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            writeGzipNdjson(documents, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** One NDJSON line, newline included. Jackson escapes control characters, so a line never splits. */
    public static byte[] toLine(EventDocument doc) {
        try {
            byte[] json = MAPPER.writeValueAsBytes(doc.json());
            byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
            line[json.length] = '\n';
            return line;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an in-memory JSON tree always serialises", e);
        }
    }

    /** Parses one NDJSON line into a document; the message says what is wrong with bad input. */
    public static EventDocument parseLine(String line) throws MalformedEventException {
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("not valid JSON: " + e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode object)) {
            throw new MalformedEventException("a line must hold one JSON object");
        }
        return EventDocument.wrap(object);
    }

    public static String toJson(EventDocument doc) {
        try {
            return MAPPER.writeValueAsString(doc.json());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an in-memory JSON tree always serialises", e);
        }
    }
}
