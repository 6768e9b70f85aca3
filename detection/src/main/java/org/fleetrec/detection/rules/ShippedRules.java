package org.fleetrec.detection.rules;

import java.util.List;
import java.util.Map;

/** The rule set every ingest server runs without configuration. */
public final class ShippedRules {
    private ShippedRules() {
    }

    /** The shipped rules, plus those the environment adds to them. */
    public static List<RuleSource> sources(Map<String, String> env) {
        return List.of();
    }
}
