package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOptions;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.mapping.FieldType;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code GET /api/v1/audit?size=&search_after=&principal=&action=}, for admins only (403 otherwise):
 * the audit trail newest first, {@code {"total": N, "hits": [{"@timestamp", "principal": {"name",
 * "role"}, "action", "outcome", "parameters": {...}, "remote_address", "result_count"}], "next": "cursor"}}.
 * Records never change, so plain {@code search_after} on (time, id) pages them without a point in time.
 */
final class AuditApi {
    static final int DEFAULT_SIZE = 100;
    static final int MAX_SIZE = 1_000;

    private final ElasticsearchClient client;
    private final AuditTrail audit;

    AuditApi(ElasticsearchClient client, AuditTrail audit) {
        this.client = client;
        this.audit = audit;
    }

    void routes(io.javalin.Javalin app) {
        app.get("/api/v1/audit", this::list);
    }

    void list(Context ctx) throws Exception {
        Principal principal = WebApp.principal(ctx);
        if (principal == null || !Principal.ADMIN.equals(principal.role())) {
            audit.record(ctx, "audit", AuditTrail.queryParameters(ctx, List.of("principal", "action")), -1, AuditTrail.FAILURE);
            throw new ForbiddenResponse("the audit trail is for admins");
        }
        audit.run(ctx, "audit", AuditTrail.queryParameters(ctx, List.of("size", "principal", "action", "search_after")), () -> {
            int size = WholeNumber.parse("size", ctx.queryParam("size"), DEFAULT_SIZE, 1, MAX_SIZE);
            List<FieldValue> after = after(EventQuery.blankToNull(ctx.queryParam("search_after")));
            List<Query> filters = new ArrayList<>();
            String name = EventQuery.blankToNull(ctx.queryParam("principal"));
            if (name != null) filters.add(Query.of(q -> q.term(t -> t.field("principal.name").value(FieldValue.of(name)))));
            String action = EventQuery.blankToNull(ctx.queryParam("action"));
            if (action != null) filters.add(Query.of(q -> q.term(t -> t.field("action").value(FieldValue.of(action)))));
            SearchResponse<ObjectNode> response = client.search(s -> {
                s.index(IndexNames.AUDIT).size(size + 1).ignoreUnavailable(true).allowNoIndices(true)
                        .trackTotalHits(t -> t.enabled(true))
                        .query(q -> q.bool(b -> b.filter(filters)))
                        .sort(SortOptions.of(o -> o.field(f -> f.field("@timestamp").order(SortOrder.Desc).unmappedType(FieldType.Date))),
                                SortOptions.of(o -> o.field(f -> f.field("id").order(SortOrder.Desc).unmappedType(FieldType.Keyword))));
                if (after != null) s.searchAfter(after);
                return s;
            }, ObjectNode.class);
            List<Hit<ObjectNode>> found = response.hits().hits();
            List<Hit<ObjectNode>> shown = found.subList(0, Math.min(size, found.size()));
            long total = response.hits().total() == null ? shown.size() : response.hits().total().value();
            ObjectNode body = EventCodec.mapper().createObjectNode().put("total", total);
            ArrayNode hits = body.putArray("hits");
            shown.forEach(hit -> hits.add(hit.source()));
            if (found.size() > size && !shown.isEmpty()) body.put("next", cursor(shown.get(shown.size() - 1).sort()));
            ctx.json(body);
            return shown.size();
        });
    }

    private static String cursor(List<FieldValue> sort) {
        ArrayNode values = EventCodec.mapper().createArrayNode().add(sort.get(0).longValue()).add(sort.get(1).stringValue());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(values.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static List<FieldValue> after(String cursor) {
        if (cursor == null) return null;
        try {
            JsonNode values = EventCodec.mapper().readTree(Base64.getUrlDecoder().decode(cursor));
            if (values.size() != 2 || !values.get(0).canConvertToLong() || !values.get(1).isTextual()) throw new IllegalArgumentException();
            return List.of(FieldValue.of(values.get(0).longValue()), FieldValue.of(values.get(1).textValue()));
        } catch (IllegalArgumentException | IOException e) {
            throw new BadRequestResponse("search_after is not a cursor this server handed out");
        }
    }
}
