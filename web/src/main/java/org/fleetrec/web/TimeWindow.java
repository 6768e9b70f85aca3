package org.fleetrec.web;

import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.json.JsonData;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;

import java.util.Optional;

/**
 * The {@code from}/{@code to} bounds of a request on {@code @timestamp}: ISO times or Elasticsearch
 * date math ({@code now-7d}); Elasticsearch itself judges them and a bad one comes back as a 400.
 */
record TimeWindow(String from, String to) {
    private static final int MAX_LENGTH = 64;

    static TimeWindow of(Context ctx, String defaultFrom, String defaultTo) {
        return new TimeWindow(bound(ctx, "from", defaultFrom), bound(ctx, "to", defaultTo));
    }

    private static String bound(Context ctx, String name, String fallback) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) return fallback;
        if (value.length() > MAX_LENGTH) throw new BadRequestResponse(name + " is longer than " + MAX_LENGTH + " characters");
        return value.trim();
    }

    /** The range filter, or empty when the window is unbounded. */
    Optional<Query> filter() {
        if (from == null && to == null) return Optional.empty();
        return Optional.of(Query.of(q -> q.range(r -> r.untyped(u -> {
            u.field(Aggs.TIMESTAMP);
            if (from != null) u.gte(JsonData.of(from));
            if (to != null) u.lte(JsonData.of(to));
            return u;
        }))));
    }

    /** Only the lower bound: for what follows from an event in the window, such as a later child process. */
    TimeWindow openEnded() {
        return new TimeWindow(from, null);
    }
}
