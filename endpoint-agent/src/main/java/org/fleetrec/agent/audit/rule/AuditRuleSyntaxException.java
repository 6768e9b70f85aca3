package org.fleetrec.agent.audit.rule;

/**
 * A rule line that {@link AuditRuleParser} refuses. The message is meant for the person who typed the rule:
 * it names the offending token and, where it helps, what to write instead.
 */
public final class AuditRuleSyntaxException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String token;

    public AuditRuleSyntaxException(String token, String message) {
        super(message);
        this.token = token;
    }

    /** The token (option with its argument, e.g. {@code -F uid=bob}) that was refused; empty for a blank line. */
    public String token() {
        return token;
    }
}
