package org.fleetrec.templates.kibana;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * An aggregation-based visualization saved object (vertical bars, lines, a data table or a pie),
 * the kind every Kibana 8 imports and migrates forward. Metrics get the agg ids 1, 2, … in the
 * order given, buckets the ids after them; a chart's first bucket is its x-axis, the next ones
 * split the series.
 */
final class Visualization {
    enum Kind { HISTOGRAM, LINE, TABLE, PIE }

    private final Kind kind;
    private final String id;
    private final String title;
    private String dataView;
    private String query = "";
    private String description = "";
    private final List<Agg> metrics = new ArrayList<>();
    private final List<Agg> buckets = new ArrayList<>();

    private Visualization(Kind kind, String id, String title) {
        this.kind = kind;
        this.id = id;
        this.title = title;
    }

    static Visualization bars(String id, String title) {
        return new Visualization(Kind.HISTOGRAM, id, title);
    }

    static Visualization lines(String id, String title) {
        return new Visualization(Kind.LINE, id, title);
    }

    static Visualization table(String id, String title) {
        return new Visualization(Kind.TABLE, id, title);
    }

    static Visualization pie(String id, String title) {
        return new Visualization(Kind.PIE, id, title);
    }

    Visualization on(String dataViewId) {
        this.dataView = dataViewId;
        return this;
    }

    /** KQL that narrows the data view's documents. */
    Visualization where(String kql) {
        this.query = kql;
        return this;
    }

    Visualization describe(String text) {
        this.description = text;
        return this;
    }

    Visualization metric(Agg agg) {
        metrics.add(agg);
        return this;
    }

    Visualization bucket(Agg agg) {
        buckets.add(agg);
        return this;
    }

    SavedObject build() {
        if (dataView == null) throw new IllegalStateException(id + ": no data view");
        if (metrics.isEmpty()) throw new IllegalStateException(id + ": no metric");
        if ((kind == Kind.HISTOGRAM || kind == Kind.LINE || kind == Kind.PIE) && buckets.isEmpty()) {
            throw new IllegalStateException(id + ": a chart needs a bucket aggregation");
        }
        if (kind == Kind.PIE && metrics.size() != 1) throw new IllegalStateException(id + ": a pie shows one metric");
        ArrayNode aggs = Json.array();
        int n = 0;
        for (Agg metric : metrics) aggs.add(agg(++n, metric, "metric"));
        for (int i = 0; i < buckets.size(); i++) {
            Agg bucket = buckets.get(i);
            String orderBy = bucket.params().path("orderBy").asText("1");
            if ("terms".equals(bucket.type()) && Integer.parseInt(orderBy) > metrics.size()) {
                throw new IllegalStateException(id + ": terms ordered by metric " + orderBy + " of " + metrics.size());
            }
            aggs.add(agg(++n, bucket, schema(i)));
        }
        ObjectNode visState = Json.object().put("title", title).put("type", type());
        visState.set("aggs", aggs);
        visState.set("params", params());

        ObjectNode attributes = Json.object().put("title", title).put("description", description)
                .put("visState", Json.text(visState)).put("uiStateJSON", "{}").put("version", 1);
        attributes.putObject("kibanaSavedObjectMeta").put("searchSourceJSON", Json.text(Json.searchSource(query)));
        return new SavedObject("visualization", id, attributes,
                List.of(new SavedObject.Reference(Json.SEARCH_SOURCE_INDEX, "index-pattern", dataView)),
                KibanaObjects.TYPE_VERSION, KibanaObjects.CORE_VERSION);
    }

    private String type() {
        return switch (kind) {
            case HISTOGRAM -> "histogram";
            case LINE -> "line";
            case TABLE -> "table";
            case PIE -> "pie";
        };
    }

    private String schema(int bucketIndex) {
        return switch (kind) {
            case TABLE -> "bucket";
            case PIE -> "segment";
            case HISTOGRAM, LINE -> bucketIndex == 0 ? "segment" : "group";
        };
    }

    private static ObjectNode agg(int id, Agg agg, String schema) {
        ObjectNode node = Json.object().put("id", Integer.toString(id)).put("enabled", true).put("type", agg.type());
        node.set("params", agg.params());
        node.put("schema", schema);
        return node;
    }

    /**
     * Only what differs from the type's defaults: Kibana fills every missing top-level param from
     * them when it loads the visualization.
     */
    private ObjectNode params() {
        ObjectNode params = Json.object();
        switch (kind) {
            case TABLE -> params.put("perPage", 20).put("showPartialRows", false).put("showMetricsAtAllLevels", false)
                    .put("showTotal", false).put("totalFunc", "sum").put("percentageCol", "").put("showToolbar", true);
            case PIE -> params.put("type", "pie").put("addTooltip", true).put("addLegend", true)
                    .put("legendPosition", "right").put("isDonut", true);
            case HISTOGRAM, LINE -> {
                params.put("type", type()).put("addTooltip", true).put("addLegend", true).put("legendPosition", "right");
                // The defaults' one series says "Count"; name each metric's series after the metric.
                ArrayNode series = params.putArray("seriesParams");
                for (int i = 0; i < metrics.size(); i++) {
                    ObjectNode s = series.addObject().put("show", true).put("type", type())
                            .put("mode", kind == Kind.HISTOGRAM ? "stacked" : "normal");
                    s.putObject("data").put("label", metrics.get(i).label(metrics.get(i).isCount() ? "Count" : metrics.get(i).type()))
                            .put("id", Integer.toString(i + 1));
                    s.put("valueAxis", "ValueAxis-1").put("drawLinesBetweenPoints", true).put("lineWidth", 2)
                            .put("showCircles", true).put("circlesRadius", 1).put("interpolate", "linear");
                }
            }
        }
        return params;
    }
}
