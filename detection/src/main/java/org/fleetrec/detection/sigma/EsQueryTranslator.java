package org.fleetrec.detection.sigma;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A compiled rule as an Elasticsearch {@code bool} query over the same ECS fields the engine reads,
 * for retro-hunts over stored events: case-insensitive {@code term}, {@code prefix} and
 * {@code wildcard} queries (the project's string fields are keywords), {@code regexp}, {@code range},
 * {@code exists}, CIDR as a {@code term} on ip fields, and the rule's logsource as a filter.
 *
 * <p>Where the query can only approximate the rule (argument positions, values derived at match
 * time, regular expression details), the approximation always widens the leaf; under a {@code not}
 * that narrows the result, and the translation says so ({@link EsTranslation.Query#complete()}).
 * What has no query form at all (field-to-field comparison) makes the rule not translatable.
 */
public final class EsQueryTranslator {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Set<String> notes = new LinkedHashSet<>();
    private boolean widened;
    private boolean narrowed;

    private EsQueryTranslator() {
    }

    public static EsTranslation translate(CompiledRule rule) {
        return translate(rule.scope(), rule.detection());
    }

    static EsTranslation translate(Scope scope, Expr detection) {
        EsQueryTranslator t = new EsQueryTranslator();
        try {
            ObjectNode query = JSON.objectNode();
            ArrayNode filter = query.putObject("bool").putArray("filter");
            filter.add(t.query(scope.filter(), true));
            filter.add(t.query(detection, true));
            return new EsTranslation.Query(query, !t.widened && !t.narrowed, !t.narrowed, new ArrayList<>(t.notes));
        } catch (Untranslatable e) {
            return new EsTranslation.NotTranslatable(e.getMessage());
        }
    }

    private static final class Untranslatable extends Exception {
        Untranslatable(String reason) {
            super(reason);
        }
    }

    /** {@code positive}: whether the node counts for the result as written (false under an odd number of nots). */
    private ObjectNode query(Expr e, boolean positive) throws Untranslatable {
        if (e instanceof Expr.Const c) return c.value() ? node("match_all") : node("match_none");
        if (e instanceof Expr.And a) {
            ObjectNode q = JSON.objectNode();
            ArrayNode filter = q.putObject("bool").putArray("filter");
            for (Expr x : a.all()) filter.add(query(x, positive));
            return q;
        }
        if (e instanceof Expr.Or o) return should(o.any(), positive);
        if (e instanceof Expr.Not n) {
            ObjectNode q = JSON.objectNode();
            q.putObject("bool").putArray("must_not").add(query(n.inner(), !positive));
            return q;
        }
        if (e instanceof Expr.Present p) return exists(p.field(), positive);
        if (e instanceof Expr.SameAs s) {
            throw new Untranslatable("field-to-field comparison (fieldref " + s.a().key() + " = " + s.b().key() + ") has no query form");
        }
        Expr.Test t = (Expr.Test) e;
        List<ObjectNode> any = new ArrayList<>();
        for (ValueTest v : t.anyOf()) any.add(leaf(t.field(), v, positive));
        return any.size() == 1 ? any.get(0) : shouldOf(any);
    }

    private ObjectNode should(List<Expr> parts, boolean positive) throws Untranslatable {
        List<ObjectNode> any = new ArrayList<>();
        for (Expr x : parts) any.add(query(x, positive));
        return shouldOf(any);
    }

    private static ObjectNode shouldOf(List<ObjectNode> any) {
        ObjectNode q = JSON.objectNode();
        ObjectNode bool = q.putObject("bool");
        ArrayNode should = bool.putArray("should");
        any.forEach(should::add);
        bool.put("minimum_should_match", 1);
        return q;
    }

    private ObjectNode exists(EventField f, boolean positive) throws Untranslatable {
        if (f instanceof EventField.Path p) return existsOn(p.name(), positive);
        if (f instanceof EventField.Element el) {
            approximate(positive, "argument position " + el.index() + " of " + el.array().name() + " is not checked");
            return existsOn(el.array().name(), positive);
        }
        if (f == DerivedFields.USER) return existsOn("user.name", positive);
        if (f == DerivedFields.COMM) {
            approximate(positive, "comm is derived from process.args at match time");
            return existsOn("process.args", positive);
        }
        throw new Untranslatable("field " + f.key() + " has no query form");
    }

    private ObjectNode existsOn(String field, boolean positive) {
        if (EsFieldTypes.of(field) == EsFieldTypes.Type.NOT_INDEXED) {
            omit(positive, field + " is stored but not indexed");
            return node("match_none");
        }
        ObjectNode q = JSON.objectNode();
        q.putObject("exists").put("field", field);
        return q;
    }

    private ObjectNode leaf(EventField f, ValueTest v, boolean positive) throws Untranslatable {
        if (f instanceof EventField.Path p) return on(p.name(), v, positive);
        if (f instanceof EventField.Element el) {
            approximate(positive, "argument position " + el.index() + " of " + el.array().name() + " is not checked");
            return on(el.array().name(), v, positive);
        }
        if (f == DerivedFields.USER) return user(v, positive);
        if (f == DerivedFields.COMM && v instanceof ValueTest.Text text) {
            // comm is a piece of process.args[0]: whatever it matches, that argument contains
            approximate(positive, "comm is derived from process.args at match time");
            return on("process.args", new ValueTest.Text(stripAnchors(text.glob()), text.cased()), positive);
        }
        throw new Untranslatable("the derived field " + f.key() + " with " + describe(v) + " has no query form");
    }

    private ObjectNode on(String field, ValueTest v, boolean positive) throws Untranslatable {
        EsFieldTypes.Type type = EsFieldTypes.of(field);
        if (type == EsFieldTypes.Type.NOT_INDEXED) {
            omit(positive, field + " is stored but not indexed");
            return node("match_none");
        }
        if (v instanceof ValueTest.Cidr net) {
            if (type != EsFieldTypes.Type.IP) throw new Untranslatable("cidr on " + field + ", which is not an ip field");
            return term(field, net.text(), false);
        }
        if (v instanceof ValueTest.Compare c) {
            if (type != EsFieldTypes.Type.LONG) throw new Untranslatable(c.op() + " on " + field + ", which is not numeric");
            ObjectNode q = JSON.objectNode();
            q.putObject("range").putObject(field).put(c.op(), c.value());
            return q;
        }
        if (v instanceof ValueTest.Regex re) {
            if (type != EsFieldTypes.Type.KEYWORD) throw new Untranslatable("regular expression on " + field + ", which is not a keyword field");
            LuceneRegex.Result r = LuceneRegex.convert(re);
            if (r.failure() != null) throw new Untranslatable("regular expression '" + re.pattern() + "': " + r.failure());
            if (r.widened()) approximate(positive, r.note());
            ObjectNode q = JSON.objectNode();
            ObjectNode body = q.putObject("regexp").putObject(field);
            body.put("value", r.value());
            if (re.ignoreCase()) body.put("case_insensitive", true);
            return q;
        }
        ValueTest.Text text = (ValueTest.Text) v;
        Glob g = text.glob();
        switch (type) {
            case IP -> {
                return ip(field, g);
            }
            case LONG -> {
                if (!g.isLiteral() || !g.text().trim().matches("-?\\d{1,19}")) {
                    throw new Untranslatable("'" + g + "' on the numeric field " + field);
                }
                return term(field, Long.parseLong(g.text().trim()));
            }
            case BOOLEAN -> {
                if (!g.isLiteral() || !g.text().matches("(?i)true|false")) throw new Untranslatable("'" + g + "' on the boolean field " + field);
                return term(field, Boolean.parseBoolean(g.text().toLowerCase(java.util.Locale.ROOT)));
            }
            default -> {
                return keyword(field, g, !text.cased());
            }
        }
    }

    private static ObjectNode keyword(String field, Glob g, boolean caseInsensitive) {
        List<Object> t = g.tokens();
        if (g.isLiteral()) return term(field, g.text(), caseInsensitive);
        if (t.size() == 2 && t.get(0) instanceof String prefix && t.get(1) == Glob.Wild.STAR) {
            ObjectNode q = JSON.objectNode();
            ObjectNode body = q.putObject("prefix").putObject(field);
            body.put("value", prefix);
            if (caseInsensitive) body.put("case_insensitive", true);
            return q;
        }
        ObjectNode q = JSON.objectNode();
        ObjectNode body = q.putObject("wildcard").putObject(field);
        body.put("value", wildcard(g));
        if (caseInsensitive) body.put("case_insensitive", true);
        return q;
    }

    /** An ip field takes exact addresses and CIDR networks; a dotted prefix of whole octets is a network. */
    private static ObjectNode ip(String field, Glob g) throws Untranslatable {
        if (g.isLiteral() && Cidr.literal(g.text().trim()) != null) return term(field, g.text().trim(), false);
        List<Object> t = g.tokens();
        if (t.size() == 2 && t.get(0) instanceof String prefix && t.get(1) == Glob.Wild.STAR && prefix.matches("(\\d{1,3}\\.){1,3}")) {
            String[] octets = prefix.split("\\.");
            StringBuilder net = new StringBuilder();
            for (int i = 0; i < 4; i++) net.append(i == 0 ? "" : ".").append(i < octets.length ? octets[i] : "0");
            if (Cidr.literal(net.toString()) != null) return term(field, net + "/" + octets.length * 8, false);
        }
        throw new Untranslatable("'" + g + "' on the ip field " + field + " (only addresses and whole-octet prefixes)");
    }

    /**
     * Sigma's {@code User} is {@code DOMAIN\name}, stored as user.domain and user.name. A pattern
     * without a backslash lies within one part; one with a single backslash splits at it.
     */
    private ObjectNode user(ValueTest v, boolean positive) throws Untranslatable {
        if (!(v instanceof ValueTest.Text text)) throw new Untranslatable("User with " + describe(v) + " has no query form");
        List<Object> t = text.glob().tokens();
        boolean ci = !text.cased();
        long slashes = t.stream().filter(x -> x instanceof String s && s.indexOf('\\') >= 0).count();
        boolean leadingStar = !t.isEmpty() && t.get(0) == Glob.Wild.STAR;
        boolean trailingStar = !t.isEmpty() && t.get(t.size() - 1) == Glob.Wild.STAR;
        if (slashes == 0) {
            if (!leadingStar) {
                // anchored at the start: the whole value when there is no domain, else the domain's start
                ObjectNode noDomain = JSON.objectNode();
                ArrayNode f = noDomain.putObject("bool").putArray("filter");
                f.add(keyword("user.name", text.glob(), ci));
                f.add(JSON.objectNode().set("bool", JSON.objectNode().set("must_not", JSON.arrayNode().add(existsOn("user.domain", positive)))));
                if (!trailingStar) return noDomain;
                return shouldOf(List.of(noDomain, keyword("user.domain", text.glob(), ci)));
            }
            if (!trailingStar) return keyword("user.name", text.glob(), ci);
            return shouldOf(List.of(keyword("user.domain", text.glob(), ci), keyword("user.name", text.glob(), ci)));
        }
        String literal = text.glob().isLiteral() ? text.glob().text() : null;
        List<Object> inner = new ArrayList<>(t);
        if (leadingStar) inner.remove(0);
        if (trailingStar && !inner.isEmpty()) inner.remove(inner.size() - 1);
        Glob middle = new Glob(inner);
        if (literal == null && !middle.isLiteral()) throw new Untranslatable("User pattern '" + text.glob() + "' with wildcards around a backslash");
        String m = middle.text();
        if (m.indexOf('\\') != m.lastIndexOf('\\')) throw new Untranslatable("User value '" + m + "' with several backslashes");
        int slash = m.indexOf('\\');
        Glob domain = Glob.literal(m.substring(0, slash)).withStar(leadingStar, false);
        Glob name = Glob.literal(m.substring(slash + 1)).withStar(false, trailingStar);
        ObjectNode q = JSON.objectNode();
        ArrayNode f = q.putObject("bool").putArray("filter");
        f.add(keyword("user.domain", domain, ci));
        f.add(keyword("user.name", name, ci));
        return q;
    }

    private static Glob stripAnchors(Glob g) {
        return g.withStar(true, true);
    }

    /** ES wildcard syntax: {@code *} and {@code ?} as in Sigma, a backslash escapes. */
    static String wildcard(Glob g) {
        StringBuilder s = new StringBuilder();
        for (Object t : g.tokens()) {
            if (t == Glob.Wild.STAR) {
                s.append('*');
            } else if (t == Glob.Wild.ONE) {
                s.append('?');
            } else {
                for (char c : ((String) t).toCharArray()) {
                    if (c == '*' || c == '?' || c == '\\') s.append('\\');
                    s.append(c);
                }
            }
        }
        return s.toString();
    }

    private static ObjectNode term(String field, String value, boolean caseInsensitive) {
        ObjectNode q = JSON.objectNode();
        ObjectNode body = q.putObject("term").putObject(field);
        body.put("value", value);
        if (caseInsensitive) body.put("case_insensitive", true);
        return q;
    }

    private static ObjectNode term(String field, long value) {
        ObjectNode q = JSON.objectNode();
        q.putObject("term").putObject(field).put("value", value);
        return q;
    }

    private static ObjectNode term(String field, boolean value) {
        ObjectNode q = JSON.objectNode();
        q.putObject("term").putObject(field).put("value", value);
        return q;
    }

    private static ObjectNode node(String name) {
        ObjectNode q = JSON.objectNode();
        q.putObject(name);
        return q;
    }

    /** The leaf admits more than the rule: harmless for completeness where it counts positively. */
    private void approximate(boolean positive, String note) {
        notes.add(note);
        if (positive) widened = true;
        else narrowed = true;
    }

    /** The leaf finds nothing although the rule might match: matches can be missed where it counts positively. */
    private void omit(boolean positive, String note) {
        notes.add(note);
        if (positive) narrowed = true;
        else widened = true;
    }

    private static String describe(ValueTest v) {
        if (v instanceof ValueTest.Regex r) return "regular expression '" + r.pattern() + "'";
        if (v instanceof ValueTest.Cidr c) return "cidr " + c.text();
        if (v instanceof ValueTest.Compare c) return c.op() + " " + c.value();
        return "'" + ((ValueTest.Text) v).glob() + "'";
    }
}
