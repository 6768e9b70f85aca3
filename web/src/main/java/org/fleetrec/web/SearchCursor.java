package org.fleetrec.web;

import co.elastic.clients.elasticsearch._types.FieldValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.BadRequestResponse;
import org.fleetrec.model.EventCodec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Where the next page of a search starts: the point in time it reads, the sort values of the last
 * hit, and the fingerprint of the query it belongs to. Sent as deflated JSON in unpadded base64url,
 * because point-in-time ids grow with the number of daily indices and must fit in a URL.
 */
record SearchCursor(String pitId, List<FieldValue> after, String fingerprint) {
    private static final int MAX_ENCODED = 64 * 1024;
    private static final int MAX_DECODED = 1024 * 1024;

    String encode() {
        ObjectNode json = EventCodec.mapper().createObjectNode().put("p", pitId).put("f", fingerprint);
        ArrayNode values = json.putArray("a");
        for (FieldValue value : after) {
            switch (value._kind()) {
                case Long -> values.add(value.longValue());
                case Double -> values.add(value.doubleValue());
                case Boolean -> values.add(value.booleanValue());
                case String -> values.add(value.stringValue());
                case Null -> values.addNull();
                default -> values.add(value._toJsonString());
            }
        }
        byte[] plain = json.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setInput(plain);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 2 + 16);
        byte[] buffer = new byte[4096];
        while (!deflater.finished()) out.write(buffer, 0, deflater.deflate(buffer));
        deflater.end();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
    }

    static SearchCursor decode(String text) {
        if (text.length() > MAX_ENCODED) throw malformed();
        try {
            byte[] compressed = Base64.getUrlDecoder().decode(text);
            Inflater inflater = new Inflater(true);
            inflater.setInput(compressed);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) break;
                out.write(buffer, 0, n);
                if (out.size() > MAX_DECODED) throw malformed();
            }
            boolean complete = inflater.finished();
            inflater.end();
            if (!complete) throw malformed();
            JsonNode json = EventCodec.mapper().readTree(out.toByteArray());
            if (!json.path("p").isTextual() || !json.path("f").isTextual() || !json.path("a").isArray()) throw malformed();
            List<FieldValue> after = new ArrayList<>();
            for (JsonNode value : json.path("a")) {
                if (value.isIntegralNumber() && value.canConvertToLong()) after.add(FieldValue.of(value.longValue()));
                else if (value.isNumber()) after.add(FieldValue.of(value.doubleValue()));
                else if (value.isBoolean()) after.add(FieldValue.of(value.booleanValue()));
                else if (value.isTextual()) after.add(FieldValue.of(value.textValue()));
                else if (value.isNull()) after.add(FieldValue.NULL);
                else throw malformed();
            }
            return new SearchCursor(json.path("p").textValue(), after, json.path("f").textValue());
        } catch (IllegalArgumentException | DataFormatException | IOException e) {
            throw malformed();
        }
    }

    private static BadRequestResponse malformed() {
        return new BadRequestResponse("search_after is not a cursor this server handed out; pass the 'next' value of the previous page unchanged");
    }
}
