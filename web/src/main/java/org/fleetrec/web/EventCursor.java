package org.fleetrec.web;

import co.elastic.clients.elasticsearch._types.FieldValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.javalin.http.BadRequestResponse;
import org.fleetrec.model.EventCodec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The {@code search_after} position of a page of events, handed to clients as one opaque
 * URL-safe string so they never depend on which fields the events are sorted by.
 */
final class EventCursor {
    private static final int MAX_LENGTH = 2048;

    private EventCursor() {
    }

    static String encode(List<FieldValue> sortValues) {
        ArrayNode array = EventCodec.mapper().createArrayNode();
        for (FieldValue value : sortValues) {
            if (value.isLong()) array.add(value.longValue());
            else if (value.isDouble()) array.add(value.doubleValue());
            else if (value.isBoolean()) array.add(value.booleanValue());
            else if (value.isString()) array.add(value.stringValue());
            else array.addNull();
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(array.toString().getBytes(StandardCharsets.UTF_8));
    }

    static List<FieldValue> decode(String cursor, int expectedValues) {
        if (cursor.length() > MAX_LENGTH) throw invalid();
        JsonNode array;
        try {
            array = EventCodec.mapper().readTree(Base64.getUrlDecoder().decode(cursor));
        } catch (IllegalArgumentException | IOException e) {
            throw invalid();
        }
        if (array == null || !array.isArray() || array.size() != expectedValues) throw invalid();
        List<FieldValue> values = new ArrayList<>();
        for (JsonNode value : array) {
            if (value.isIntegralNumber() && value.canConvertToLong()) values.add(FieldValue.of(value.asLong()));
            else if (value.isNumber()) values.add(FieldValue.of(value.asDouble()));
            else if (value.isBoolean()) values.add(FieldValue.of(value.asBoolean()));
            else if (value.isTextual()) values.add(FieldValue.of(value.asText()));
            else if (value.isNull()) values.add(FieldValue.NULL);
            else throw invalid();
        }
        return values;
    }

    private static BadRequestResponse invalid() {
        return new BadRequestResponse("search_after is not a cursor this API returned");
    }
}
