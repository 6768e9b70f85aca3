package org.fleetrec.detection.sigma;

import java.util.concurrent.atomic.AtomicLong;

/** A loaded rule: the rule as written, bound to the project's documents and compiled for matching. */
public final class CompiledRule {
    private final SigmaRule rule;
    private final Scope scope;
    private final Expr detection;
    private final Node root;
    private final AtomicLong regexAbandoned;
    private final AtomicLong errors = new AtomicLong();
    private final Match match;

    CompiledRule(RuleCompiler.Bound bound, Node.FieldTable table) {
        this.rule = bound.rule();
        this.scope = bound.scope();
        this.detection = bound.detection();
        this.regexAbandoned = new AtomicLong();
        this.root = Node.compile(detection, table, regexAbandoned);
        this.match = new Match(this);
    }

    public SigmaRule rule() {
        return rule;
    }

    public String id() {
        return rule.id();
    }

    public String title() {
        return rule.title();
    }

    public String level() {
        return rule.level();
    }

    /** Regular expression searches abandoned for exceeding their work budget (each counted as no match). */
    public long regexSearchesAbandoned() {
        return regexAbandoned.get();
    }

    /** Evaluations that failed unexpectedly (counted as no match, the other rules unaffected). */
    public long errors() {
        return errors.get();
    }

    Scope scope() {
        return scope;
    }

    Expr detection() {
        return detection;
    }

    boolean matches(EventView view) {
        try {
            return root.eval(view);
        } catch (RuntimeException e) {
            errors.incrementAndGet();
            return false;
        }
    }

    Match match() {
        return match;
    }

    @Override
    public String toString() {
        return rule.title() + " (" + rule.name() + ")";
    }
}
