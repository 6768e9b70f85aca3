package org.fleetrec.web;

import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.json.JsonData;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import org.fleetrec.model.TimeBound;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The {@code from}/{@code to} bounds of a request on {@code @timestamp}: ISO times or Elasticsearch
 * date math ({@code now-7d}); Elasticsearch itself judges them and a bad one comes back as a 400.
 * Where the window must be cut into buckets, {@link #resolve} turns it into instants.
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

    /**
     * For what lasts from {@code startField} to {@code endField} (an alert, first to last seen): whatever
     * overlaps the window, so something that began before it and went on into it counts. Empty when unbounded.
     */
    Optional<Query> overlapping(String startField, String endField) {
        if (from == null && to == null) return Optional.empty();
        List<Query> bounds = new java.util.ArrayList<>();
        if (from != null) bounds.add(Query.of(q -> q.range(r -> r.untyped(u -> u.field(endField).gte(JsonData.of(from))))));
        if (to != null) bounds.add(Query.of(q -> q.range(r -> r.untyped(u -> u.field(startField).lte(JsonData.of(to))))));
        return Optional.of(Query.of(q -> q.bool(b -> b.filter(bounds))));
    }

    /** Only the lower bound: for what follows from an event in the window, such as a later child process. */
    TimeWindow openEnded() {
        return new TimeWindow(from, null);
    }

    /**
     * This window as instants, so a timeline can be cut into buckets that fit a page: about
     * {@value Resolved#MAX_BUCKETS} at most. Understands ISO-8601 times, dates (UTC midnight),
     * {@code now} and {@code now-<n><s|m|h|d|w>}; an open start is {@code defaultSpan} before the end.
     */
    Resolved resolve(Duration defaultSpan) {
        Instant now = Instant.now();
        Instant end = to == null ? now : instant(to, now, "to");
        Instant start = from == null ? end.minus(defaultSpan) : instant(from, now, "from");
        if (!start.isBefore(end)) throw new BadRequestResponse("from must be before to");
        return new Resolved(start, end);
    }

    record Resolved(Instant from, Instant to) {
        static final int MAX_BUCKETS = 120;
        private static final List<String> INTERVALS = List.of("1m", "5m", "10m", "30m", "1h", "3h", "6h", "12h", "1d", "7d", "30d");

        /** The shortest of the usual intervals that cuts the window into at most {@value #MAX_BUCKETS} buckets. */
        String interval() {
            Duration span = Duration.between(from, to);
            for (String interval : INTERVALS) {
                if (span.dividedBy(TimeBound.duration(interval)) <= MAX_BUCKETS) return interval;
            }
            return INTERVALS.get(INTERVALS.size() - 1);
        }
    }

    private static Instant instant(String text, Instant now, String name) {
        try {
            return TimeBound.parse(text, now);
        } catch (IllegalArgumentException e) {
            throw new BadRequestResponse(name + " " + e.getMessage());
        }
    }
}
