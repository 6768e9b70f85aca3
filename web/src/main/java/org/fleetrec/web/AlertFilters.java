package org.fleetrec.web;

import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import org.fleetrec.detection.alert.Alert;
import org.fleetrec.detection.alert.AlertDocument;
import org.fleetrec.detection.alert.Level;
import org.fleetrec.model.Ecs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code GET /api/v1/alerts} narrows the list to: levels (given ones, or a minimum), a host
 * ({@code host.name} or {@code host.id}), a rule ({@code rule.id} or {@code rule.name}), statuses, and
 * the time the alert was active in. Each filter is kept apart by its facet, so a facet can be counted
 * under every filter but its own: picking "high" still shows how many "low" there would be.
 *
 * @param levels   the levels wanted, or null for any (empty when a minimum excludes every given level: nothing matches)
 * @param statuses the statuses wanted; any when empty
 * @param host     a host name or id, or null
 * @param rule     a rule id or name, or null
 * @param window   from/to on the span from first to last seen
 */
record AlertFilters(Set<Level> levels, Set<Alert.Status> statuses, String host, String rule, TimeWindow window) {
    static final String LEVEL = "level";
    static final String STATUS = "status";
    static final String HOST = "host";
    static final String RULE = "rule";
    /** The facets, in the order the page shows them. */
    static final List<String> FACETS = List.of(LEVEL, STATUS, RULE, HOST);
    static final String LEVEL_FIELD = "rule.level";
    static final String RULE_ID_FIELD = "rule.id";
    static final String RULE_NAME_FIELD = "rule.name";
    private static final int MAX_LENGTH = 256;

    AlertFilters {
        levels = levels == null ? null : Set.copyOf(levels);
        statuses = Set.copyOf(statuses);
    }

    static AlertFilters from(Context ctx) {
        Set<Level> levels = EnumSet.noneOf(Level.class);
        for (String value : values(ctx, "level")) levels.add(level(value, "level"));
        String minimum = text(ctx, "min_level");
        if (minimum != null) {
            Level min = level(minimum, "min_level");
            // With levels given too, the given ones that reach the minimum.
            if (levels.isEmpty()) levels = EnumSet.allOf(Level.class);
            levels.removeIf(l -> !l.atLeast(min));
        }
        boolean anyLevel = levels.isEmpty() && minimum == null;
        return new AlertFilters(anyLevel ? null : levels, statuses(ctx), text(ctx, "host"), text(ctx, "rule"),
                TimeWindow.of(ctx, null, null));
    }

    /** The filter of each facet that has one, by {@link #FACETS} name. */
    Map<String, Query> byFacet() {
        Map<String, Query> filters = new LinkedHashMap<>();
        if (levels != null) filters.put(LEVEL, Queries.terms(LEVEL_FIELD, levels.stream().map(Level::id).toList()));
        if (!statuses.isEmpty()) {
            filters.put(STATUS, Queries.terms(AlertDocument.STATUS, statuses.stream().map(Alert.Status::id).toList()));
        }
        if (rule != null) filters.put(RULE, Queries.anyOf(List.of(Queries.term(RULE_ID_FIELD, rule), Queries.term(RULE_NAME_FIELD, rule))));
        if (host != null) filters.put(HOST, Queries.anyOf(List.of(Queries.term(Ecs.HOST_ID, host), Queries.term(Ecs.HOST_NAME, host))));
        return filters;
    }

    /** The time part, which every facet shares. */
    List<Query> shared() {
        List<Query> shared = new ArrayList<>();
        window.overlapping(Ecs.TIMESTAMP, AlertDocument.LAST_SEEN).ifPresent(shared::add);
        return shared;
    }

    private static Level level(String value, String name) {
        try {
            return Level.parse(value);
        } catch (IllegalArgumentException e) {
            throw new BadRequestResponse(name + " must be informational, low, medium, high or critical, not '" + shortened(value) + "'");
        }
    }

    private static Set<Alert.Status> statuses(Context ctx) {
        Set<Alert.Status> statuses = EnumSet.noneOf(Alert.Status.class);
        for (String value : values(ctx, "status")) {
            try {
                statuses.add(Alert.Status.parse(value));
            } catch (IllegalArgumentException e) {
                throw new BadRequestResponse("status must be open, acknowledged or closed, not '" + shortened(value) + "'");
            }
        }
        return statuses;
    }

    /** Every value of a parameter given repeatedly, comma lists split: {@code level=high,critical&level=low}. */
    private static List<String> values(Context ctx, String name) {
        List<String> values = new ArrayList<>();
        int length = 0;
        for (String given : ctx.queryParams(name)) {
            length += given.length();
            if (length > MAX_LENGTH) throw new BadRequestResponse(name + " is longer than " + MAX_LENGTH + " characters");
            Arrays.stream(given.split(",")).map(String::strip).filter(v -> !v.isEmpty()).forEach(values::add);
        }
        return values;
    }

    private static String text(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) return null;
        if (value.length() > MAX_LENGTH) throw new BadRequestResponse(name + " is longer than " + MAX_LENGTH + " characters");
        return value.strip();
    }

    /** An echo of bad input in an error message, cut short: the message is for reading, not for replaying the input. */
    private static String shortened(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "…";
    }
}
