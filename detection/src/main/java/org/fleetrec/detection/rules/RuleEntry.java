package org.fleetrec.detection.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.detection.sigma.LogSource;
import org.fleetrec.model.EventCodec;

import java.util.ArrayList;
import java.util.List;

/**
 * One rule of the catalogue as stored in {@code fleet-rules} under {@code key} (its id, or for a rule
 * without a usable id a key made from where it came from). Fields a refused rule never reached
 * (id, title, level, logsource) are null; {@code yaml} is null in listings and for a file too large to keep.
 */
public record RuleEntry(String key, String id, String title, String level, List<String> tags, LogSource logsource,
                        String origin, String source, RuleState state, boolean loaded, boolean unsupported, String refusal,
                        Stamp added, Stamp changed, String publishedAt, String yaml) {

    /** Who did something, and when (ISO-8601). */
    public record Stamp(String by, String at) {
    }

    public RuleEntry {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    /** The same rule without its text, as listings carry it. */
    public RuleEntry withoutYaml() {
        return new RuleEntry(key, id, title, level, tags, logsource, origin, source, state, loaded, unsupported, refusal,
                added, changed, publishedAt, null);
    }

    /** What publishing a shipped or folder rule may change: everything but an analyst's state and who added it. */
    ObjectNode described() {
        ObjectNode doc = EventCodec.mapper().createObjectNode();
        doc.put("id", id).put("title", title).put("level", level);
        ArrayNode t = doc.putArray("tags");
        tags.forEach(t::add);
        if (logsource == null) {
            doc.putNull("logsource");
        } else {
            doc.putObject("logsource").put("product", logsource.product()).put("category", logsource.category())
                    .put("service", logsource.service());
        }
        doc.put("origin", origin).put("source", source).put("yaml", yaml)
                .put("loaded", loaded).put("unsupported", unsupported).put("refusal", refusal);
        if (publishedAt != null) doc.put("published_at", publishedAt);
        return doc;
    }

    /** The stored document: all of it. */
    ObjectNode document() {
        ObjectNode doc = described();
        doc.put("state", state == null ? RuleState.ENABLED.id() : state.id());
        stamp(doc, "added", added);
        stamp(doc, "changed", changed);
        return doc;
    }

    /** The document with its key, as the API and the command line show it. */
    public ObjectNode json() {
        ObjectNode json = EventCodec.mapper().createObjectNode().put("key", key);
        json.setAll(document());
        if (yaml == null) json.remove("yaml");
        return json;
    }

    private static void stamp(ObjectNode doc, String name, Stamp stamp) {
        if (stamp != null) doc.putObject(name).put("by", stamp.by()).put("at", stamp.at());
    }

    /** A stored document read back. */
    static RuleEntry of(String key, JsonNode doc) {
        List<String> tags = new ArrayList<>();
        doc.path("tags").forEach(t -> tags.add(t.asText()));
        JsonNode ls = doc.path("logsource");
        LogSource logsource = ls.isObject() ? new LogSource(text(ls, "product"), text(ls, "category"), text(ls, "service")) : null;
        RuleState state;
        try {
            state = RuleState.parse(doc.path("state").asText(null));
        } catch (IllegalArgumentException e) {
            state = RuleState.DISABLED; // a state this version does not know: never run what nobody meant to run
        }
        return new RuleEntry(key, text(doc, "id"), text(doc, "title"), text(doc, "level"), tags, logsource,
                text(doc, "origin"), text(doc, "source"), state, doc.path("loaded").asBoolean(false),
                doc.path("unsupported").asBoolean(false), text(doc, "refusal"), stamp(doc.path("added")),
                stamp(doc.path("changed")), text(doc, "published_at"), text(doc, "yaml"));
    }

    private static Stamp stamp(JsonNode node) {
        return node.isObject() ? new Stamp(text(node, "by"), text(node, "at")) : null;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNull() || value.isMissingNode() ? null : value.asText();
    }
}
