package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregation;
import co.elastic.clients.elasticsearch._types.aggregations.CompositeAggregate;
import co.elastic.clients.elasticsearch._types.aggregations.CompositeBucket;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Walks a composite aggregation page by page up to a limit: the way to group events by many fields
 * without fetching them, and to know whether the groups were cut short.
 */
final class CompositeScan {
    private static final int PAGE = 1000;
    private static final String NAME = "groups";

    record Result(List<CompositeBucket> buckets, boolean truncated) {
    }

    private CompositeScan() {
    }

    static Result scan(ElasticsearchClient client, String index, Query query, List<String> groupFields,
                       Map<String, Aggregation> perGroup, int limit) throws IOException {
        List<CompositeBucket> buckets = new ArrayList<>();
        Map<String, FieldValue> after = null;
        while (buckets.size() <= limit) {
            int pageSize = Math.min(PAGE, limit + 1 - buckets.size());
            Map<String, FieldValue> afterKey = after;
            Aggregation composite = Aggregation.of(a -> a.composite(c -> {
                c.sources(Aggs.compositeSources(groupFields)).size(pageSize);
                if (afterKey != null) c.after(afterKey);
                return c;
            }).aggregations(perGroup));
            Map<String, Aggregate> aggregations = Queries.aggregate(client, index, query, Map.of(NAME, composite));
            Aggregate aggregate = aggregations == null ? null : aggregations.get(NAME);
            if (aggregate == null) break;
            CompositeAggregate page = aggregate.composite();
            List<CompositeBucket> pageBuckets = page.buckets().array();
            buckets.addAll(pageBuckets);
            after = page.afterKey();
            if (pageBuckets.size() < pageSize || after == null || after.isEmpty()) break;
        }
        boolean truncated = buckets.size() > limit;
        return new Result(truncated ? List.copyOf(buckets.subList(0, limit)) : buckets, truncated);
    }
}
