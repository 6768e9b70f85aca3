package org.fleetrec.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.BadRequestResponse;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The body of {@code POST /api/v1/rules/test}: which rule (its YAML as {@code rule}, or a catalogue
 * rule's {@code id}), and
 * either {@code events} to try it on or a range ({@code from}, {@code to}, {@code host}, optional
 * {@code max_events}, {@code max_results}) to hunt over. Names it does not know are refused, so a
 * misspelt limit never silently falls back to the default.
 */
record RuleTestRequest(String rule, String id, List<JsonNode> events, String from, String to, String host, Integer maxEvents,
                       Integer maxResults) {
    static final Set<String> FIELDS = Set.of("rule", "id", "events", "from", "to", "host", "max_events", "max_results");
    private static final int MAX_BOUND_LENGTH = 64;

    /** Events given: a trial. Otherwise a hunt over the range. */
    boolean trial() {
        return events != null;
    }

    static RuleTestRequest parse(JsonNode body) {
        if (!body.isObject()) throw new BadRequestResponse("the body is a JSON object: {\"rule\": ..., \"events\": [...]} or {\"rule\": ..., \"from\": ...}");
        Set<String> unknown = new TreeSet<>();
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) unknown.add(name.length() > 64 ? name.substring(0, 64) + "…" : name);
        }
        if (!unknown.isEmpty()) throw new BadRequestResponse("unknown fields " + unknown + "; known: " + new TreeSet<>(FIELDS));
        List<JsonNode> events = null;
        if (body.has("events")) {
            if (!body.get("events").isArray()) throw new BadRequestResponse("events is a list of event documents");
            events = new ArrayList<>();
            body.get("events").forEach(events::add);
            for (String rangeField : List.of("from", "to", "host", "max_events", "max_results")) {
                if (body.has(rangeField)) {
                    throw new BadRequestResponse("give either events to try the rule on, or a range to hunt over (" + rangeField + "), not both");
                }
            }
        }
        String rule = text(body, "rule", Integer.MAX_VALUE);
        String id = text(body, "id", 256);
        if (rule != null && id != null) throw new BadRequestResponse("give the rule's YAML as rule or a catalogue rule's id, not both");
        return new RuleTestRequest(rule == null ? null : body.get("rule").textValue(), id, events, text(body, "from", MAX_BOUND_LENGTH),
                text(body, "to", MAX_BOUND_LENGTH), text(body, "host", 1024), number(body, "max_events"), number(body, "max_results"));
    }

    private static String text(JsonNode body, String name, int maxLength) {
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) return null;
        if (!value.isTextual()) throw new BadRequestResponse(name + " is a string");
        String text = value.textValue();
        if (text.length() > maxLength) throw new BadRequestResponse(name + " is longer than " + maxLength + " characters");
        return text.isBlank() ? null : text.strip();
    }

    private static Integer number(JsonNode body, String name) {
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) return null;
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 1) {
            throw new BadRequestResponse(name + " is a whole number of at least 1");
        }
        return value.intValue();
    }
}
