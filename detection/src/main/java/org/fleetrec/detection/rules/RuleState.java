package org.fleetrec.detection.rules;

import java.util.Locale;

/**
 * What an analyst decided about a rule: it runs (enabled), it waits (disabled), or it is done with
 * (retired: it never runs again and stays listed, so alerts it raised still name a known rule).
 */
public enum RuleState {
    ENABLED, DISABLED, RETIRED;

    /** The spelling in documents and on the wire. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a state, any case; the message names the accepted ones. */
    public static RuleState parse(String text) {
        if (text != null) {
            for (RuleState state : values()) {
                if (state.id().equalsIgnoreCase(text.strip())) return state;
            }
        }
        throw new IllegalArgumentException("not a rule state: " + text + " (one of enabled, disabled, retired)");
    }
}
