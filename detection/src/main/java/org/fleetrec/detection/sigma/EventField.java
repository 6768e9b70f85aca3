package org.fleetrec.detection.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a value is read from an event document. Most are plain ECS paths; a few are positions
 * in an array or values derived from several fields. {@link #key()} identifies a field across a
 * rule set so each is read once per event however many rules ask for it.
 */
sealed interface EventField {
    String[] NONE = new String[0];

    String key();

    /** The field's values as text (arrays flattened; nulls and objects left out). */
    String[] values(ObjectNode root);

    /** True when the field is present (even if it holds no scalar). */
    default boolean present(ObjectNode root) {
        return values(root).length > 0;
    }

    /** A dotted ECS path, split once. */
    final class Path implements EventField {
        private final String name;
        private final String[] steps;

        Path(String name) {
            this.name = name;
            this.steps = name.split("\\.");
        }

        String name() {
            return name;
        }

        @Override
        public String key() {
            return name;
        }

        @Override
        public String[] values(ObjectNode root) {
            return texts(node(root));
        }

        @Override
        public boolean present(ObjectNode root) {
            JsonNode n = node(root);
            return n != null && !n.isNull();
        }

        JsonNode node(ObjectNode root) {
            JsonNode node = root;
            for (String step : steps) {
                if (node == null || !node.isObject()) return null;
                node = node.get(step);
            }
            return node;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Path p && p.name.equals(name);
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** One element of an array field, 0-based ({@code process.args[1]}). */
    record Element(Path array, int index) implements EventField {
        @Override
        public String key() {
            return array.name() + "[" + index + "]";
        }

        @Override
        public String[] values(ObjectNode root) {
            JsonNode n = array.node(root);
            if (n == null || !n.isArray() || index >= n.size()) return NONE;
            return texts(n.get(index));
        }
    }

    /** A value computed from the document; see {@link DerivedFields}. */
    record Derived(String name, java.util.function.Function<ObjectNode, String[]> compute) implements EventField {
        @Override
        public String key() {
            return "derived:" + name;
        }

        @Override
        public String[] values(ObjectNode root) {
            return compute.apply(root);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Derived d && d.name.equals(name);
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }
    }

    static String[] texts(JsonNode n) {
        if (n == null || n.isNull()) return NONE;
        if (n.isArray()) {
            List<String> out = new ArrayList<>(n.size());
            for (JsonNode e : n) if (e.isValueNode() && !e.isNull()) out.add(e.asText());
            return out.toArray(NONE);
        }
        return n.isValueNode() ? new String[]{n.asText()} : NONE;
    }
}
