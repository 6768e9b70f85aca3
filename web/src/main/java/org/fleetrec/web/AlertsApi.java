package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch._types.SortOptions;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregation;
import co.elastic.clients.elasticsearch._types.mapping.FieldType;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.Handler;
import io.javalin.http.NotFoundResponse;
import org.fleetrec.detection.alert.Alert;
import org.fleetrec.detection.alert.AlertDocument;
import org.fleetrec.detection.alert.Level;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The alerts of {@code fleet-alerts-*}, for the investigator:
 * <ul>
 * <li>{@code GET /api/v1/alerts?level=&min_level=&status=&host=&rule=&from=&to=&size=&search_after=}: newest
 *     {@code last_seen} first, {@code {"total", "alerts": [...], "next", "facets": {"level", "status", "rule", "host"}}};</li>
 * <li>{@code GET /api/v1/alerts/{id}}: one alert by {@code fleet.alert.id};</li>
 * <li>{@code POST /api/v1/alerts/{id}/status} with {@code {"status": "acknowledged", "note": "..."}} (admins);</li>
 * <li>{@code GET /alerts}: the page.</li>
 * </ul>
 * Alerts keep growing while their rule matches (count, last seen), so a page is read with a plain
 * {@code search_after} on (last seen, id) rather than a point in time: an alert that grew since moves
 * to the top, where a reload shows it.
 */
final class AlertsApi {
    static final int DEFAULT_SIZE = 50;
    static final int MAX_SIZE = 1000;
    /** Rules and hosts a facet names at most, the most frequent first; levels and statuses are few. */
    static final int FACET_SIZE = 50;
    private static final int MAX_ID_LENGTH = 256;
    private static final List<String> AUDITED = List.of("level", "min_level", "status", "host", "rule", "from", "to", "size", "search_after");
    private static final List<SortOptions> ORDER = List.of(
            SortOptions.of(o -> o.field(f -> f.field(AlertDocument.LAST_SEEN).order(SortOrder.Desc).unmappedType(FieldType.Date))),
            SortOptions.of(o -> o.field(f -> f.field(AlertDocument.ALERT_ID).order(SortOrder.Desc).unmappedType(FieldType.Keyword))));

    private final ElasticsearchClient client;
    private final AuditTrail audit;

    AlertsApi(ElasticsearchClient client, AuditTrail audit) {
        this.client = client;
        this.audit = audit;
    }

    void routes(Javalin app, Function<String, Handler> page) {
        app.get("/api/v1/alerts", this::list);
        app.get("/api/v1/alerts/{id}", this::one);
        app.post("/api/v1/alerts/{id}/status", this::changeStatus);
        app.get("/alerts", page.apply("alerts.html"));
    }

    private void list(Context ctx) throws Exception {
        audit.run(ctx, "alerts", AuditTrail.queryParameters(ctx, AUDITED), () -> {
            AlertFilters filters = AlertFilters.from(ctx);
            int size = WholeNumber.parse("size", ctx.queryParam("size"), DEFAULT_SIZE, 0, MAX_SIZE);
            String cursor = EventQuery.blankToNull(ctx.queryParam("search_after"));
            List<FieldValue> after = cursor == null ? null : EventCursor.decode(cursor, ORDER.size());
            Map<String, Query> byFacet = filters.byFacet();
            Map<String, Aggregation> facets = new LinkedHashMap<>();
            for (String facet : AlertFilters.FACETS) facets.put(facet, facet(facet, byFacet));
            SearchResponse<ObjectNode> response;
            try {
                // The time window narrows everything; the other filters narrow the hits (post filter) and each
                // facet but its own, so the counts say what picking another value would give.
                response = client.search(s -> {
                    s.index(IndexNames.ALL_ALERTS).ignoreUnavailable(true).allowNoIndices(true)
                            .size(size + 1).sort(ORDER).trackTotalHits(t -> t.enabled(true))
                            .query(q -> q.bool(b -> b.filter(filters.shared())))
                            .postFilter(q -> q.bool(b -> b.filter(List.copyOf(byFacet.values()))))
                            .aggregations(facets);
                    if (after != null) s.searchAfter(after);
                    return s;
                }, ObjectNode.class);
            } catch (ElasticsearchException e) {
                throw Queries.userError(e);
            }
            List<Hit<ObjectNode>> found = response.hits().hits();
            List<Hit<ObjectNode>> shown = found.subList(0, Math.min(size, found.size()));
            long total = response.hits().total() == null ? shown.size() : response.hits().total().value();
            ObjectNode body = EventCodec.mapper().createObjectNode().put("total", total);
            ArrayNode alerts = body.putArray("alerts");
            shown.forEach(hit -> alerts.add(SearchApi.withLocation(hit)));
            if (found.size() > size && !shown.isEmpty()) body.put("next", EventCursor.encode(shown.get(shown.size() - 1).sort()));
            else body.putNull("next");
            body.set("facets", facets(response.aggregations()));
            ctx.json(body);
            return total;
        });
    }

    private void one(Context ctx) throws IOException {
        String id = id(ctx);
        ctx.json(find(id).map(SearchApi::withLocation).orElseThrow(() -> unknown(id)));
    }

