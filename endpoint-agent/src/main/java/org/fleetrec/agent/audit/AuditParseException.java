package org.fleetrec.agent.audit;

/**
 * Thrown when audit text cannot be parsed at all (no {@code audit(sec.ms:serial)} header, bad numbers,
 * unknown record type name). Unchecked because record text comes from the kernel or from log files and a
 * bad line is a data problem the caller usually counts and skips, not a programming error to propagate.
 */
public final class AuditParseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AuditParseException(String message) {
        super(message);
    }

    public AuditParseException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Error text quoting a bounded prefix of the input, so huge attacker-made lines don't flood logs. */
    static AuditParseException of(String problem, String input) {
        String shown = input == null ? "null"
                : input.length() <= 120 ? input : input.substring(0, 120) + "...(" + input.length() + " chars)";
        return new AuditParseException(problem + ": " + shown);
    }
}
