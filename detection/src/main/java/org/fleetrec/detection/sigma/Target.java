package org.fleetrec.detection.sigma;

import java.util.List;

/** Where a Sigma field lands in the project's documents, as {@link FieldMapping} decides. */
sealed interface Target {
    /** The value is tested on each field (under its guard, if any); the results are OR-ed. */
    record Fields(List<Guarded> fields, Rewrite rewrite) implements Target {
        public Fields {
            fields = List.copyOf(fields);
        }
    }

    /** A field read only on documents the guard admits (null guard: every document). */
    record Guarded(Expr guard, EventField field) {
    }

    /** Each value becomes an expression of its own (value vocabularies that differ, like {@code type: EXECVE}). */
    record Values(ValueMapper mapper) implements Target {
    }

    /** The project's documents cannot express this field. */
    record Unavailable(String reason) implements Target {
    }

    /** Turns a rule value into the spelling the document uses; {@code whole} when the value must equal the field. */
    @FunctionalInterface
    interface Rewrite {
        String apply(String literal, boolean whole) throws RuleException;
    }

    @FunctionalInterface
    interface ValueMapper {
        /** {@code modifiers} are the clause's modifiers; a mapper refuses those it cannot honour. */
        Expr map(String value, List<String> modifiers) throws RuleException;
    }

    static Target ecs(String... paths) {
        return new Fields(java.util.Arrays.stream(paths).map(p -> new Guarded(null, new EventField.Path(p))).toList(), null);
    }

    static Target guarded(Expr guard, EventField field) {
        return new Fields(List.of(new Guarded(guard, field)), null);
    }
}
