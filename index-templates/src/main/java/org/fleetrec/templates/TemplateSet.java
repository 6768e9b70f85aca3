package org.fleetrec.templates;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.IndexNames;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every template the project installs, by name, with its body. Component templates are
 * resources; the per-dataset composable templates are derived here so the set cannot drift.
 */
public final class TemplateSet {
    /** Raised whenever any template body changes, so running clusters get the new one. */
    public static final int VERSION = 6;

    public static final String BASE = "fleet-ecs-base";
    public static final String SETTINGS = "fleet-settings";
    private static final List<String> OTHER_INDEX_TEMPLATES =
            List.of("fleet-hosts", "fleet-agents", "fleet-enrollment-secrets", "fleet-deadletter", "fleet-api-tokens", "fleet-users",
                    "fleet-audit", "fleet-alerts", "fleet-rules");

    private static final ObjectMapper JSON = new ObjectMapper();

    private TemplateSet() {
    }

    public static String component(Dataset dataset) {
        return "fleet-" + dataset.id();
    }

    public static String indexTemplate(Dataset dataset) {
        return IndexNames.EVENTS_PREFIX + dataset.id();
    }

    public static Map<String, ObjectNode> componentTemplates() {
        Map<String, ObjectNode> result = new LinkedHashMap<>();
        result.put(SETTINGS, versioned(resource("component/" + SETTINGS + ".json")));
        result.put(BASE, versioned(resource("component/" + BASE + ".json")));
        for (Dataset dataset : Dataset.values()) {
            result.put(component(dataset), versioned(resource("component/" + component(dataset) + ".json")));
        }
        return result;
    }

    public static Map<String, ObjectNode> indexTemplates() {
        Map<String, ObjectNode> result = new LinkedHashMap<>();
        for (Dataset dataset : Dataset.values()) {
            ObjectNode body = JSON.createObjectNode();
            body.putArray("index_patterns").add(IndexNames.EVENTS_PREFIX + dataset.id() + "-*");
            body.putArray("composed_of").add(SETTINGS).add(BASE).add(component(dataset));
            body.put("priority", 200);
            body.putObject("_meta").put("description", "Daily indices of the " + dataset.id() + " dataset.")
                    .put("managed_by", "fleetrec");
            result.put(indexTemplate(dataset), versioned(body));
        }
        for (String name : OTHER_INDEX_TEMPLATES) {
            result.put(name, versioned(resource("index/" + name + ".json")));
        }
        return result;
    }

    private static ObjectNode versioned(ObjectNode body) {
        body.put("version", VERSION);
        return body;
    }

    private static ObjectNode resource(String path) {
        try (InputStream in = TemplateSet.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("template resource missing: " + path);
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("template resource unreadable: " + path, e);
        }
    }
}
