package org.fleetrec.web;

import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregation;
import co.elastic.clients.elasticsearch._types.aggregations.CompositeAggregationSource;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.JsonData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.fleetrec.model.EventCodec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Building and reading the few aggregation shapes the investigation endpoints share. */
final class Aggs {
    static final String TIMESTAMP = "@timestamp";

    private Aggs() {
    }

    /** One bucket of a terms aggregation, whatever the field's type. */
    record Bucket(String key, long count, Map<String, Aggregate> aggregations) {
    }

    static Aggregation firstSeen() {
        return Aggregation.of(a -> a.min(m -> m.field(TIMESTAMP)));
    }

    static Aggregation lastSeen() {
        return Aggregation.of(a -> a.max(m -> m.field(TIMESTAMP)));
    }

    /** The latest document of the bucket, reduced to {@code fields}: values that are no group key. */
    static Aggregation latest(List<String> fields) {
        return Aggregation.of(a -> a.topHits(t -> t.size(1)
                .sort(s -> s.field(f -> f.field(TIMESTAMP).order(SortOrder.Desc)))
                .source(src -> src.filter(f -> f.includes(fields)))));
    }

    /** Composite sources, one a field, named by the field; missing values make their own bucket. */
    static List<Map<String, CompositeAggregationSource>> compositeSources(List<String> fields) {
        List<Map<String, CompositeAggregationSource>> sources = new ArrayList<>();
        for (String field : fields) {
            sources.add(Map.of(field, CompositeAggregationSource.of(s -> s.terms(t -> t.field(field).missingBucket(true)))));
        }
        return sources;
    }

    static List<Bucket> terms(Map<String, Aggregate> aggregations, String name) {
        Aggregate aggregate = aggregations == null ? null : aggregations.get(name);
        List<Bucket> buckets = new ArrayList<>();
        if (aggregate == null) return buckets;
        if (aggregate.isSterms()) {
            aggregate.sterms().buckets().array().forEach(b -> buckets.add(new Bucket(text(b.key()), b.docCount(), b.aggregations())));
        } else if (aggregate.isLterms()) {
            aggregate.lterms().buckets().array().forEach(b -> buckets.add(new Bucket(
                    b.keyAsString() != null ? b.keyAsString() : Long.toString(b.key()), b.docCount(), b.aggregations())));
        }
        return buckets;
    }

    /** The first key of a terms aggregation, or null. */
    static String firstKey(Map<String, Aggregate> aggregations, String name) {
        List<Bucket> buckets = terms(aggregations, name);
        return buckets.isEmpty() ? null : buckets.get(0).key();
    }

    /** A min or max over a date field as Elasticsearch prints it, or null when no document had one. */
    static String time(Map<String, Aggregate> aggregations, String name) {
        Aggregate aggregate = aggregations == null ? null : aggregations.get(name);
        if (aggregate == null) return null;
        if (aggregate.isMin()) return aggregate.min().valueAsString();
        if (aggregate.isMax()) return aggregate.max().valueAsString();
        return null;
    }

    /** The source of the first top hit, or a missing node. */
    static JsonNode top(Map<String, Aggregate> aggregations, String name) {
        Aggregate aggregate = aggregations == null ? null : aggregations.get(name);
        if (aggregate == null || !aggregate.isTopHits() || aggregate.topHits().hits().hits().isEmpty()) return MissingNode.getInstance();
        Hit<JsonData> hit = aggregate.topHits().hits().hits().get(0);
        return hit.source() == null ? MissingNode.getInstance() : EventCodec.mapper().valueToTree(hit.source().to(JsonNode.class));
    }

    /** A dotted field of a source document, nested as the agent writes it or flat as other writers may. */
    static String text(JsonNode source, String field) {
        JsonNode node = source;
        for (String step : field.split("\\.")) {
            node = node == null ? null : node.get(step);
        }
        if (node == null || node.isMissingNode() || node.isNull()) node = source == null ? null : source.get(field);
        if (node == null || node.isNull() || node.isMissingNode() || node.isContainerNode()) return null;
        return node.asText();
    }

    static String text(FieldValue value) {
        if (value == null || value.isNull()) return null;
        if (value.isString()) return value.stringValue();
        if (value.isLong()) return Long.toString(value.longValue());
        if (value.isDouble()) return Double.toString(value.doubleValue());
        if (value.isBoolean()) return Boolean.toString(value.booleanValue());
        return value._toJsonString();
    }

    static Long number(FieldValue value) {
        if (value == null || value.isNull()) return null;
        if (value.isLong()) return value.longValue();
        if (value.isDouble()) return (long) value.doubleValue();
        try {
            return Long.parseLong(text(value));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
