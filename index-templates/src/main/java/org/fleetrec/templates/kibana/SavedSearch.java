package org.fleetrec.templates.kibana;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** A Discover saved search: a KQL query on a data view, the columns to show, newest first. */
final class SavedSearch {
    private final String id;
    private final String title;
    private String dataView;
    private String query = "";
    private String description = "";
    private List<String> columns = List.of();

    private SavedSearch(String id, String title) {
        this.id = id;
        this.title = title;
    }

    static SavedSearch of(String id, String title) {
        return new SavedSearch(id, title);
    }

    SavedSearch on(String dataViewId) {
        this.dataView = dataViewId;
        return this;
    }

    SavedSearch where(String kql) {
        this.query = kql;
        return this;
    }

    SavedSearch describe(String text) {
        this.description = text;
        return this;
    }

    SavedSearch columns(String... fields) {
        this.columns = List.of(fields);
        return this;
    }

    SavedObject build() {
        if (dataView == null) throw new IllegalStateException(id + ": no data view");
        // Only attributes the search type's schema knows: Kibana 8.8+ refuses others on import.
        ObjectNode attributes = Json.object().put("title", title).put("description", description);
        ArrayNode columnList = attributes.putArray("columns");
        columns.forEach(columnList::add);
        attributes.putArray("sort").addArray().add("@timestamp").add("desc");
        attributes.putObject("grid");
        attributes.put("hideChart", false).put("isTextBasedQuery", false);
        ObjectNode source = Json.searchSource(query).put("highlightAll", true).put("version", true);
        attributes.putObject("kibanaSavedObjectMeta").put("searchSourceJSON", Json.text(source));
        return new SavedObject("search", id, attributes,
                List.of(new SavedObject.Reference(Json.SEARCH_SOURCE_INDEX, "index-pattern", dataView)),
                KibanaObjects.TYPE_VERSION, KibanaObjects.CORE_VERSION);
    }
}
