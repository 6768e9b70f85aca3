package org.fleetrec.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.Objects;

/**
 * One ECS-shaped event: a nested JSON object addressed by dotted ECS field names
 * ({@code process.parent.pid}). Nested rather than flat so Kibana and Elasticsearch
 * see the shape ECS tooling expects.
 */
public final class EventDocument {
    private static final java.util.Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) ->
            a.isNumber() && b.isNumber() ? a.decimalValue().compareTo(b.decimalValue()) : (a.equals(b) ? 0 : 1);

    private final ObjectNode root;

    private EventDocument(ObjectNode root) {
        this.root = root;
    }

    public static EventDocument create() {
        return new EventDocument(JsonNodeFactory.instance.objectNode());
    }

    /** Wraps (does not copy) a parsed document. */
    public static EventDocument wrap(ObjectNode root) {
        return new EventDocument(Objects.requireNonNull(root));
    }

    public ObjectNode json() {
        return root;
    }

    public EventDocument put(String field, String value) {
        if (value != null) parentOf(field).put(leaf(field), value);
        return this;
    }

    public EventDocument put(String field, long value) {
        parentOf(field).put(leaf(field), value);
        return this;
    }

    public EventDocument put(String field, boolean value) {
        parentOf(field).put(leaf(field), value);
        return this;
    }

    public EventDocument put(String field, JsonNode value) {
        if (value != null) parentOf(field).set(leaf(field), value);
        return this;
    }

    public EventDocument putAll(String field, Collection<String> values) {
        if (values == null) return this;
        ArrayNode array = parentOf(field).putArray(leaf(field));
        values.forEach(array::add);
        return this;
    }

    /** The value at a dotted path, or null when any step is missing. */
    public JsonNode get(String field) {
        JsonNode node = root;
        int start = 0;
        while (node != null) {
            int dot = field.indexOf('.', start);
            if (dot < 0) return node.get(field.substring(start));
            node = node.get(field.substring(start, dot));
            start = dot + 1;
        }
        return null;
    }

    public String text(String field) {
        JsonNode value = get(field);
        return value == null || value.isNull() || value.isContainerNode() ? null : value.asText();
    }

    /** When the event happened, as its {@code @timestamp} says (with or without an offset); {@code fallback} when it does not. */
    public Instant timestamp(Instant fallback) {
        String text = text(Ecs.TIMESTAMP);
        if (text == null) return fallback;
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException e) {
            return fallback;
        }
    }

    public boolean has(String field) {
        JsonNode value = get(field);
        return value != null && !value.isNull();
    }

    public EventDocument remove(String field) {
        JsonNode parent = field.indexOf('.') < 0 ? root : get(field.substring(0, field.lastIndexOf('.')));
        if (parent instanceof ObjectNode object) object.remove(leaf(field));
        return this;
    }

    public EventDocument copy() {
        return new EventDocument(root.deepCopy());
    }

    private ObjectNode parentOf(String field) {
        ObjectNode node = root;
        int start = 0;
        for (int dot = field.indexOf('.'); dot >= 0; dot = field.indexOf('.', start)) {
            String step = field.substring(start, dot);
            JsonNode child = node.get(step);
            if (!(child instanceof ObjectNode)) child = node.putObject(step);
            node = (ObjectNode) child;
            start = dot + 1;
        }
        return node;
    }

    private static String leaf(String field) {
        return field.substring(field.lastIndexOf('.') + 1);
    }

    @Override
    public String toString() {
        return root.toString();
    }

    @Override
    public boolean equals(Object other) {
        // A parsed 1 is an IntNode and a built 1 a LongNode: equal as events.
        return other instanceof EventDocument doc && doc.root.equals(NUMBERS_BY_VALUE, root);
    }

    @Override
    public int hashCode() {
        return root.hashCode();
    }
}