    private void changeStatus(Context ctx) throws Exception {
        String id = id(ctx);
        // Filled in as the request is read: the record is written after the work, whatever it was.
        Map<String, String> given = new LinkedHashMap<>();
        given.put("id", id);
        audit.run(ctx, "alert.status", given, () -> {
            AccountsApi.requireAdmin(ctx);
            Principal principal = WebApp.principal(ctx);
            JsonNode body = body(ctx);
            Alert.Status status = status(body);
            String note = note(body);
            given.put("status", status.id());
            if (note != null) given.put("note", note);
            Hit<ObjectNode> hit = find(id).orElseThrow(() -> unknown(id));
            ObjectNode change = AlertDocument.statusChange(status, principal.name(), Instant.now(), note);
            // Only the status fields: a repeat of the alert written meanwhile (count, last seen) stays, and the
            // repeats written later name no status, so this one stays too. A repeat landing at the same moment
            // is a version conflict, retried here on the then current document.
            var updated = client.update(u -> u.index(hit.index()).id(hit.id()).doc(change).retryOnConflict(3)
                    .refresh(Refresh.WaitFor).source(src -> src.fetch(true)), ObjectNode.class);
            ObjectNode alert = updated.get() == null || updated.get().source() == null
                    ? find(id).orElseThrow(() -> unknown(id)).source() : updated.get().source();
            alert.put("_index", hit.index());
            alert.put("_id", hit.id());
            ctx.json(alert);
            return 1;
        });
    }

    /** The alert named {@code id}: alerts live in daily indices by their window, so it is looked up by its field. */
    private Optional<Hit<ObjectNode>> find(String id) throws IOException {
        SearchResponse<ObjectNode> response = client.search(s -> s.index(IndexNames.ALL_ALERTS).ignoreUnavailable(true)
                .allowNoIndices(true).size(1).query(Queries.term(AlertDocument.ALERT_ID, id)), ObjectNode.class);
        return response.hits().hits().stream().findFirst();
    }

    private static Aggregation facet(String facet, Map<String, Query> byFacet) {
        List<Query> others = new ArrayList<>();
        byFacet.forEach((name, filter) -> {
            if (!name.equals(facet)) others.add(filter);
        });
        Aggregation terms = switch (facet) {
            case AlertFilters.LEVEL -> Aggregation.of(a -> a.terms(t -> t.field(AlertFilters.LEVEL_FIELD).size(Level.values().length)));
            case AlertFilters.STATUS -> Aggregation.of(a -> a.terms(t -> t.field(AlertDocument.STATUS).size(Alert.Status.values().length)));
            case AlertFilters.RULE -> named(AlertFilters.RULE_ID_FIELD, AlertFilters.RULE_NAME_FIELD);
            case AlertFilters.HOST -> named(org.fleetrec.model.Ecs.HOST_ID, org.fleetrec.model.Ecs.HOST_NAME);
            default -> throw new IllegalArgumentException(facet);
        };
        return Aggregation.of(a -> a.filter(f -> f.bool(b -> b.filter(others))).aggregations("values", terms));
    }

    /** Top values of an id field, each with the name it goes by. */
    private static Aggregation named(String idField, String nameField) {
        return Aggregation.of(a -> a.terms(t -> t.field(idField).size(FACET_SIZE))
                .aggregations("name", n -> n.terms(t -> t.field(nameField).size(1))));
    }

    private static ObjectNode facets(Map<String, Aggregate> aggregations) {
        ObjectNode facets = EventCodec.mapper().createObjectNode();
        for (String facet : AlertFilters.FACETS) {
            ArrayNode values = facets.putArray(facet);
            Aggregate aggregate = aggregations == null ? null : aggregations.get(facet);
            if (aggregate == null || !aggregate.isFilter()) continue;
            for (Aggs.Bucket bucket : Aggs.terms(aggregate.filter().aggregations(), "values")) {
                ObjectNode value = values.addObject().put("value", bucket.key()).put("count", bucket.count());
                String name = Aggs.firstKey(bucket.aggregations(), "name");
                if (name != null) value.put("name", name);
            }
        }
        return facets;
    }

    private static String id(Context ctx) {
        String id = ctx.pathParam("id");
        if (id.isBlank() || id.length() > MAX_ID_LENGTH || id.chars().anyMatch(Character::isISOControl)) {
            throw new BadRequestResponse("not an alert id (fleet.alert.id)");
        }
        return id;
    }

    private static NotFoundResponse unknown(String id) {
        return new NotFoundResponse("no alert " + id);
    }

    private static JsonNode body(Context ctx) {
        try {
            JsonNode body = EventCodec.mapper().readTree(ctx.bodyAsBytes());
            if (body != null && body.isObject()) return body;
        } catch (IOException e) {
            // answered below
        }
        throw new BadRequestResponse("the body must be a JSON object such as {\"status\": \"acknowledged\", \"note\": \"...\"}");
    }

    private static Alert.Status status(JsonNode body) {
        JsonNode status = body.path("status");
        if (status.isTextual()) {
            try {
                return Alert.Status.parse(status.textValue());
            } catch (IllegalArgumentException e) {
                // answered below
            }
        }
        throw new BadRequestResponse("status must be open, acknowledged or closed");
    }

    private static String note(JsonNode body) {
        JsonNode note = body.path("note");
        if (note.isMissingNode() || note.isNull()) return null;
        if (!note.isTextual()) throw new BadRequestResponse("note must be a string");
        if (note.textValue().length() > AlertDocument.MAX_NOTE) {
            throw new BadRequestResponse("note has at most " + AlertDocument.MAX_NOTE + " characters");
        }
        return note.textValue().isBlank() ? null : note.textValue().strip();
    }
}
