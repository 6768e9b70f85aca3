package org.fleetrec.templates.kibana;

import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.model.EventCodec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every field a saved object makes Kibana use, with how it is used and on which data view: the
 * aggregations of visualizations (saved, or by value inside a dashboard), Lens columns, a search's
 * columns and sort, filters, KQL and Lucene queries, dashboard controls.
 */
final class FieldUses {
    /** How a field is used, from least to most demanding of its mapping. */
    enum Use {
        SHOWN, QUERIED, SORTED, AGGREGATED, MIN_MAX, NUMERIC, DATE_HISTOGRAM
    }

    /**
     * @param dataView the data view's id, or null when the object does not say which
     * @param where    where in the object, for messages
     */
    record FieldUse(String objectId, String dataView, String field, Use use, String where) {
    }

    private static final Set<String> MIN_MAX_AGGS = Set.of("min", "max", "last_value");
    private static final Set<String> NUMERIC_AGGS = Set.of("sum", "avg", "average", "median", "percentiles",
            "percentile", "percentile_ranks", "percentile_rank", "std_dev", "standard_deviation", "histogram", "range",
            "single_percentile", "moving_avg", "cumulative_sum");
    private static final Set<String> DATE_AGGS = Set.of("date_histogram", "date_range");
    /** Lens's count of documents names a pseudo field, not a mapped one. */
    private static final Set<String> RECORDS = Set.of("___records___", "Records");

    private final SavedObject object;
    private final Map<String, SavedObject> byId;
    private final List<FieldUse> uses = new ArrayList<>();

    private FieldUses(SavedObject object, Map<String, SavedObject> byId) {
        this.object = object;
        this.byId = byId;
    }

    /** @param byId the other objects of the file, for a visualization built on a saved search */
    static List<FieldUse> of(SavedObject object, Map<String, SavedObject> byId) {
        FieldUses fieldUses = new FieldUses(object, byId);
        fieldUses.read();
        return fieldUses.uses;
    }

    private void read() {
        switch (object.type()) {
            case "search" -> search();
            case "visualization" -> {
                String own = searchSourceDataView(object.embedded("kibanaSavedObjectMeta.searchSourceJSON").orElse(null), "");
                String dataView = own != null ? own : savedSearchDataView();
                searchSource(object.embedded("kibanaSavedObjectMeta.searchSourceJSON").orElse(null), dataView, "");
                object.embedded("visState").ifPresent(vis -> aggs(vis.path("aggs"), dataView, "visState"));
            }
            case "lens" -> lens(object.attributes(), object.references(), "");
            case "dashboard" -> dashboard();
            default -> {
            }
        }
    }

    private void search() {
        JsonNode source = object.embedded("kibanaSavedObjectMeta.searchSourceJSON").orElse(null);
        String dataView = searchSourceDataView(source, "");
        searchSource(source, dataView, "");
        for (JsonNode column : object.attributes().path("columns")) {
            if (!"_source".equals(column.asText())) add(dataView, column.asText(), Use.SHOWN, "columns");
        }
        JsonNode sort = object.attributes().path("sort");
        if (sort.isArray() && !sort.isEmpty() && sort.get(0).isTextual()) {
            add(dataView, sort.get(0).asText(), Use.SORTED, "sort");
        } else {
            for (JsonNode pair : sort) add(dataView, pair.path(0).asText(), Use.SORTED, "sort");
        }
    }

    /** The data view of a search source: its indexRefName's reference, or an id written in it. */
    private String searchSourceDataView(JsonNode source, String refPrefix) {
        if (source == null) return null;
        if (source.hasNonNull("indexRefName")) {
            return object.reference(refPrefix + source.get("indexRefName").asText()).map(SavedObject.Reference::id).orElse(null);
        }
        if (source.path("index").isTextual()) return source.get("index").asText();
        return object.reference(refPrefix + "kibanaSavedObjectMeta.searchSourceJSON.index").map(SavedObject.Reference::id).orElse(null);
    }

    private String savedSearchDataView() {
        String refName = object.attributes().path("savedSearchRefName").asText(null);
        if (refName == null) return null;
        return object.reference(refName).map(r -> byId.get(r.id())).map(search -> {
            JsonNode source = search.embedded("kibanaSavedObjectMeta.searchSourceJSON").orElse(null);
            if (source == null || !source.hasNonNull("indexRefName")) return null;
            return search.reference(source.get("indexRefName").asText()).map(SavedObject.Reference::id).orElse(null);
        }).orElse(null);
    }

    /** The query and filters of a search source. */
    private void searchSource(JsonNode source, String dataView, String refPrefix) {
        if (source == null) return;
        query(source.path("query"), dataView, refPrefix + "query");
        filters(source.path("filter"), dataView, refPrefix);
    }

    private void query(JsonNode query, String dataView, String where) {
        if (!query.path("query").isTextual()) return; // an Elasticsearch DSL query object, not text
        for (String field : KqlFields.of(query.get("query").asText())) add(dataView, field, Use.QUERIED, where);
    }

    private void filters(JsonNode filters, String dataView, String refPrefix) {
        int i = 0;
        for (JsonNode filter : filters) {
            String where = "filter[" + i++ + "]";
            JsonNode meta = filter.path("meta");
            String view = dataView;
            if (meta.hasNonNull("indexRefName")) {
                view = object.reference(refPrefix + meta.get("indexRefName").asText()).map(SavedObject.Reference::id).orElse(null);
            } else if (meta.path("index").isTextual()) {
                view = meta.get("index").asText();
            }
            if (meta.path("key").isTextual() && !"query".equals(meta.path("type").asText())) {
                add(view, meta.get("key").asText(), Use.QUERIED, where);
            }
            for (String kind : List.of("match_phrase", "match", "range", "term", "terms", "wildcard", "prefix")) {
                String finalView = view;
                filter.path("query").path(kind).fieldNames().forEachRemaining(f -> add(finalView, f, Use.QUERIED, where));
                filter.path(kind).fieldNames().forEachRemaining(f -> add(finalView, f, Use.QUERIED, where));
            }
            if (filter.path("exists").path("field").isTextual()) add(view, filter.get("exists").get("field").asText(), Use.QUERIED, where);
            if (filter.path("query").path("exists").path("field").isTextual()) {
                add(view, filter.get("query").get("exists").get("field").asText(), Use.QUERIED, where);
            }
        }
    }

