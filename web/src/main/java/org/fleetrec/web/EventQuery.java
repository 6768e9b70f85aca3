package org.fleetrec.web;

import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.query_dsl.Operator;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.json.JsonData;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.IndexNames;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The event filter shared by search and export: {@code q} (Lucene syntax), {@code from}/{@code to}
 * (dates or date math on {@code @timestamp}), {@code dataset} (comma-separated) and {@code host}
 * (name or id), turned into the indices to read and one query.
 */
record EventQuery(String q, String from, String to, String dataset, String host) {
    static final List<String> PARAMETERS = List.of("q", "from", "to", "dataset", "host");

    static EventQuery from(Context ctx) {
        return from(ctx::queryParam);
    }

    static EventQuery from(Function<String, String> parameter) {
        return new EventQuery(blankToNull(parameter.apply("q")), blankToNull(parameter.apply("from")),
                blankToNull(parameter.apply("to")), blankToNull(parameter.apply("dataset")), blankToNull(parameter.apply("host")));
    }

    List<String> indices() {
        if (dataset == null) return List.of(IndexNames.ALL_EVENTS);
        List<String> indices = new ArrayList<>();
        for (String id : dataset.split(",")) {
            Dataset known = Dataset.fromId(id.trim())
                    .orElseThrow(() -> new BadRequestResponse("unknown dataset; known: " + knownDatasets()));
            indices.add(IndexNames.EVENTS_PREFIX + known.id() + "-*");
        }
        return indices;
    }

    Query query() {
        List<Query> filters = new ArrayList<>();
        timeRange().ifPresent(filters::add);
        if (host != null) {
            filters.add(Query.of(f -> f.bool(b -> b.minimumShouldMatch("1")
                    .should(s -> s.term(t -> t.field("host.name").value(FieldValue.of(host))))
                    .should(s -> s.term(t -> t.field("host.id").value(FieldValue.of(host)))))));
        }
        Query main = q == null
                ? Query.of(m -> m.matchAll(a -> a))
                : Query.of(m -> m.queryString(s -> s.query(q).lenient(true).defaultOperator(Operator.And)));
        return Query.of(query -> query.bool(b -> b.must(main).filter(filters)));
    }

    /** Also given to a point in time as its index filter, so it skips daily indices outside the range. */
    Optional<Query> timeRange() {
        if (from == null && to == null) return Optional.empty();
        return Optional.of(Query.of(f -> f.range(r -> r.untyped(u -> {
            u.field("@timestamp");
            if (from != null) u.gte(JsonData.of(from));
            if (to != null) u.lte(JsonData.of(to));
            return u;
        }))));
    }

    /** What a search cursor remembers, so it cannot be replayed against another query. */
    String fingerprint(EventSort sort) {
        String canonical = String.join("\u0000", String.valueOf(q), String.valueOf(from), String.valueOf(to),
                String.valueOf(dataset), String.valueOf(host), sort.toString());
        return Credentials.sha256(canonical).substring(0, 16);
    }

    /** For the audit trail: the parameters that were given, as given. */
    Map<String, String> parameters() {
        Map<String, String> given = new LinkedHashMap<>();
        if (q != null) given.put("q", q);
        if (from != null) given.put("from", from);
        if (to != null) given.put("to", to);
        if (dataset != null) given.put("dataset", dataset);
        if (host != null) given.put("host", host);
        return given;
    }

    static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static String knownDatasets() {
        return String.join(", ", Arrays.stream(Dataset.values()).map(Dataset::id).toList());
    }
}
