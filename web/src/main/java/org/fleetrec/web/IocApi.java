package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.UnsupportedMediaTypeResponse;

import java.io.IOException;
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
        String mediaType = RequestBody.mediaType(ctx);
        boolean stix = mediaType.equals("application/json") || mediaType.equals("application/stix+json");
        if (!stix && !mediaType.equals("text/plain")) {
            throw new UnsupportedMediaTypeResponse("send a STIX 2.1 bundle as application/json or a list as text/plain");
        }
        byte[] body = RequestBody.bytes(ctx, MAX_BODY_BYTES, "split the indicators");
        IndicatorSet indicators = new IndicatorSet();
        if (stix) {
            StixBundle.read(RequestBody.json(body), indicators);
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
}
