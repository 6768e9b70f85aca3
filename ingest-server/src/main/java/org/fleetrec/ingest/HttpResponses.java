package org.fleetrec.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.fleetrec.model.EventCodec;

import java.nio.charset.StandardCharsets;

/** Builds responses; every error carries a JSON body that says what was wrong. */
final class HttpResponses {
    private HttpResponses() {
    }

    static FullHttpResponse json(HttpResponseStatus status, ObjectNode body) {
        return bytes(status, "application/json", body.toString().getBytes(StandardCharsets.UTF_8));
    }

    static FullHttpResponse error(HttpResponseStatus status, String message) {
        ObjectNode body = EventCodec.mapper().createObjectNode();
        body.putObject("error").put("status", status.code()).put("reason", message);
        return json(status, body);
    }

    static FullHttpResponse text(HttpResponseStatus status, String contentType, String body) {
        return bytes(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static FullHttpResponse bytes(HttpResponseStatus status, String contentType, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType + "; charset=utf-8");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        response.headers().set("X-Content-Type-Options", "nosniff");
        return response;
    }
}
