package org.fleetrec.templates.kibana;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.model.EventCodec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Kibana saved objects export format: one saved object a line, and optionally a last line with
 * the export's summary ({@code exportedCount}, {@code missingRefCount}…), which import skips.
 */
public final class SavedObjectsNdjson {
    /** Kibana's own import refuses files over 25 MB by default; a line is one object. */
    static final int MAX_LINE_CHARS = 4 * 1024 * 1024;
    static final int MAX_OBJECTS = 10_000;

    /** What a file held. */
    public record Parsed(List<SavedObject> objects, Optional<JsonNode> summary) {
    }

    private SavedObjectsNdjson() {
    }

    /** One line an object, each followed by a newline; no summary line (import does not need one). */
    public static String write(List<SavedObject> objects) {
        StringBuilder out = new StringBuilder();
        for (SavedObject object : objects) {
            try {
                out.append(EventCodec.mapper().writeValueAsString(object.toJson())).append('\n');
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("an in-memory JSON tree always serialises", e);
            }
        }
        return out.toString();
    }

    /**
     * Reads an export. Every non-blank line must be one JSON object; a summary line may only come last.
     *
     * @param source names the input in error messages
     * @throws IllegalArgumentException naming the line, for anything that is not this format
     */
    public static Parsed parse(Reader in, String source) throws IOException {
        Reader buffered = in instanceof BufferedReader ? in : new BufferedReader(in);
        List<SavedObject> objects = new ArrayList<>();
        JsonNode summary = null;
        int lineNumber = 0;
        for (String line; (line = readLine(buffered, source, lineNumber + 1)) != null; ) {
            lineNumber++;
            if (line.isBlank()) continue;
            String at = source + " line " + lineNumber;
            if (summary != null) throw new IllegalArgumentException(at + ": an object after the export summary line");
            JsonNode json;
            try {
                json = EventCodec.mapper().readTree(line);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(at + ": not one JSON object: " + e.getOriginalMessage(), e);
            }
            if (json == null || !json.isObject()) throw new IllegalArgumentException(at + ": not a JSON object");
            if (!json.has("type") && json.has("exportedCount")) {
                summary = json;
                continue;
            }
            if (objects.size() == MAX_OBJECTS) throw new IllegalArgumentException(at + ": more than " + MAX_OBJECTS + " objects");
            try {
                objects.add(SavedObject.fromJson(json));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
            }
        }
        return new Parsed(List.copyOf(objects), Optional.ofNullable(summary));
    }

    /** A line without its terminator, or null at the end; a line longer than the bound is an error, not a buffer. */
    private static String readLine(Reader in, String source, int lineNumber) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') return stripCarriageReturn(line);
            if (line.length() == MAX_LINE_CHARS) {
                throw new IllegalArgumentException(source + " line " + lineNumber + ": longer than " + MAX_LINE_CHARS + " characters");
            }
            line.append((char) c);
        }
        return line.isEmpty() ? null : stripCarriageReturn(line);
    }

    private static String stripCarriageReturn(StringBuilder line) {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') end--;
        return line.substring(0, end);
    }
}
