package org.fleetrec.templates.kibana;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.templates.TemplateSet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The fields each index template gives its indices, as Elasticsearch composes them: the component
 * templates of {@code composed_of} in order, then the template's own mappings. Multi-fields
 * ({@code process.command_line.text}) are fields of their own.
 *
 * <p>A field that is not mapped explicitly counts only under an object the templates declare
 * {@code "dynamic": true} themselves (such as {@code auditd.data}); there it gets the type the
 * dynamic templates give a string. The event templates' root is dynamic too, so every name would
 * "exist" there: counting that would make a typo in a dashboard look mapped.
 */
final class TemplateMappings {
    /** A mapped field: its Elasticsearch type, whether it is indexed and whether it has doc values. */
    record Field(String type, boolean indexed, boolean docValues) {
        private static final Set<String> NUMERIC = Set.of("long", "integer", "short", "byte", "double", "float",
                "half_float", "scaled_float", "unsigned_long");
        private static final Set<String> AGGREGATABLE = Set.of("keyword", "constant_keyword", "date", "date_nanos", "ip",
                "boolean");

        boolean numeric() {
            return NUMERIC.contains(type);
        }

        boolean date() {
            return "date".equals(type) || "date_nanos".equals(type);
        }

        boolean aggregatable() {
            return docValues && (numeric() || AGGREGATABLE.contains(type));
        }
    }

    /** One composable (or legacy-shaped) index template, resolved. */
    record Template(String name, List<String> indexPatterns, Map<String, Field> fields, List<String> dynamicObjects,
                    List<JsonNode> dynamicTemplates) {

        Optional<Field> field(String path) {
            Field explicit = fields.get(path);
            if (explicit != null) return Optional.of(explicit);
            String container = dynamicObjects.stream().filter(o -> path.startsWith(o + ".")).findFirst().orElse(null);
            if (container == null) return Optional.empty();
            return Optional.of(dynamicStringField(path));
        }

        /** What Elasticsearch maps a new string field to: the first dynamic template that matches, else text. */
        private Field dynamicStringField(String path) {
            String leaf = path.substring(path.lastIndexOf('.') + 1);
            for (JsonNode named : dynamicTemplates) {
                JsonNode t = named.elements().next();
                String mappingType = t.path("match_mapping_type").asText("*");
                if (!mappingType.equals("*") && !mappingType.equals("string")) continue;
                if (t.has("match") && !glob(t.get("match").asText()).matcher(leaf).matches()) continue;
                if (t.has("unmatch") && glob(t.get("unmatch").asText()).matcher(leaf).matches()) continue;
                if (t.has("path_match") && !glob(t.get("path_match").asText()).matcher(path).matches()) continue;
                if (t.has("path_unmatch") && glob(t.get("path_unmatch").asText()).matcher(path).matches()) continue;
                return leaf(t.path("mapping"));
            }
            return new Field("text", true, false);
        }

        /** Whether an index of this template can match a data view's index pattern (comma list, * wildcards). */
        boolean matches(String dataViewTitle) {
            for (String pattern : indexPatterns) {
                String sampleIndex = pattern.replace("*", "2025.01.01");
                for (String wanted : dataViewTitle.split(",")) {
                    if (glob(wanted.trim()).matcher(sampleIndex).matches()) return true;
                }
            }
            return false;
        }
    }

    private TemplateMappings() {
    }

    /** Every index template of {@link TemplateSet}, resolved through its components. */
    static List<Template> all() {
        Map<String, ObjectNode> components = TemplateSet.componentTemplates();
        List<Template> templates = new ArrayList<>();
        TemplateSet.indexTemplates().forEach((name, body) -> {
            List<JsonNode> mappings = new ArrayList<>();
            for (JsonNode component : body.path("composed_of")) {
                ObjectNode c = components.get(component.asText());
                if (c == null) throw new IllegalStateException(name + " is composed of a missing component " + component.asText());
                mappings.add(c.path("template").path("mappings"));
            }
            mappings.add(body.path("template").path("mappings"));
            Map<String, Field> fields = new LinkedHashMap<>();
            List<String> dynamicObjects = new ArrayList<>();
            List<JsonNode> dynamicTemplates = new ArrayList<>();
            for (JsonNode mapping : mappings) {
                collect("", mapping.path("properties"), fields, dynamicObjects);
                mapping.path("dynamic_templates").forEach(dynamicTemplates::add);
            }
            List<String> patterns = new ArrayList<>();
            body.path("index_patterns").forEach(p -> patterns.add(p.asText()));
            templates.add(new Template(name, List.copyOf(patterns), Map.copyOf(fields), List.copyOf(dynamicObjects),
                    List.copyOf(dynamicTemplates)));
        });
        return templates;
    }

    static List<Template> matching(String dataViewTitle) {
        return all().stream().filter(t -> t.matches(dataViewTitle)).toList();
    }

    private static void collect(String prefix, JsonNode properties, Map<String, Field> fields, List<String> dynamicObjects) {
        properties.properties().forEach(entry -> {
            String path = prefix + entry.getKey();
            JsonNode node = entry.getValue();
            String type = node.path("type").asText("object");
            if (type.equals("object") || type.equals("nested")) {
                JsonNode dynamic = node.path("dynamic");
                if (dynamic.asText().equals("true")) dynamicObjects.add(path);
                collect(path + ".", node.path("properties"), fields, dynamicObjects);
                return;
            }
            fields.put(path, leaf(node));
            node.path("fields").properties().forEach(sub -> fields.put(path + "." + sub.getKey(), leaf(sub.getValue())));
        });
    }

    private static Field leaf(JsonNode node) {
        String type = node.path("type").asText("object");
        boolean indexed = node.path("index").asBoolean(true);
        // text has no doc values; every other type has them unless turned off.
        boolean docValues = !type.equals("text") && node.path("doc_values").asBoolean(true);
        return new Field(type, indexed, docValues);
    }

    /** An index-pattern or dynamic-template glob: * is any run of characters. */
    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!regex.isEmpty()) regex.append(".*");
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}
