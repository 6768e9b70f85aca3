package org.fleetrec.detection.sigma;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventDocument;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Compiled Sigma rules, indexed by the class of event they can apply to (OS, kind, collector):
 * an event meets only the rules of its class. Every rule offered is either loaded or listed in
 * {@link #rejected()} with its reason. Immutable once built and safe to share between threads.
 */
public final class RuleSet {
    private final List<CompiledRule> rules;
    private final List<Rejected> rejected;
    private final Node.FieldTable table;
    private final CompiledRule[][] byClass;

    private RuleSet(List<CompiledRule> rules, List<Rejected> rejected, Node.FieldTable table) {
        this.rules = List.copyOf(rules);
        this.rejected = List.copyOf(rejected);
        this.table = table;
        this.byClass = new CompiledRule[EventClass.COUNT][];
        for (int i = 0; i < EventClass.COUNT; i++) {
            EventClass c = EventClass.of(i);
            byClass[i] = rules.stream().filter(r -> r.scope().accepts(c)).toArray(CompiledRule[]::new);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every {@code .yml}/{@code .yaml} file under {@code directory}, in path order. */
    public static RuleSet load(Path directory) throws IOException {
        return builder().addDirectory(directory).build();
    }

    /** The rules the event satisfies, in load order; an empty list (not a new one) when none. */
    public List<Match> evaluate(EventDocument doc) {
        ObjectNode root = doc.json();
        CompiledRule[] candidates = byClass[EventClass.indexOf(root)];
        if (candidates.length == 0) return List.of();
        EventView view = new EventView(root, table);
        List<Match> out = null;
        for (CompiledRule r : candidates) {
            if (r.matches(view)) {
                if (out == null) out = new ArrayList<>(2);
                out.add(r.match());
            }
        }
        return out == null ? List.of() : Collections.unmodifiableList(out);
    }

    public List<CompiledRule> rules() {
        return rules;
    }

    public List<Rejected> rejected() {
        return rejected;
    }

    public static final class Builder {
        private final List<RuleCompiler.Bound> bound = new ArrayList<>();
        private final List<Rejected> rejected = new ArrayList<>();
        private final Set<String> ids = new HashSet<>();

        private Builder() {
        }

        public Builder addDirectory(Path directory) throws IOException {
            for (Path f : RuleFiles.list(directory)) add(directory.relativize(f).toString(), f);
            return this;
        }

        public Builder add(Path file) {
            return add(file.getFileName().toString(), file);
        }

        private Builder add(String source, Path file) {
            try {
                return add(source, RuleFiles.read(file));
            } catch (RuleException e) {
                rejected.add(new Rejected(source, null, null, e.reason(), false));
                return this;
            }
        }

        /** One rule from its YAML text; {@code source} names it in reports. */
        public Builder add(String source, String yaml) {
            SigmaRule rule;
            try {
                rule = SigmaParser.parse(source, yaml);
            } catch (RuleException e) {
                rejected.add(new Rejected(source, null, null, e.reason(), e.isUnsupported()));
                return this;
            }
            return add(rule);
        }

        public Builder add(SigmaRule rule) {
            if (rule.id() != null && !ids.add(rule.id())) {
                rejected.add(new Rejected(rule.source(), rule.id(), rule.title(), "duplicate rule id", false));
                return this;
            }
            try {
                bound.add(RuleCompiler.bind(rule));
            } catch (RuleException e) {
                rejected.add(new Rejected(rule.source(), rule.id(), rule.title(), e.reason(), e.isUnsupported()));
            }
            return this;
        }

        public RuleSet build() {
            Node.FieldTable table = new Node.FieldTable();
            List<CompiledRule> rules = new ArrayList<>();
            for (RuleCompiler.Bound b : bound) rules.add(new CompiledRule(b, table));
            return new RuleSet(rules, rejected, table);
        }
    }
}