    /** Aggregations of an aggregation-based visualization. */
    private void aggs(JsonNode aggs, String dataView, String where) {
        for (JsonNode agg : aggs) {
            String type = agg.path("type").asText();
            JsonNode params = agg.path("params");
            String at = where + " agg " + agg.path("id").asText() + " (" + type + ")";
            if (params.path("field").isTextual()) add(dataView, params.get("field").asText(), use(type), at);
            for (JsonNode field : params.path("fields")) add(dataView, field.asText(), Use.AGGREGATED, at);
            if (params.path("orderAgg").isObject()) aggs(EventCodec.mapper().createArrayNode().add(params.get("orderAgg")), dataView, at);
            for (JsonNode filter : params.path("filters")) query(filter.path("input"), dataView, at);
        }
    }

    private static Use use(String aggType) {
        if (DATE_AGGS.contains(aggType)) return Use.DATE_HISTOGRAM;
        if (MIN_MAX_AGGS.contains(aggType)) return Use.MIN_MAX;
        if (NUMERIC_AGGS.contains(aggType)) return Use.NUMERIC;
        return Use.AGGREGATED;
    }

    /** A Lens visualization, saved or by value: layers of columns, each on the data view of its layer. */
    private void lens(JsonNode attributes, List<SavedObject.Reference> references, String where) {
        JsonNode state = attributes.path("state");
        String current = referenced(references, "indexpattern-datasource-current-indexpattern");
        query(state.path("query"), current, where + "state.query");
        for (JsonNode datasource : List.of(state.path("datasourceStates").path("indexpattern"),
                state.path("datasourceStates").path("formBased"))) {
            datasource.path("layers").properties().forEach(layer -> {
                String dataView = referenced(references, "indexpattern-datasource-layer-" + layer.getKey());
                layer.getValue().path("columns").properties().forEach(column -> {
                    JsonNode c = column.getValue();
                    String field = c.path("sourceField").asText(null);
                    String operation = c.path("operationType").asText();
                    if (field == null || RECORDS.contains(field)) return;
                    Use use = "unique_count".equals(operation) || "count".equals(operation) ? Use.AGGREGATED : use(operation);
                    add(dataView, field, use, where + "layer " + layer.getKey() + " column " + column.getKey() + " (" + operation + ")");
                });
            });
        }
    }

    private static String referenced(List<SavedObject.Reference> references, String name) {
        return references.stream().filter(r -> r.name().equals(name)).map(SavedObject.Reference::id).findFirst().orElse(null);
    }

    /** A dashboard's own query, panels held by value, and controls. */
    private void dashboard() {
        JsonNode source = object.embedded("kibanaSavedObjectMeta.searchSourceJSON").orElse(null);
        if (source != null) {
            query(source.path("query"), null, "dashboard query");
            filters(source.path("filter"), null, "");
        }
        for (JsonNode panel : object.embedded("panelsJSON").orElse(EventCodec.mapper().createArrayNode())) {
            String prefix = panel.path("panelIndex").asText() + ":";
            JsonNode config = panel.path("embeddableConfig");
            JsonNode savedVis = config.path("savedVis");
            if (savedVis.isObject()) {
                JsonNode searchSource = savedVis.path("data").path("searchSource");
                String dataView = searchSourceDataView(searchSource, prefix);
                searchSource(searchSource, dataView, prefix);
                aggs(savedVis.path("data").path("aggs"), dataView, "panel " + panel.path("panelIndex").asText());
            }
            if (config.path("attributes").isObject() && "lens".equals(config.path("attributes").path("type").asText("lens"))) {
                List<SavedObject.Reference> own = new ArrayList<>();
                for (JsonNode r : config.path("attributes").path("references")) {
                    own.add(new SavedObject.Reference(r.path("name").asText(), r.path("type").asText(), r.path("id").asText()));
                }
                lens(config.path("attributes"), own, "panel " + panel.path("panelIndex").asText() + " ");
            }
        }
        JsonNode controls = object.attributes().path("controlGroupInput").path("panelsJSON");
        if (controls.isTextual()) {
            JsonNode parsed;
            try {
                parsed = EventCodec.mapper().readTree(controls.asText());
            } catch (IOException e) {
                throw new IllegalArgumentException(object.where() + ": controlGroupInput.panelsJSON is not JSON", e);
            }
            parsed.properties().forEach(control -> {
                JsonNode input = control.getValue().path("explicitInput");
                if (!input.path("fieldName").isTextual()) return;
                String controlType = control.getValue().path("type").asText();
                String refName = "controlGroup_" + control.getKey() + ":"
                        + (controlType.startsWith("rangeSlider") ? "rangeSliderDataView" : "optionsListDataView");
                String dataView = input.path("dataViewId").asText(referenced(object.references(), refName));
                add(dataView, input.get("fieldName").asText(), controlType.startsWith("rangeSlider") ? Use.MIN_MAX : Use.AGGREGATED,
                        "control " + control.getKey());
            });
        }
    }

    private void add(String dataView, String field, Use use, String where) {
        uses.add(new FieldUse(object.id(), dataView, field, use, where));
    }
}
