package org.fleetrec.detection.sigma;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sigma rule YAML to {@link SigmaRule}. Structure only: what the fields and modifiers mean for the
 * project's documents is the compiler's business. Anything this reader cannot represent faithfully
 * is refused with the reason, never half-read.
 */
public final class SigmaParser {
    /** The longest rule text read: anything longer is refused before parsing. */
    public static final int MAX_YAML_CHARS = SigmaYaml.MAX_CHARS;

    private SigmaParser() {
    }

    public static SigmaRule parse(String source, String yaml) throws RuleException {
        Object root = SigmaYaml.read(yaml);
        if (!(root instanceof Map<?, ?> top)) throw RuleException.invalid("a rule is a YAML map");
        Map<String, Object> rule = strings(top);
        if (rule.containsKey("correlation")) throw RuleException.unsupported("correlation rule (events across rules are not correlated)");
        if (rule.containsKey("filter") && !rule.containsKey("detection")) {
            throw RuleException.unsupported("meta filter (filters that amend other rules are not applied)");
        }
        if (rule.containsKey("action")) throw RuleException.unsupported("rule collection action '" + rule.get("action") + "'");
        String title = text(rule, "title");
        if (title == null || title.isBlank()) throw RuleException.invalid("no title");
        Object logsource = rule.get("logsource");
        if (!(logsource instanceof Map<?, ?> ls)) throw RuleException.invalid("no logsource map");
        Map<String, Object> l = strings(ls);
        LogSource source1 = new LogSource(lower(text(l, "product")), lower(text(l, "category")), lower(text(l, "service")));
        Object detection = rule.get("detection");
        if (!(detection instanceof Map<?, ?> d)) throw RuleException.invalid("no detection map");
        return new SigmaRule(source, text(rule, "id"), title, text(rule, "status"), lower(text(rule, "level")),
                text(rule, "description"), list(rule, "tags"), list(rule, "references"), list(rule, "falsepositives"),
                text(rule, "author"), source1, detection(strings(d)));
    }

    private static Detection detection(Map<String, Object> d) throws RuleException {
        Object condition = d.get("condition");
        List<String> conditions = new ArrayList<>();
        if (condition instanceof String c) {
            conditions.add(c);
        } else if (condition instanceof List<?> cs && !cs.isEmpty()) {
            for (Object c : cs) {
                if (!(c instanceof String s)) throw RuleException.invalid("condition list holds a non-string");
                conditions.add(s);
            }
        } else {
            throw RuleException.invalid("detection has no condition");
        }
        if (d.containsKey("timeframe")) throw RuleException.unsupported("timeframe (aggregation over a time window)");
        Map<String, SearchIdentifier> searches = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : d.entrySet()) {
            if (e.getKey().equals("condition")) continue;
            searches.put(e.getKey(), search(e.getKey(), e.getValue()));
        }
        if (searches.isEmpty()) throw RuleException.invalid("detection has no search identifiers");
        return new Detection(searches, conditions);
    }

    private static SearchIdentifier search(String name, Object value) throws RuleException {
        List<List<SearchIdentifier.Clause>> alternatives = new ArrayList<>();
        if (value instanceof Map<?, ?> map) {
            alternatives.add(clauses(name, strings(map)));
        } else if (value instanceof List<?> list) {
            List<String> keywords = new ArrayList<>();
            for (Object item : list) {
                if (item instanceof Map<?, ?> map) {
                    alternatives.add(clauses(name, strings(map)));
                } else if (item instanceof List<?>) {
                    throw RuleException.invalid("search '" + name + "' holds a list inside a list");
                } else {
                    keywords.add(scalar(item));
                }
            }
            if (!keywords.isEmpty()) alternatives.add(List.of(new SearchIdentifier.Clause(null, List.of(), keywords)));
        } else {
            alternatives.add(List.of(new SearchIdentifier.Clause(null, List.of(), java.util.Collections.singletonList(scalar(value)))));
        }
        if (alternatives.isEmpty()) throw RuleException.invalid("search '" + name + "' is empty");
        return new SearchIdentifier(name, alternatives);
    }

    private static List<SearchIdentifier.Clause> clauses(String search, Map<String, Object> map) throws RuleException {
        if (map.isEmpty()) throw RuleException.invalid("search '" + search + "' holds an empty map");
        List<SearchIdentifier.Clause> clauses = new ArrayList<>();
        for (Map.Entry<String, Object> e : map.entrySet()) {
            String[] parts = e.getKey().split("\\|", -1);
            String field = parts[0].isEmpty() ? null : parts[0];
            List<String> modifiers = Arrays.asList(parts).subList(1, parts.length);
            List<String> values = new ArrayList<>();
            if (e.getValue() instanceof List<?> list) {
                if (list.isEmpty()) throw RuleException.invalid("'" + e.getKey() + "' in '" + search + "' has an empty value list");
                for (Object v : list) values.add(scalar(v));
            } else {
                values.add(scalar(e.getValue()));
            }
            for (Object v : values) {
                if (v == null && field == null) throw RuleException.invalid("null keyword in '" + search + "'");
            }
            clauses.add(new SearchIdentifier.Clause(field, modifiers, values));
        }
        return clauses;
    }

    /** A value as a string; null for the YAML null. Maps and lists are not values. */
    private static String scalar(Object v) throws RuleException {
        if (v == SigmaYaml.NULL) return null;
        if (v instanceof String s) return s;
        throw RuleException.invalid("a map or list where a value was expected");
    }

    private static Map<String, Object> strings(Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    private static String text(Map<String, Object> map, String key) throws RuleException {
        Object v = map.get(key);
        if (v == null || v == SigmaYaml.NULL) return null;
        if (v instanceof String s) return s;
        throw RuleException.invalid("'" + key + "' is not a plain value");
    }

    private static List<String> list(Map<String, Object> map, String key) throws RuleException {
        Object v = map.get(key);
        if (v == null || v == SigmaYaml.NULL) return List.of();
        if (v instanceof String s) return List.of(s);
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof String s) out.add(s);
                else if (o != SigmaYaml.NULL) throw RuleException.invalid("'" + key + "' holds a non-string");
            }
            return out;
        }
        throw RuleException.invalid("'" + key + "' is not a list");
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(java.util.Locale.ROOT);
    }
}
