package org.fleetrec.detection.alert;

import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventDocument;
import org.fleetrec.model.IpLiteral;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The part of a matching event an alert keeps: who, what process (and its parent, as far as the
 * event carries it), which file or connection. Values are checked and cut to size here, once, so
 * an alert document always fits the strict alert mapping and its memory stays bounded whatever an
 * endpoint sent: a value of the wrong shape is left out rather than failing the whole alert (the
 * alert links to the event, where the value is kept as sent).
 */
record AlertContext(String hostName, String dataset, String action, Map<String, Object> fields) {

    private enum Kind { TEXT, LONG, PORT, IP }

    private record Field(String name, Kind kind, int maxChars) {
    }

    static final int MAX_ID = 256;
    static final int MAX_NAME = 1024;
    static final int MAX_PATH = 4096;
    /** As the events' mapping: longer command lines are not searchable as keywords anyway. */
    static final int MAX_COMMAND_LINE = 8191;

    private static final Field[] FIELDS = {
            new Field("process.entity_id", Kind.TEXT, MAX_ID),
            new Field("process.pid", Kind.LONG, 0),
            new Field("process.name", Kind.TEXT, MAX_NAME),
            new Field("process.executable", Kind.TEXT, MAX_PATH),
            new Field("process.command_line", Kind.TEXT, MAX_COMMAND_LINE),
            new Field("process.parent.entity_id", Kind.TEXT, MAX_ID),
            new Field("process.parent.pid", Kind.LONG, 0),
            new Field("process.parent.name", Kind.TEXT, MAX_NAME),
            new Field("process.parent.executable", Kind.TEXT, MAX_PATH),
            new Field("process.parent.command_line", Kind.TEXT, MAX_COMMAND_LINE),
            new Field("user.id", Kind.TEXT, MAX_ID),
            new Field("user.name", Kind.TEXT, MAX_NAME),
            new Field("user.effective.id", Kind.TEXT, MAX_ID),
            new Field("user.effective.name", Kind.TEXT, MAX_NAME),
            new Field("user.audit.id", Kind.TEXT, MAX_ID),
            new Field("user.audit.name", Kind.TEXT, MAX_NAME),
            new Field("file.path", Kind.TEXT, MAX_PATH),
            new Field("container.id", Kind.TEXT, MAX_ID),
            new Field("container.runtime", Kind.TEXT, MAX_ID),
            new Field("source.ip", Kind.IP, 0),
            new Field("source.port", Kind.PORT, 0),
            new Field("source.domain", Kind.TEXT, MAX_NAME),
            new Field("destination.ip", Kind.IP, 0),
            new Field("destination.port", Kind.PORT, 0),
            new Field("destination.domain", Kind.TEXT, MAX_NAME),
            new Field("network.community_id", Kind.TEXT, MAX_ID),
            new Field("network.transport", Kind.TEXT, MAX_ID),
            new Field("network.direction", Kind.TEXT, MAX_ID),
    };

    /** The ECS names an alert may carry from its event, in document order. */
    static final java.util.List<String> NAMES = java.util.Arrays.stream(FIELDS).map(Field::name).toList();


    static AlertContext of(EventDocument event) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Field field : FIELDS) {
            Object value = value(event.get(field.name()), field);
            if (value != null) fields.put(field.name(), value);
        }
        return new AlertContext(bounded(event.text(Ecs.HOST_NAME), MAX_NAME), bounded(event.text(Ecs.EVENT_DATASET), MAX_ID),
                bounded(event.text(Ecs.EVENT_ACTION), MAX_ID), fields);
    }

    private static Object value(JsonNode node, Field field) {
        if (node == null || node.isNull() || node.isContainerNode()) return null;
        return switch (field.kind()) {
            case TEXT -> {
                String text = bounded(node.asText(), field.maxChars());
                yield text == null || text.isEmpty() ? null : text;
            }
            case LONG -> number(node, Long.MAX_VALUE);
            case PORT -> number(node, 65_535);
            case IP -> ip(node.asText());
        };
    }

    private static Long number(JsonNode node, long max) {
        long value;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            value = node.asLong();
        } else if (node.isTextual() && node.asText().matches("\\d{1,18}")) {
            value = Long.parseLong(node.asText());
        } else {
            return null;
        }
        return value >= 0 && value <= max ? value : null;
    }

    /** An address literal Elasticsearch's {@code ip} type takes; never a name (no lookup is ever made). */
    static String ip(String text) {
        return IpLiteral.address(text).isPresent() ? text : null;
    }

    /** At most {@code max} characters, never splitting a surrogate pair; a cut value ends in an ellipsis. */
    static String bounded(String text, int max) {
        if (text == null || text.length() <= max) return text;
        int end = max - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) end--;
        return text.substring(0, end) + "…";
    }
}
