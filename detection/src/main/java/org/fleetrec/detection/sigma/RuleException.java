package org.fleetrec.detection.sigma;

/**
 * A rule that cannot be loaded, with the precise reason: malformed YAML or Sigma, or valid Sigma
 * that needs something this engine or the project's documents do not have.
 */
public final class RuleException extends Exception {
    private final boolean unsupported;

    private RuleException(String reason, boolean unsupported) {
        super(reason);
        this.unsupported = unsupported;
    }

    /** Valid Sigma the engine cannot honour (aggregation, unknown modifier, field with no counterpart...). */
    public static RuleException unsupported(String reason) {
        return new RuleException(reason, true);
    }

    /** Not valid Sigma (or not a rule at all). */
    public static RuleException invalid(String reason) {
        return new RuleException(reason, false);
    }

    public boolean isUnsupported() {
        return unsupported;
    }

    public String reason() {
        return getMessage();
    }
}
