package org.fleetrec.templates.kibana;

import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.model.EventCodec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What must hold for a set of saved objects to import into Kibana 8 and work there; each check
 * answers the problems it found, one sentence each, empty when all is well.
 */
final class SavedObjectChecks {
    /**
     * The attributes each type's schema in Kibana 8 accepts (search and dashboard refuse others on
     * import since 8.8; for the others, an unknown name is a typo Kibana would silently keep).
     */
    static final Map<String, Set<String>> ATTRIBUTES = Map.of(
            "index-pattern", Set.of("title", "name", "timeFieldName", "fields", "fieldAttrs", "sourceFilters",
                    "fieldFormatMap", "type", "typeMeta", "allowNoIndex", "runtimeFieldMap", "allowHidden"),
            "search", Set.of("title", "description", "columns", "sort", "grid", "rowHeight", "rowsPerPage", "hideChart",
                    "breakdownField", "kibanaSavedObjectMeta", "isTextBasedQuery", "usesAdHocDataView", "timeRestore",
                    "timeRange", "refreshInterval", "viewMode", "hideAggregatedPreview", "hits", "version"),
            "visualization", Set.of("title", "description", "visState", "uiStateJSON", "version", "kibanaSavedObjectMeta",
                    "savedSearchRefName"),
            "lens", Set.of("title", "description", "visualizationType", "state", "expression"),
            "dashboard", Set.of("title", "description", "kibanaSavedObjectMeta", "timeRestore", "timeFrom", "timeTo",
                    "refreshInterval", "controlGroupInput", "panelsJSON", "optionsJSON", "hits", "version"));

    private SavedObjectChecks() {
    }

    /** Every check on a whole file. */
    static List<String> all(List<SavedObject> objects) {
        List<String> problems = new ArrayList<>();
        problems.addAll(uniqueIds(objects));
        problems.addAll(references(objects));
        problems.addAll(refNames(objects));
        problems.addAll(attributes(objects));
        problems.addAll(layout(objects));
        problems.addAll(fields(objects));
        return problems;
    }

    static List<String> uniqueIds(List<SavedObject> objects) {
        Set<String> seen = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (SavedObject o : objects) {
            if (!seen.add(o.id())) problems.add("id \"" + o.id() + "\" is used more than once");
        }
        return problems;
    }

    /** Every reference names an object of the file, of the type it says. */
    static List<String> references(List<SavedObject> objects) {
        Map<String, SavedObject> byId = byId(objects);
        List<String> problems = new ArrayList<>();
        for (SavedObject o : objects) {
            for (SavedObject.Reference r : o.references()) {
                SavedObject target = byId.get(r.id());
                if (target == null) {
                    problems.add(o.where() + " references " + r.type() + " \"" + r.id() + "\" (" + r.name() + "), which the file does not hold");
                } else if (!target.type().equals(r.type())) {
                    problems.add(o.where() + " references \"" + r.id() + "\" as a " + r.type() + ", but it is a " + target.type());
                }
            }
        }
        return problems;
    }

    /** Every name the attributes use to point at a reference ({@code indexRefName}, {@code panelRefName}…) has one. */
    static List<String> refNames(List<SavedObject> objects) {
        List<String> problems = new ArrayList<>();
        for (SavedObject o : objects) {
            List<String> names = new ArrayList<>();
            Optional<JsonNode> source = o.embedded("kibanaSavedObjectMeta.searchSourceJSON");
            source.ifPresent(s -> {
                if (s.hasNonNull("indexRefName")) names.add(s.get("indexRefName").asText());
                for (JsonNode filter : s.path("filter")) {
                    if (filter.path("meta").hasNonNull("indexRefName")) names.add(filter.get("meta").get("indexRefName").asText());
                }
            });
            if (o.attributes().hasNonNull("savedSearchRefName")) names.add(o.attributes().get("savedSearchRefName").asText());
            for (String name : names) {
                if (o.reference(name).isEmpty()) problems.add(o.where() + " points at reference \"" + name + "\", which it does not have");
            }
            if ("lens".equals(o.type())) {
                o.attributes().path("state").path("datasourceStates").path("formBased").path("layers").fieldNames()
                        .forEachRemaining(layer -> requireReference(o, "indexpattern-datasource-layer-" + layer, problems));
                o.attributes().path("state").path("datasourceStates").path("indexpattern").path("layers").fieldNames()
                        .forEachRemaining(layer -> requireReference(o, "indexpattern-datasource-layer-" + layer, problems));
            }
            if ("dashboard".equals(o.type())) {
                for (JsonNode panel : o.embedded("panelsJSON").orElse(EventCodec.mapper().createArrayNode())) {
                    if (!panel.hasNonNull("panelRefName")) continue;
                    String refName = panel.get("panelRefName").asText();
                    // Kibana looks for "<panelIndex>:<panelRefName>" first, then the bare name.
                    Optional<SavedObject.Reference> ref = o.reference(panel.path("panelIndex").asText() + ":" + refName)
                            .or(() -> o.reference(refName));
                    if (ref.isEmpty()) {
                        problems.add(o.where() + " panel " + panel.path("panelIndex").asText() + " points at reference \""
                                + refName + "\", which the dashboard does not have");
                    } else if (panel.hasNonNull("type") && !panel.get("type").asText().equals(ref.get().type())) {
                        problems.add(o.where() + " panel " + panel.path("panelIndex").asText() + " is a " + panel.get("type").asText()
                                + " but its reference is a " + ref.get().type());
                    }
                }
            }
        }
        return problems;
    }

