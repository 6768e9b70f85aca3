package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.mapping.FieldType;
import co.elastic.clients.elasticsearch._types.query_dsl.Operator;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.json.JsonData;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /api/v1/search?q=&from=&to=&dataset=&host=&size=}: Lucene query syntax over the
 * ECS fields of every event index, newest first, answered as {@code {"total": N, "hits": [...]}}.
 */
final class SearchApi {
    static final int DEFAULT_SIZE = 100;
    static final int MAX_SIZE = 10_000;

    private final ElasticsearchClient client;

    SearchApi(ElasticsearchClient client) {
        this.client = client;
    }

    void search(Context ctx) throws IOException {
        String q = ctx.queryParam("q");
        String from = ctx.queryParam("from");
        String to = ctx.queryParam("to");
        int size = size(ctx.queryParam("size"));
        List<String> indices = indices(ctx.queryParam("dataset"));
        String host = ctx.queryParam("host");

        List<Query> filters = new ArrayList<>();
        if (from != null || to != null) {
            filters.add(Query.of(f -> f.range(r -> r.untyped(u -> {
                u.field("@timestamp");
                if (from != null) u.gte(JsonData.of(from));
                if (to != null) u.lte(JsonData.of(to));
                return u;
            }))));
        }
        if (host != null && !host.isBlank()) {
            filters.add(Query.of(f -> f.bool(b -> b.minimumShouldMatch("1")
                    .should(s -> s.term(t -> t.field("host.name").value(FieldValue.of(host))))
                    .should(s -> s.term(t -> t.field("host.id").value(FieldValue.of(host)))))));
        }
        Query main = q == null || q.isBlank()
                ? Query.of(m -> m.matchAll(a -> a))
                : Query.of(m -> m.queryString(s -> s.query(q).lenient(true).defaultOperator(Operator.And)));

        SearchResponse<ObjectNode> response;
        try {
            response = client.search(s -> s.index(indices).size(size)
                    .ignoreUnavailable(true).allowNoIndices(true)
                    .trackTotalHits(t -> t.enabled(true))
                    .query(query -> query.bool(b -> b.must(main).filter(filters)))
                    .sort(o -> o.field(f -> f.field("@timestamp").order(SortOrder.Desc).unmappedType(FieldType.Date))),
                    ObjectNode.class);
        } catch (ElasticsearchException e) {
            if (e.status() == 400) {
                throw new BadRequestResponse("the query was not understood: " + e.error().reason());
            }
            throw e;
        }
        ObjectNode body = EventCodec.mapper().createObjectNode();
        body.put("total", response.hits().total() == null ? response.hits().hits().size() : response.hits().total().value());
        body.put("took", response.took());
        ArrayNode hits = body.putArray("hits");
        response.hits().hits().forEach(hit -> hits.add(hit.source()));
        ctx.json(body);
    }

    private static int size(String value) {
        if (value == null || value.isBlank()) return DEFAULT_SIZE;
        try {
            int size = Integer.parseInt(value);
            if (size < 0 || size > MAX_SIZE) throw new BadRequestResponse("size must be between 0 and " + MAX_SIZE);
            return size;
        } catch (NumberFormatException e) {
            throw new BadRequestResponse("size must be a number");
        }
    }

    private static List<String> indices(String datasets) {
        if (datasets == null || datasets.isBlank()) return List.of(IndexNames.ALL_EVENTS);
        List<String> indices = new ArrayList<>();
        for (String id : datasets.split(",")) {
            Dataset dataset = Dataset.fromId(id.trim())
                    .orElseThrow(() -> new BadRequestResponse("unknown dataset; known: " + knownDatasets()));
            indices.add(IndexNames.EVENTS_PREFIX + dataset.id() + "-*");
        }
        return indices;
    }

    private static String knownDatasets() {
        return String.join(", ", java.util.Arrays.stream(Dataset.values()).map(Dataset::id).toList());
    }
}
