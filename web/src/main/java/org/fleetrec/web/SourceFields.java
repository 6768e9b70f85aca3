package org.fleetrec.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/** Reads a dotted ECS field from a stored document, nested ({@code {"process":{"pid":1}}}) or dotted ({@code {"process.pid":1}}). */
final class SourceFields {
    private SourceFields() {
    }

    static JsonNode valueAt(JsonNode node, String field) {
        if (node == null || !node.isObject()) return MissingNode.getInstance();
        JsonNode whole = node.get(field);
        if (whole != null) return whole;
        // Try every split point: a document may hold "process" -> "parent.pid" as well as "process" -> "parent" -> "pid".
        for (int dot = field.indexOf('.'); dot > 0; dot = field.indexOf('.', dot + 1)) {
            JsonNode head = node.get(field.substring(0, dot));
            if (head == null) continue;
            JsonNode found = valueAt(head, field.substring(dot + 1));
            if (!found.isMissingNode()) return found;
        }
        return MissingNode.getInstance();
    }
}
