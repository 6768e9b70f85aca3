package org.fleetrec.detection.sigma;

import java.util.List;

/**
 * One named search: alternatives OR-ed together, each an AND of clauses. A map is one
 * alternative; a list of maps is several; a list of plain values is one keyword clause.
 */
public record SearchIdentifier(String name, List<List<Clause>> alternatives) {
    public SearchIdentifier {
        alternatives = alternatives.stream().map(List::copyOf).toList();
    }

    /**
     * {@code field|mod1|mod2: values}. {@code field} is null for keywords (values matched against the
     * event's text fields); {@code values} holds strings, with null for a YAML null.
     */
    public record Clause(String field, List<String> modifiers, List<String> values) {
        public Clause {
            modifiers = List.copyOf(modifiers);
            values = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values));
        }

        public boolean isKeyword() {
            return field == null;
        }

        /** As written in the rule, for messages. */
        public String key() {
            return (field == null ? "" : field) + (modifiers.isEmpty() ? "" : "|" + String.join("|", modifiers));
        }
    }
}
