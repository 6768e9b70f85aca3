package org.fleetrec.agent.filter;

import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.model.EventDocument;

import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * One include or exclude rule: every condition given must hold. Executables and paths match
 * exactly, or by prefix when they end with '*'.
 */
public record FilterRule(String dataset, String executable, String pathPrefix, String user, String key,
                         String ancestorExecutable) {
    private static final Set<String> FIELDS = Set.of("dataset", "executable", "path_prefix", "user", "key",
            "ancestor_executable");

    public static FilterRule fromJson(JsonNode node) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) throw new IllegalArgumentException("unknown filter condition '" + name + "'; known: " + FIELDS);
        }
        FilterRule rule = new FilterRule(text(node, "dataset"), text(node, "executable"), text(node, "path_prefix"),
                text(node, "user"), text(node, "key"), text(node, "ancestor_executable"));
        if (java.util.Arrays.asList(rule.dataset, rule.executable, rule.pathPrefix, rule.user, rule.key,
                rule.ancestorExecutable).stream().allMatch(v -> v == null)) {
            throw new IllegalArgumentException("a filter rule needs at least one condition");
        }
        return rule;
    }

    /** {@code ancestors} lists the executables above the event's process, nearest first. */
    boolean matches(EventDocument doc, List<String> ancestors) {
        if (dataset != null && !dataset.equals(doc.text("event.dataset"))) return false;
        if (executable != null && !like(executable, doc.text("process.executable"))) return false;
        if (pathPrefix != null) {
            String path = doc.text("file.path");
            if (path == null || !path.startsWith(pathPrefix)) return false;
        }
        if (user != null && !user.equals(doc.text("user.name")) && !user.equals(doc.text("user.id"))) return false;
        if (key != null && !hasValue(doc.get("auditd.key"), key)) return false;
        return ancestorExecutable == null || ancestors.stream().anyMatch(a -> like(ancestorExecutable, a));
    }

    private static boolean hasValue(com.fasterxml.jackson.databind.JsonNode node, String value) {
        if (node == null) return false;
        if (node.isArray()) {
            for (var element : node) if (value.equals(element.asText())) return true;
            return false;
        }
        return value.equals(node.asText());
    }

    boolean needsAncestors() {
        return ancestorExecutable != null;
    }

    private static boolean like(String pattern, String value) {
        if (value == null) return false;
        return pattern.endsWith("*") ? value.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(value);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        append(s, "dataset", dataset);
        append(s, "executable", executable);
        append(s, "path_prefix", pathPrefix);
        append(s, "user", user);
        append(s, "key", key);
        append(s, "ancestor_executable", ancestorExecutable);
        return s.toString();
    }

    private static void append(StringBuilder s, String name, String value) {
        if (value == null) return;
        if (!s.isEmpty()) s.append(' ');
        s.append(name).append('=').append(value);
    }
}
