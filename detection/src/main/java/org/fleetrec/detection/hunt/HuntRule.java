package org.fleetrec.detection.hunt;

import org.fleetrec.detection.alert.RuleRef;
import org.fleetrec.detection.sigma.CompiledRule;
import org.fleetrec.detection.sigma.EsQueryTranslator;
import org.fleetrec.detection.sigma.EsTranslation;
import org.fleetrec.detection.sigma.Rejected;
import org.fleetrec.detection.sigma.RuleSet;
import org.fleetrec.model.EventDocument;

/**
 * One Sigma rule, written by hand or taken from the catalogue, compiled exactly as live detection
 * compiles it: a trial or a hunt finds what the rule would have found on the live stream.
 */
public final class HuntRule {
    /** Names the rule in reports when it came in a request rather than from a file. */
    public static final String SOURCE = "request";

    private final RuleSet set;
    private final CompiledRule rule;
    private final RuleRef ref;

    private HuntRule(RuleSet set, RuleRef ref) {
        this.set = set;
        this.rule = set.rules().get(0);
        this.ref = ref;
    }

    /** The rule of {@code yaml}; refused with the engine's reason when it does not load. */
    public static HuntRule parse(String yaml) throws HuntRefused {
        if (yaml == null || yaml.isBlank()) throw new HuntRefused("no rule: give the rule's YAML");
        RuleSet set = RuleSet.builder().add(SOURCE, yaml).build();
        if (set.rules().isEmpty()) {
            Rejected r = set.rejected().get(0);
            throw new HuntRefused("the rule was refused (" + (r.unsupported() ? "unsupported" : "invalid") + "): " + r.reason());
        }
        CompiledRule rule = set.rules().get(0);
        try {
            return new HuntRule(set, refOf(rule));
        } catch (IllegalArgumentException e) {
            throw new HuntRefused("the rule was refused (invalid): " + e.getMessage());
        }
    }

    /** Whether the rule matches the document, as live detection decides it. */
    public boolean matches(EventDocument doc) {
        return !set.evaluate(doc).isEmpty();
    }

    /**
     * What an alert of a compiled rule names, for live detection and hunts alike: a rule file without
     * an id is named by its source, so it alerts too.
     *
     * @throws IllegalArgumentException when the rule's name cannot name an alert (too long)
     */
    public static RuleRef refOf(CompiledRule rule) {
        return RuleRef.of(rule.rule().name(), rule.title(), rule.level(), rule.rule().tags());
    }

    /** What an alert of this rule names. */
    public RuleRef ref() {
        return ref;
    }

    public EsTranslation translation() {
        return EsQueryTranslator.translate(rule);
    }
}
