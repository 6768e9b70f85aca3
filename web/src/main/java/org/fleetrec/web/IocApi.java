package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.UnsupportedMediaTypeResponse;
import org.fleetrec.model.EventCodec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code POST /api/v1/ioc/sweep?from=&to=}: a STIX 2.1 bundle ({@code application/json}) or a plain
 * list ({@code text/plain}, one indicator a line) swept across every event of the fleet, answered
 * as the matches by host with the processes involved. The page is {@code /ioc}.
 */
final class IocApi {
    static final int MAX_BODY_BYTES = 5 * 1024 * 1024;

    private final ElasticsearchClient client;

    IocApi(ElasticsearchClient client) {
        this.client = client;
    }

    void routes(Javalin app, Function<String, Handler> page) {
        app.post("/api/v1/ioc/sweep", this::sweep);
        app.get("/ioc", page.apply("ioc.html"));
    }

    void sweep(Context ctx) throws IOException {
        TimeWindow window = TimeWindow.of(ctx, null, null);
        String mediaType = mediaType(ctx.contentType());
        boolean stix = mediaType.equals("application/json") || mediaType.equals("application/stix+json");
        if (!stix && !mediaType.equals("text/plain")) {
            throw new UnsupportedMediaTypeResponse("send a STIX 2.1 bundle as application/json or a list as text/plain");
        }
        byte[] body = body(ctx);
        IndicatorSet indicators = new IndicatorSet();
        if (stix) {
            StixBundle.read(json(body), indicators);
        } else {
            IndicatorList.read(new String(body, StandardCharsets.UTF_8), indicators);
        }
        var hosts = new IocSweep(client).sweep(indicators.indicators(), window);
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("indicators", indicators.indicators().size());
        response.put("unsupported", indicators.unsupported());
        response.put("unsupported_count", indicators.unsupportedCount());
        response.put("hosts", hosts);
        ctx.json(response);
    }

    /** The body, refused before it is read when its declared length is too much, and while read otherwise. */
    private static byte[] body(Context ctx) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > MAX_BODY_BYTES) throw tooLarge();
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) throw tooLarge();
            return body;
        }
    }

    private static ContentTooLargeResponse tooLarge() {
        return new ContentTooLargeResponse("the body is larger than " + MAX_BODY_BYTES / (1024 * 1024) + " MiB; split the indicators");
    }

    private static JsonNode json(byte[] body) {
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

    private static String mediaType(String contentType) {
        if (contentType == null) return "";
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }
}
