package org.fleetrec.templates.kibana;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventCodec;

import java.util.List;
import java.util.Optional;

/**
 * One Kibana saved object as an export line holds it: type, id, attributes and the references that
 * tie it to other objects by name.
 *
 * @param typeVersion the type's migration version the attributes are written for: Kibana runs every
 *                    later migration of the type on import, and refuses a version newer than its own
 * @param coreVersion the core migration version, or null when the line carries none
 */
public record SavedObject(String type, String id, ObjectNode attributes, List<Reference> references,
                          String typeVersion, String coreVersion) {

    /** A link to another saved object; {@code name} is how the attributes refer to it. */
    public record Reference(String name, String type, String id) {
    }

    public SavedObject {
        if (type == null || type.isEmpty()) throw new IllegalArgumentException("a saved object needs a type");
        if (id == null || id.isEmpty()) throw new IllegalArgumentException("a saved object needs an id");
        references = List.copyOf(references);
    }

    public String title() {
        return attributes.path("title").asText("");
    }

    public Optional<Reference> reference(String name) {
        return references.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /**
     * An attribute that holds JSON, such as {@code visState} or {@code kibanaSavedObjectMeta.searchSourceJSON}
     * (a dotted path). An export holds it as a string of JSON; a Fleet package holds the object itself,
     * so both are accepted.
     */
    public Optional<JsonNode> embedded(String dottedPath) {
        JsonNode node = attributes;
        for (String part : dottedPath.split("\\.")) node = node.path(part);
        if (node.isMissingNode() || node.isNull()) return Optional.empty();
        if (node.isContainerNode()) return Optional.of(node);
        if (!node.isTextual()) throw new IllegalArgumentException(where() + ": " + dottedPath + " is neither JSON text nor an object");
        if (node.asText().isBlank()) return Optional.empty();
        try {
            return Optional.of(EventCodec.mapper().readTree(node.asText()));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where() + ": " + dottedPath + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** {@code type "id"}, for messages. */
    public String where() {
        return type + " \"" + id + "\"";
    }

    /** The export line: the same fields, in the same order, as Kibana 8 writes them. */
    public ObjectNode toJson() {
        ObjectNode json = EventCodec.mapper().createObjectNode();
        json.set("attributes", attributes);
        if (coreVersion != null) json.put("coreMigrationVersion", coreVersion);
        json.put("id", id);
        // Kibana before 8.8 reads migrationVersion, later ones typeMigrationVersion: both say the same.
        if (typeVersion != null) json.putObject("migrationVersion").put(type, typeVersion);
        var refs = json.putArray("references");
        for (Reference r : references) refs.addObject().put("id", r.id()).put("name", r.name()).put("type", r.type());
        json.put("type", type);
        if (typeVersion != null) json.put("typeMigrationVersion", typeVersion);
        return json;
    }

    /** Reads one object of an export line or of a Fleet package file. */
    public static SavedObject fromJson(JsonNode json) {
        if (!json.isObject()) throw new IllegalArgumentException("a saved object is a JSON object, not " + json.getNodeType());
        String type = json.path("type").asText("");
        String id = json.path("id").asText("");
        JsonNode attributes = json.path("attributes");
        if (type.isEmpty() || id.isEmpty()) throw new IllegalArgumentException("a saved object needs \"type\" and \"id\"");
        if (!attributes.isObject()) throw new IllegalArgumentException(type + " \"" + id + "\" has no \"attributes\" object");
        JsonNode refs = json.path("references");
        if (!refs.isMissingNode() && !refs.isArray()) throw new IllegalArgumentException(type + " \"" + id + "\": \"references\" is not a list");
        List<Reference> references = new java.util.ArrayList<>();
        for (JsonNode r : refs) {
            if (!r.path("name").isTextual() || !r.path("type").isTextual() || !r.path("id").isTextual()) {
                throw new IllegalArgumentException(type + " \"" + id + "\" has a reference without name, type or id: " + r);
            }
            references.add(new Reference(r.get("name").asText(), r.get("type").asText(), r.get("id").asText()));
        }
        String typeVersion = json.path("typeMigrationVersion").isTextual() ? json.get("typeMigrationVersion").asText()
                : json.path("migrationVersion").path(type).isTextual() ? json.get("migrationVersion").get(type).asText() : null;
        String coreVersion = json.path("coreMigrationVersion").isTextual() ? json.get("coreMigrationVersion").asText() : null;
        return new SavedObject(type, id, (ObjectNode) attributes, references, typeVersion, coreVersion);
    }
}