    private static void requireReference(SavedObject o, String name, List<String> problems) {
        if (o.reference(name).isEmpty()) problems.add(o.where() + " has no reference \"" + name + "\" for its layer");
    }

    /** Only attributes Kibana's schema for the type knows; a type this check does not know is a problem too. */
    static List<String> attributes(List<SavedObject> objects) {
        List<String> problems = new ArrayList<>();
        for (SavedObject o : objects) {
            Set<String> known = ATTRIBUTES.get(o.type());
            if (known == null) {
                problems.add(o.where() + ": the type " + o.type() + " is not checked here");
                continue;
            }
            o.attributes().fieldNames().forEachRemaining(name -> {
                if (!known.contains(name)) problems.add(o.where() + " has the attribute \"" + name + "\", which a " + o.type() + " does not have");
            });
            if (!o.attributes().path("title").isTextual() || o.title().isBlank()) problems.add(o.where() + " has no title");
        }
        return problems;
    }

    /** Dashboard panels stay inside the 48-column grid and do not overlap. */
    static List<String> layout(List<SavedObject> objects) {
        List<String> problems = new ArrayList<>();
        for (SavedObject o : objects) {
            if (!"dashboard".equals(o.type())) continue;
            List<JsonNode> grids = new ArrayList<>();
            for (JsonNode panel : o.embedded("panelsJSON").orElse(EventCodec.mapper().createArrayNode())) {
                JsonNode g = panel.path("gridData");
                int x = g.path("x").asInt(-1), y = g.path("y").asInt(-1), w = g.path("w").asInt(0), h = g.path("h").asInt(0);
                if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > Dashboard.GRID_COLUMNS) {
                    problems.add(o.where() + " panel " + panel.path("panelIndex").asText() + " lies outside the grid: " + g);
                }
                for (JsonNode other : grids) {
                    boolean apart = x + w <= other.path("x").asInt() || other.path("x").asInt() + other.path("w").asInt() <= x
                            || y + h <= other.path("y").asInt() || other.path("y").asInt() + other.path("h").asInt() <= y;
                    if (!apart) problems.add(o.where() + " panel " + panel.path("panelIndex").asText() + " overlaps panel " + other.path("i").asText());
                }
                grids.add(g);
            }
        }
        return problems;
    }

    /**
     * Every field an object uses exists in the mappings of the index templates its data view covers,
     * with a type that can serve the use: aggregations and sorting need doc values of a keyword,
     * numeric, date, ip or boolean field (never text), date histograms a date, sums a number.
     */
    static List<String> fields(List<SavedObject> objects) {
        Map<String, SavedObject> byId = byId(objects);
        List<TemplateMappings.Template> templates = TemplateMappings.all();
        List<String> problems = new ArrayList<>();
        for (SavedObject o : objects) {
            for (FieldUses.FieldUse use : FieldUses.of(o, byId)) {
                String at = o.where() + " " + use.where() + ": " + use.field();
                SavedObject dataView = use.dataView() == null ? null : byId.get(use.dataView());
                if (dataView == null || !"index-pattern".equals(dataView.type())) {
                    problems.add(at + " is used on no data view of the file (" + use.dataView() + ")");
                    continue;
                }
                String title = dataView.title();
                List<TemplateMappings.Template> covered = templates.stream().filter(t -> t.matches(title)).toList();
                if (covered.isEmpty()) {
                    problems.add(at + ": the data view " + title + " matches no index template");
                    continue;
                }
                if (use.field().contains("*")) {
                    problems.add(at + ": a wildcard field name is not checked; name the fields");
                    continue;
                }
                Map<String, TemplateMappings.Field> found = new LinkedHashMap<>();
                for (TemplateMappings.Template t : covered) t.field(use.field()).ifPresent(f -> found.put(t.name(), f));
                if (found.isEmpty()) {
                    problems.add(at + " is mapped by no index template of " + title);
                    continue;
                }
                Set<String> types = found.values().stream().map(TemplateMappings.Field::type).collect(Collectors.toSet());
                if (types.size() > 1) {
                    problems.add(at + " is mapped as " + types + " in different templates of " + title + ": Kibana sees a conflict");
                    continue;
                }
                TemplateMappings.Field field = found.values().iterator().next();
                String unfit = unfit(field, use.use());
                if (unfit != null) problems.add(at + " is " + unfit + " (a " + field.type() + " field), so it cannot be " + verb(use.use()));
            }
        }
        return problems;
    }

    /** Why the field cannot serve the use, or null when it can. */
    private static String unfit(TemplateMappings.Field field, FieldUses.Use use) {
        return switch (use) {
            case SHOWN -> null;
            case QUERIED -> field.indexed() ? null : "not indexed";
            case SORTED, AGGREGATED -> field.aggregatable() ? null : "not aggregatable";
            case MIN_MAX -> field.docValues() && (field.numeric() || field.date()) ? null : "neither a number nor a date";
            case NUMERIC -> field.docValues() && field.numeric() ? null : "not a number";
            case DATE_HISTOGRAM -> field.docValues() && field.date() ? null : "not a date";
        };
    }

    private static String verb(FieldUses.Use use) {
        return switch (use) {
            case SHOWN -> "shown";
            case QUERIED -> "queried";
            case SORTED -> "sorted on";
            case AGGREGATED -> "aggregated";
            case MIN_MAX -> "the min or max of";
            case NUMERIC -> "summed or averaged";
            case DATE_HISTOGRAM -> "a date histogram";
        };
    }

    static Map<String, SavedObject> byId(List<SavedObject> objects) {
        Map<String, SavedObject> byId = new HashMap<>();
        for (SavedObject o : objects) byId.putIfAbsent(o.id(), o);
        return byId;
    }
}
