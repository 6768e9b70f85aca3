package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregation;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import io.javalin.http.BadRequestResponse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Query building blocks and the aggregation-only search every investigation endpoint runs. */
final class Queries {
    private Queries() {
    }

    static Query term(String field, String value) {
        return Query.of(q -> q.term(t -> t.field(field).value(FieldValue.of(value))));
    }

    static Query term(String field, long value) {
        return Query.of(q -> q.term(t -> t.field(field).value(FieldValue.of(value))));
    }

    static Query terms(String field, Collection<String> values) {
        List<FieldValue> fieldValues = values.stream().map(FieldValue::of).toList();
        return Query.of(q -> q.terms(t -> t.field(field).terms(v -> v.value(fieldValues))));
    }

    static Query anyOf(List<Query> queries) {
        return Query.of(q -> q.bool(b -> b.should(queries).minimumShouldMatch("1")));
    }

    /** {@code must} and every present filter of the window, as one query. */
    static Query within(Query must, TimeWindow window) {
        List<Query> filters = new ArrayList<>();
        window.filter().ifPresent(filters::add);
        return Query.of(q -> q.bool(b -> b.must(must).filter(filters)));
    }

    /** Runs a size-0 search and returns its aggregations (empty when no index matched). */
    static Map<String, Aggregate> aggregate(ElasticsearchClient client, String index, Query query,
                                            Map<String, Aggregation> aggregations) throws IOException {
        try {
            var response = client.search(s -> s.index(index).size(0).ignoreUnavailable(true).allowNoIndices(true)
                    .trackTotalHits(t -> t.enabled(false)).query(query).aggregations(aggregations), Void.class);
            return response.aggregations();
        } catch (ElasticsearchException e) {
            throw userError(e);
        }
    }

    /**
     * Elasticsearch refuses what the user typed (a date it cannot parse, say) with a 400: that is the
     * user's 400 too, with the reason. Anything else is ours and goes on as it is.
     */
    static RuntimeException userError(ElasticsearchException e) {
        if (e.status() == 400) {
            String reason = e.error() == null ? e.getMessage() : e.error().reason();
            if (e.error() != null && e.error().rootCause() != null && !e.error().rootCause().isEmpty()) {
                reason = e.error().rootCause().get(0).reason();
            }
            return new BadRequestResponse("the query was not understood: " + reason);
        }
        return e;
    }

    /** Splits values into chunks of at most {@code size}, for terms queries that stay small. */
    static <T> List<List<T>> chunks(List<T> values, int size) {
        List<List<T>> chunks = new ArrayList<>();
        for (int i = 0; i < values.size(); i += size) chunks.add(values.subList(i, Math.min(values.size(), i + size)));
        return chunks;
    }
}
