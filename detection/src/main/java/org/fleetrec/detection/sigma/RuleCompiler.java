package org.fleetrec.detection.sigma;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Binds a parsed rule to the project's documents: logsource to a {@link Scope}, condition and searches to one {@link Expr}. */
final class RuleCompiler {
    /** A rule bound to the documents, before it is compiled for matching. */
    record Bound(SigmaRule rule, Scope scope, Expr detection) {
    }

    /** Encodings multiply values (windash by up to 625, base64offset by 3): the whole rule is capped. */
    static final int MAX_VALUE_TESTS = 500_000;

    private final SigmaRule rule;
    private final Scope scope;
    private final Map<String, Expr> searches = new HashMap<>();
    private long valueTests;

    private RuleCompiler(SigmaRule rule, Scope scope) {
        this.rule = rule;
        this.scope = scope;
    }

    static Bound bind(SigmaRule rule) throws RuleException {
        Scope scope = Scope.of(rule.logsource());
        RuleCompiler c = new RuleCompiler(rule, scope);
        List<Expr> conditions = new ArrayList<>();
        for (String text : rule.detection().conditions()) conditions.add(c.condition(ConditionParser.parse(text)));
        return new Bound(rule, scope, Expr.or(conditions));
    }

    private Expr condition(Condition cond) throws RuleException {
        if (cond instanceof Condition.And a) {
            List<Expr> parts = new ArrayList<>();
            for (Condition x : a.all()) parts.add(condition(x));
            return Expr.and(parts);
        }
        if (cond instanceof Condition.Or o) {
            List<Expr> parts = new ArrayList<>();
            for (Condition x : o.any()) parts.add(condition(x));
            return Expr.or(parts);
        }
        if (cond instanceof Condition.Not n) return Expr.not(condition(n.inner()));
        if (cond instanceof Condition.Ref r) {
            if (!rule.detection().searches().containsKey(r.name())) {
                throw RuleException.invalid("condition names '" + r.name() + "', which the detection does not define");
            }
            return search(r.name());
        }
        Condition.Of of = (Condition.Of) cond;
        List<String> names = new ArrayList<>();
        for (String name : rule.detection().searches().keySet()) {
            if (of.pattern() == null ? !name.startsWith("_") : matches(of.pattern(), name)) {
                names.add(name);
            }
        }
        String what = (of.count() == Condition.Of.ALL ? "all" : of.count()) + " of " + (of.pattern() == null ? "them" : of.pattern());
        if (names.isEmpty()) throw RuleException.invalid("'" + what + "' matches no search identifier");
        if (of.count() != 1 && of.count() != Condition.Of.ALL) {
            throw RuleException.unsupported("'" + what + "': only '1 of' and 'all of' are evaluated");
        }
        List<Expr> parts = new ArrayList<>();
        for (String n : names) parts.add(search(n));
        return of.count() == 1 ? Expr.or(parts) : Expr.and(parts);
    }

    /** Identifier patterns use {@code *} as wildcard, matched case-sensitively like identifiers. */
    private static boolean matches(String pattern, String name) {
        String[] parts = pattern.split("\\*", -1);
        if (parts.length == 1) return pattern.equals(name);
        if (!name.startsWith(parts[0])) return false;
        int from = parts[0].length();
        for (int i = 1; i < parts.length - 1; i++) {
            int at = name.indexOf(parts[i], from);
            if (at < 0) return false;
            from = at + parts[i].length();
        }
        String last = parts[parts.length - 1];
        return name.length() - last.length() >= from && name.endsWith(last);
    }

    private Expr search(String name) throws RuleException {
        Expr e = searches.get(name);
        if (e != null) return e;
        SearchIdentifier s = rule.detection().searches().get(name);
        List<Expr> alternatives = new ArrayList<>();
        for (List<SearchIdentifier.Clause> clauses : s.alternatives()) {
            Set<String> recordTypes = recordTypes(clauses);
            List<Expr> parts = new ArrayList<>();
            for (SearchIdentifier.Clause clause : clauses) {
                try {
                    Target target = clause.isKeyword() ? FieldMapping.keywords() : FieldMapping.resolve(scope, clause.field(), recordTypes);
                    Expr compiled = ValueCompiler.compile(clause, target, f -> FieldMapping.resolve(scope, f, recordTypes));
                    valueTests += count(compiled);
                    if (valueTests > MAX_VALUE_TESTS) {
                        throw RuleException.unsupported("the rule expands to more than " + MAX_VALUE_TESTS + " value tests");
                    }
                    parts.add(compiled);
                } catch (RuleException ex) {
                    String where = "search '" + name + "', " + (clause.isKeyword() ? "keywords" : "'" + clause.key() + "'") + ": ";
                    throw ex.isUnsupported() ? RuleException.unsupported(where + ex.reason()) : RuleException.invalid(where + ex.reason());
                }
            }
            alternatives.add(Expr.and(parts));
        }
        e = Expr.or(alternatives);
        searches.put(name, e);
        return e;
    }

    private static long count(Expr e) {
        if (e instanceof Expr.Test t) return t.anyOf().size();
        if (e instanceof Expr.And a) return a.all().stream().mapToLong(RuleCompiler::count).sum();
        if (e instanceof Expr.Or o) return o.any().stream().mapToLong(RuleCompiler::count).sum();
        if (e instanceof Expr.Not n) return count(n.inner());
        return 1;
    }

    /** The audit record types a selection is about ({@code type: EXECVE}), upper-cased. */
    private static Set<String> recordTypes(List<SearchIdentifier.Clause> clauses) {
        Set<String> out = new LinkedHashSet<>();
        for (SearchIdentifier.Clause c : clauses) {
            if ("type".equals(c.field()) && c.modifiers().isEmpty()) {
                for (String v : c.values()) if (v != null) out.add(v.toUpperCase(Locale.ROOT));
            }
        }
        return out;
    }
}
