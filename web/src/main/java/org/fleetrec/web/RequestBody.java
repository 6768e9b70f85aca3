package org.fleetrec.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;
import org.fleetrec.model.EventCodec;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/** A request body read within a size: refused before reading when its declared length is too much, and while read otherwise. */
final class RequestBody {
    private RequestBody() {
    }

    /** {@code advice} ends the 413's reason: what the caller can do instead. */
    static byte[] bytes(Context ctx, int maxBytes, String advice) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) throw tooLarge(maxBytes, advice);
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) throw tooLarge(maxBytes, advice);
            return body;
        }
    }

    /** The request's media type, lower case and without parameters ({@code charset=...}); "" when none is given. */
    static String mediaType(Context ctx) {
        String contentType = ctx.contentType();
        if (contentType == null) return "";
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    /** The body as JSON; a 400 saying why when it is not. */
    static JsonNode json(byte[] body) {
        try {
            JsonNode root = EventCodec.mapper().readTree(body);
            if (root == null) throw new BadRequestResponse("the body is empty");
            return root;
        } catch (JsonProcessingException e) {
            throw new BadRequestResponse("the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadRequestResponse("the body could not be read as JSON");
        }
    }

    private static ContentTooLargeResponse tooLarge(int maxBytes, String advice) {
        return new ContentTooLargeResponse("the body is larger than " + maxBytes / (1024 * 1024) + " MiB; " + advice);
    }
}
