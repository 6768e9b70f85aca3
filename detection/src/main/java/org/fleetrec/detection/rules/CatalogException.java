package org.fleetrec.detection.rules;

/** A catalogue change that was not made, with the reason for the person who asked. */
public final class CatalogException extends Exception {
    /** Why: the rule itself is refused, its id is taken, there is no such rule, or its state forbids the change. */
    public enum Kind { REFUSED, DUPLICATE, NOT_FOUND, CONFLICT }

    private final Kind kind;

    CatalogException(Kind kind, String reason) {
        super(reason);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public String reason() {
        return getMessage();
    }
}
