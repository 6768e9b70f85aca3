package org.fleetrec.detection.sigma;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A copy of a rule whose every field value is changed into one no event holds: it must never fire where the original did. */
final class RuleMutation {
    private RuleMutation() {
    }

    static SigmaRule mutate(SigmaRule rule) {
        Map<String, SearchIdentifier> searches = new LinkedHashMap<>();
        rule.detection().searches().forEach((name, s) -> {
            List<List<SearchIdentifier.Clause>> alternatives = new ArrayList<>();
            for (List<SearchIdentifier.Clause> clauses : s.alternatives()) {
                alternatives.add(clauses.stream().map(RuleMutation::mutate).toList());
            }
            searches.put(name, new SearchIdentifier(name, alternatives));
        });
        return new SigmaRule("mutated-" + rule.source(), rule.id() + "-mutated", rule.title(), rule.status(), rule.level(),
                rule.description(), rule.tags(), rule.references(), rule.falsePositives(), rule.author(), rule.logsource(),
                new Detection(searches, rule.detection().conditions()));
    }

    private static SearchIdentifier.Clause mutate(SearchIdentifier.Clause c) {
        if (c.modifiers().contains("exists") || c.modifiers().contains("fieldref")) return c;
        List<String> values = new ArrayList<>();
        for (String v : c.values()) {
            if (v == null) values.add(null);
            else if (c.modifiers().contains("re")) values.add("mutated7q");
            else if (c.modifiers().contains("cidr")) values.add("192.0.2.123/32");
            else if (v.matches("-?\\d+")) values.add("987654321");
            else if (v.matches("(?i)[DQ]WORD \\(.*\\)")) values.add("DWORD (0x0badf00d)");
            else if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) values.add(v.equalsIgnoreCase("true") ? "false" : "true");
            else values.add("q7x-" + v + "-x7q");
        }
        return new SearchIdentifier.Clause(c.field(), c.modifiers(), values);
    }
}
