package org.fleetrec.detection.rules;

import org.fleetrec.detection.sigma.Rejected;
import org.fleetrec.detection.sigma.RuleException;
import org.fleetrec.detection.sigma.RuleSet;
import org.fleetrec.detection.sigma.SigmaParser;
import org.fleetrec.detection.sigma.SigmaRule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rules one server runs: its own (shipped, then folders) as the catalogue says (an analyst may
 * have disabled some), and the analysts' added rules from the catalogue. It publishes its own to the
 * catalogue, loaded or refused, then follows the catalogue: {@link #refresh()} gives a new rule set
 * only when something the server runs changed. Not thread-safe: one thread drives it.
 */
public final class CatalogRules {
    private static final Logger log = LoggerFactory.getLogger(CatalogRules.class);

    /** One of the server's own rules: its key, what is published about it, and the rule when it loads. */
    private record Local(String key, RuleEntry entry, SigmaRule rule) {
    }

    private final RuleCatalog catalog;
    private final String publisher;
    private List<Local> local;
    private final RuleSet initial;
    private Map<String, RuleCatalog.Revision> seen;
    private boolean published;

    /** Parses and compiles the server's own rules; nothing is read from or written to the catalogue yet. */
    public CatalogRules(RuleCatalog catalog, LocalRules rules, String publisher) {
        this.catalog = catalog;
        this.publisher = publisher;
        List<RuleSource> sources = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (RuleSource s : rules.sources()) {
            if (names.add(s.origin() + ":" + s.name())) sources.add(s); // a folder named twice is read once
        }
        Map<String, SigmaRule> parsed = new HashMap<>();
        Map<String, Rejected> refused = new HashMap<>();
        RuleSet.Builder builder = RuleSet.builder();
        for (RuleSource s : sources) {
            String name = s.origin() + ":" + s.name();
            try {
                SigmaRule rule = SigmaParser.parse(name, s.yaml());
                parsed.put(name, rule);
                builder.add(rule);
            } catch (RuleException e) {
                refused.put(name, new Rejected(name, null, null, e.reason(), e.isUnsupported()));
            }
        }
        this.initial = builder.build();
        for (Rejected r : initial.rejected()) refused.put(r.source(), r);
        List<Local> all = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (RuleSource s : sources) {
            String name = s.origin() + ":" + s.name();
            SigmaRule rule = parsed.get(name);
            Rejected r = refused.get(name);
            String key = RuleCatalog.keyFor(rule == null ? null : rule.id(), s.origin(), s.name());
            if (!keys.add(key)) key = RuleCatalog.keyFor(null, s.origin(), s.name()); // a duplicate id: listed under its file
            keys.add(key);
            all.add(new Local(key, entry(key, s, rule, r == null ? null : reason(r), r != null && r.unsupported()), r == null ? rule : null));
        }
        for (Rejected u : rules.unreadable()) {
            String key = RuleCatalog.keyFor(null, RuleCatalog.FOLDER, u.source());
            all.add(new Local(key, entry(key, new RuleSource(RuleCatalog.FOLDER, u.source(), null), null, "invalid: " + u.reason(), false), null));
        }
        this.local = all;
    }

    private static RuleEntry entry(String key, RuleSource s, SigmaRule rule, String refusal, boolean unsupported) {
        String yaml = s.yaml() != null && s.yaml().length() <= SigmaParser.MAX_YAML_CHARS ? s.yaml() : null;
        return new RuleEntry(key, rule == null ? null : rule.id(), rule == null ? null : rule.title(), rule == null ? null : rule.level(),
                rule == null ? List.of() : rule.tags(), rule == null ? null : rule.logsource(), s.origin(), s.name(),
                RuleState.ENABLED, refusal == null, unsupported, refusal, null, null, null, yaml);
    }

    private static String reason(Rejected r) {
        return (r.unsupported() ? "unsupported: " : "invalid: ") + r.reason();
    }

    /** The server's own rules that load, all of them: what runs until the catalogue can be read. */
    public RuleSet initial() {
        return initial;
    }

    /** The server's own rules that did not load, with their reasons. */
    public List<RuleEntry> refused() {
        return local.stream().map(Local::entry).filter(e -> !e.loaded()).toList();
    }

    /**
     * Publishes the server's own rules. A rule whose id an analyst's added rule holds already does not
     * run (the catalogue's rule of that id is the added one) and is listed as refused under its file.
     */
    public void publish() throws IOException {
        Map<String, RuleCatalog.Revision> current = catalog.watched();
        List<Local> updated = new ArrayList<>();
        for (Local l : local) {
            RuleCatalog.Revision holder = current.get(l.key());
            if (holder != null && RuleCatalog.API.equals(holder.origin())) {
                RuleEntry e = l.entry();
                String key = RuleCatalog.keyFor(null, e.origin(), e.source());
                updated.add(new Local(key, new RuleEntry(key, e.id(), e.title(), e.level(), e.tags(), e.logsource(), e.origin(), e.source(),
                        RuleState.ENABLED, false, false, "invalid: duplicate rule id (an added rule holds it)", null, null, null, e.yaml()), null));
            } else {
                updated.add(l);
            }
        }
        for (String unstored : catalog.publish(updated.stream().map(Local::entry).toList(), publisher)) {
            log.warn("rule not listed in the catalogue: {}", unstored);
        }
        local = updated;
        published = true;
        seen = null;
    }

    /**
     * Reads the catalogue and gives the rule set to run when it differs from the last one given (or
     * none was given yet); empty when nothing changed. Throws when the catalogue cannot be read: the
     * rules in force stay. Publishes first if that has not been done.
     */
    public Optional<RuleSet> refresh() throws IOException {
        if (!published) publish();
        Map<String, RuleCatalog.Revision> now = catalog.watched();
        if (now.equals(seen)) return Optional.empty();
        boolean anyAdded = now.values().stream().anyMatch(r -> RuleCatalog.API.equals(r.origin()) && r.state() == RuleState.ENABLED);
        List<RuleEntry> added = anyAdded ? catalog.enabledAdded() : List.of();
        RuleSet.Builder builder = RuleSet.builder();
        for (Local l : local) {
            RuleCatalog.Revision r = now.get(l.key());
            if (l.rule() != null && (r == null || r.state() == RuleState.ENABLED)) builder.add(l.rule());
        }
        Map<String, RuleEntry> byName = new HashMap<>();
        for (RuleEntry e : added) {
            String name = RuleCatalog.API + ":" + e.key();
            byName.put(name, e);
            builder.add(name, e.yaml() == null ? "" : e.yaml());
        }
        RuleSet rules = builder.build();
        for (Rejected r : rules.rejected()) {
            RuleEntry e = byName.get(r.source());
            if (e == null) continue;
            log.warn("added rule {} not loaded: {}", e.key(), r.reason());
            if (e.loaded()) catalog.markRefused(e.key(), reason(r), r.unsupported());
        }
        seen = now;
        return Optional.of(rules);
    }
}
