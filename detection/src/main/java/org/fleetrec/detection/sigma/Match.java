package org.fleetrec.detection.sigma;

/** A rule that an event satisfied. */
public record Match(CompiledRule rule) {
    public String id() {
        return rule.id();
    }

    public String title() {
        return rule.title();
    }

    public String level() {
        return rule.level();
    }
}
