package org.fleetrec.templates.kibana;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One aggregation of an aggregation-based visualization ({@code visState.aggs[]}): its type and
 * params. Where it sits (metric, x-axis, split series, table rows) is up to the {@link Visualization}.
 */
record Agg(String type, ObjectNode params) {

    static Agg count() {
        return new Agg("count", Json.object());
    }

    static Agg count(String label) {
        return new Agg("count", labelled(Json.object(), label));
    }

    /** max, min, sum, avg or cardinality of a field. */
    static Agg metric(String type, String field, String label) {
        return new Agg(type, labelled(Json.object().put("field", field), label));
    }

    static Agg max(String field, String label) {
        return metric("max", field, label);
    }

    static Agg min(String field, String label) {
        return metric("min", field, label);
    }

    static Agg sum(String field, String label) {
        return metric("sum", field, label);
    }

    static Agg cardinality(String field, String label) {
        return metric("cardinality", field, label);
    }

    /** Buckets of {@code @timestamp} at an interval Kibana picks for the time range. */
    static Agg overTime() {
        ObjectNode params = Json.object().put("field", "@timestamp").put("useNormalizedEsInterval", true)
                .put("scaleMetricValues", false).put("interval", "auto").put("drop_partials", false)
                .put("min_doc_count", 1);
        params.putObject("extended_bounds");
        return new Agg("date_histogram", params);
    }

    /** The most frequent values of a field, by the first metric. */
    static Agg top(String field, int size, String label) {
        ObjectNode params = Json.object().put("field", field).put("orderBy", "1").put("order", "desc").put("size", size)
                .put("otherBucket", false).put("otherBucketLabel", "Other")
                .put("missingBucket", false).put("missingBucketLabel", "Missing");
        return new Agg("terms", labelled(params, label));
    }

    /** The least frequent values of a field by the first metric (approximate, as terms ordered ascending are). */
    static Agg rare(String field, int size, String label) {
        Agg top = top(field, size, label);
        top.params().put("order", "asc");
        return top;
    }

    /** These terms ordered by the {@code metric}-th metric of the visualization (1-based) instead of the first. */
    Agg orderedBy(int metric, String order) {
        if (!"terms".equals(type)) throw new IllegalStateException("only terms are ordered by a metric");
        ObjectNode copy = params.deepCopy().put("orderBy", Integer.toString(metric)).put("order", order);
        return new Agg(type, copy);
    }

    boolean isCount() {
        return "count".equals(type);
    }

    String label(String fallback) {
        return params.path("customLabel").asText(fallback);
    }

    private static ObjectNode labelled(ObjectNode params, String label) {
        if (label != null) params.put("customLabel", label);
        return params;
    }
}
