package org.fleetrec.templates.kibana;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventCodec;

/** JSON trees for saved objects, and the JSON-in-a-string form Kibana keeps many attributes in. */
final class Json {
    private Json() {
    }

    static ObjectNode object() {
        return EventCodec.mapper().createObjectNode();
    }

    static ArrayNode array() {
        return EventCodec.mapper().createArrayNode();
    }

    /** Compact JSON text, as Kibana stores {@code visState}, {@code panelsJSON}, {@code searchSourceJSON}. */
    static String text(JsonNode node) {
        try {
            return EventCodec.mapper().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an in-memory JSON tree always serialises", e);
        }
    }

    /** The search source every search and visualization here uses: a KQL query on the referenced data view. */
    static ObjectNode searchSource(String kql) {
        ObjectNode source = object();
        source.putObject("query").put("query", kql).put("language", "kuery");
        source.putArray("filter");
        source.put("indexRefName", SEARCH_SOURCE_INDEX);
        return source;
    }

    /** The reference name under which a search source's data view is found. */
    static final String SEARCH_SOURCE_INDEX = "kibanaSavedObjectMeta.searchSourceJSON.index";
}
