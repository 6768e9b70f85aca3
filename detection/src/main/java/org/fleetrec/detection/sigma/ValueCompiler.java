package org.fleetrec.detection.sigma;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One clause ({@code field|modifiers: values}) bound to its {@link Target}: modifiers checked and
 * applied in the order written, values turned into {@link ValueTest}s, the result an {@link Expr}.
 */
final class ValueCompiler {
    private static final Set<String> POSITIONS = Set.of("contains", "startswith", "endswith");
    private static final Set<String> ENCODINGS = Set.of("wide", "utf16le", "utf16be", "utf16", "base64", "base64offset", "windash");
    private static final Set<String> COMPARISONS = Set.of("gt", "gte", "lt", "lte");
    private static final Set<String> KNOWN = Set.of("contains", "startswith", "endswith", "all", "re", "i", "m", "s", "cidr",
            "base64", "base64offset", "windash", "exists", "gt", "gte", "lt", "lte", "neq", "wide", "utf16le", "utf16be", "utf16",
            "cased", "fieldref");
    /** Characters {@code windash} treats as interchangeable: hyphen, slash, en dash, em dash, horizontal bar. */
    static final String DASHES = "-/\u2013\u2014\u2015";
    /** windash multiplies a value by five per dash; more variants than this is refused. */
    static final int MAX_WINDASH_VARIANTS = 625;
    static final int MAX_VALUE_LENGTH = 64 * 1024;

    /** Resolves a Sigma field name in the rule's context (for {@code fieldref}). */
    interface FieldResolver {
        Target resolve(String field);
    }

    private ValueCompiler() {
    }

    static Expr compile(SearchIdentifier.Clause clause, Target target, FieldResolver resolver) throws RuleException {
        List<String> modifiers = modifiers(clause);
        if (target instanceof Target.Unavailable u) throw RuleException.unsupported(u.reason());
        boolean all = modifiers.contains("all");
        boolean neq = modifiers.contains("neq");
        Expr result;
        if (target instanceof Target.Values values) {
            List<String> passed = modifiers.stream().filter(m -> !m.equals("all") && !m.equals("neq")).toList();
            List<Expr> parts = new ArrayList<>();
            for (String v : clause.values()) {
                if (v == null) throw RuleException.unsupported("null value for '" + clause.key() + "'");
                parts.add(values.mapper().map(v, passed));
            }
            result = all ? Expr.and(parts) : Expr.or(parts);
        } else {
            Target.Fields fields = (Target.Fields) target;
            if (modifiers.contains("exists")) {
                result = exists(clause, fields, modifiers);
            } else if (modifiers.contains("fieldref")) {
                result = fieldref(clause, fields, modifiers, resolver, all);
            } else {
                result = values(clause, fields, modifiers, all);
            }
        }
        return neq ? Expr.not(result) : result;
    }

    private static List<String> modifiers(SearchIdentifier.Clause clause) throws RuleException {
        List<String> out = new ArrayList<>();
        boolean afterRe = false;
        for (String raw : clause.modifiers()) {
            String m = raw.toLowerCase(Locale.ROOT);
            if (m.equals("expand")) throw RuleException.unsupported("modifier 'expand' (placeholders) in '" + clause.key() + "'");
            if (Set.of("minute", "hour", "day", "week", "month", "year").contains(m)) {
                throw RuleException.unsupported("time-part modifier '" + m + "' in '" + clause.key() + "'");
            }
            if (!KNOWN.contains(m)) throw RuleException.unsupported("unknown modifier '" + raw + "' in '" + clause.key() + "'");
            if ((m.equals("i") || m.equals("m") || m.equals("s")) && !afterRe) {
                throw RuleException.invalid("modifier '" + m + "' outside 're' in '" + clause.key() + "'");
            }
            if (m.equals("re")) afterRe = true;
            out.add(m);
        }
        if (out.stream().filter(POSITIONS::contains).count() > 1) {
            throw RuleException.invalid("more than one of contains/startswith/endswith in '" + clause.key() + "'");
        }
        if (out.stream().filter(COMPARISONS::contains).count() > 1) {
            throw RuleException.invalid("more than one comparison in '" + clause.key() + "'");
        }
        String kind = out.contains("re") ? "re" : out.contains("cidr") ? "cidr" : out.contains("exists") ? "exists"
                : out.stream().filter(COMPARISONS::contains).findFirst().orElse(null);
        if (kind != null) {
            for (String m : out) {
                boolean ok = m.equals(kind) || m.equals("all") || m.equals("neq") || kind.equals("re") && Set.of("i", "m", "s").contains(m);
                if (!ok) throw RuleException.unsupported("modifier '" + m + "' combined with '" + kind + "' in '" + clause.key() + "'");
            }
        }
        return out;
    }

    private static Expr exists(SearchIdentifier.Clause clause, Target.Fields fields, List<String> modifiers) throws RuleException {
        if (clause.values().size() != 1 || clause.values().get(0) == null
                || !Set.of("true", "false").contains(clause.values().get(0).toLowerCase(Locale.ROOT))) {
            throw RuleException.invalid("'" + clause.key() + "' needs true or false");
        }
        List<Expr> present = new ArrayList<>();
        for (Target.Guarded g : fields.fields()) present.add(guard(g, new Expr.Present(g.field())));
        Expr any = Expr.or(present);
        return Boolean.parseBoolean(clause.values().get(0).toLowerCase(Locale.ROOT)) ? any : Expr.not(any);
    }

    private static Expr fieldref(SearchIdentifier.Clause clause, Target.Fields fields, List<String> modifiers, FieldResolver resolver,
                                 boolean all) throws RuleException {
        for (String m : modifiers) {
            if (!Set.of("fieldref", "cased", "all", "neq").contains(m)) {
                throw RuleException.unsupported("modifier '" + m + "' combined with 'fieldref' in '" + clause.key() + "'");
            }
        }
        boolean cased = modifiers.contains("cased");
        List<Expr> perValue = new ArrayList<>();
        for (String other : clause.values()) {
            if (other == null) throw RuleException.invalid("null field name in '" + clause.key() + "'");
            Target t = resolver.resolve(other);
            if (t instanceof Target.Unavailable u) throw RuleException.unsupported(u.reason());
            if (!(t instanceof Target.Fields o)) throw RuleException.unsupported("fieldref to '" + other + "', whose values are re-spelled");
            List<Expr> pairs = new ArrayList<>();
            for (Target.Guarded a : fields.fields()) {
                for (Target.Guarded b : o.fields()) {
                    pairs.add(Expr.and(guardOf(a), guardOf(b), new Expr.SameAs(a.field(), b.field(), cased)));
                }
            }
            perValue.add(Expr.or(pairs));
        }
        return all ? Expr.and(perValue) : Expr.or(perValue);
    }

    private static Expr values(SearchIdentifier.Clause clause, Target.Fields fields, List<String> modifiers, boolean all)
            throws RuleException {
        List<List<ValueTest>> perValue = new ArrayList<>();
        boolean anyNull = false;
        long total = 0;
        for (String v : clause.values()) {
            if (v == null) {
                if (clause.isKeyword()) throw RuleException.invalid("null keyword");
                anyNull = true;
                continue;
            }
            if (v.length() > MAX_VALUE_LENGTH) throw RuleException.invalid("value longer than " + MAX_VALUE_LENGTH + " characters in '" + clause.key() + "'");
            perValue.add(tests(clause, v, modifiers, fields.rewrite()));
            total += perValue.get(perValue.size() - 1).size();
            if (total > RuleCompiler.MAX_VALUE_TESTS) {
                throw RuleException.unsupported("'" + clause.key() + "' expands to more than " + RuleCompiler.MAX_VALUE_TESTS + " value tests");
            }
        }
        if (anyNull && all) throw RuleException.invalid("null among values combined with 'all' in '" + clause.key() + "'");
        List<Expr> parts = new ArrayList<>();
        if (all) {
            for (List<ValueTest> variants : perValue) parts.add(onFields(fields, variants));
            return Expr.and(parts);
        }
        List<ValueTest> flat = new ArrayList<>();
        perValue.forEach(flat::addAll);
        if (!flat.isEmpty()) parts.add(onFields(fields, flat));
        if (anyNull) {
            List<Expr> present = new ArrayList<>();
            for (Target.Guarded g : fields.fields()) present.add(guard(g, new Expr.Present(g.field())));
            parts.add(Expr.not(Expr.or(present)));
        }
        return Expr.or(parts);
    }

    private static Expr onFields(Target.Fields fields, List<ValueTest> tests) {
        List<Expr> any = new ArrayList<>();
        for (Target.Guarded g : fields.fields()) any.add(guard(g, new Expr.Test(g.field(), tests)));
        return Expr.or(any);
    }

    private static Expr guard(Target.Guarded g, Expr e) {
        return g.guard() == null ? e : Expr.and(g.guard(), e);
    }

    private static Expr guardOf(Target.Guarded g) {
        return g.guard() == null ? Expr.TRUE : g.guard();
    }

    /** The alternatives one rule value stands for (several after base64offset or windash). */
    private static List<ValueTest> tests(SearchIdentifier.Clause clause, String value, List<String> modifiers, Target.Rewrite rewrite)
            throws RuleException {
        if (modifiers.contains("re")) {
            return List.of(RegexSafety.check(value, modifiers.contains("i"), modifiers.contains("m"), modifiers.contains("s")));
        }
        if (modifiers.contains("cidr")) return List.of(Cidr.parse(value));
        for (String m : modifiers) {
            if (COMPARISONS.contains(m)) {
                try {
                    return List.of(new ValueTest.Compare(m, new BigDecimal(value.trim())));
                } catch (NumberFormatException e) {
                    throw RuleException.invalid("'" + clause.key() + "' needs a number, not '" + value + "'");
                }
            }
        }
        List<Object> current = new ArrayList<>();
        current.add(Glob.parse(value));
        for (String m : modifiers) {
            if (!ENCODINGS.contains(m)) continue;
            List<Object> next = new ArrayList<>();
            for (Object v : current) next.addAll(transform(clause, m, v));
            current = next;
            if (current.size() > MAX_WINDASH_VARIANTS) {
                throw RuleException.unsupported("'" + clause.key() + "' expands to more than " + MAX_WINDASH_VARIANTS + " variants");
            }
        }
        boolean contains = modifiers.contains("contains") || clause.isKeyword() && modifiers.stream().noneMatch(POSITIONS::contains);
        boolean startswith = modifiers.contains("startswith");
        boolean endswith = modifiers.contains("endswith");
        boolean whole = !contains && !startswith && !endswith;
        boolean cased = modifiers.contains("cased");
        List<ValueTest> out = new ArrayList<>();
        for (Object v : current) {
            if (!(v instanceof Glob g)) {
                throw RuleException.unsupported("'" + clause.key() + "' leaves UTF-16 bytes without base64: no text field holds them");
            }
            if (rewrite != null) g = rewritten(g, rewrite, whole);
            out.add(new ValueTest.Text(g.withStar(contains || endswith, contains || startswith), cased));
        }
        return out;
    }

    private static Glob rewritten(Glob g, Target.Rewrite rewrite, boolean whole) throws RuleException {
        if (g.isLiteral()) return Glob.literal(rewrite.apply(g.text(), whole));
        List<Object> tokens = new ArrayList<>();
        for (Object t : g.tokens()) tokens.add(t instanceof String s ? rewrite.apply(s, false) : t);
        return new Glob(tokens);
    }

    /** One encoding step; values are Globs (text) or byte arrays (after a UTF-16 step). */
    private static List<Object> transform(SearchIdentifier.Clause clause, String modifier, Object value) throws RuleException {
        if (value instanceof Glob g && !g.isLiteral() && !modifier.equals("windash")) {
            throw RuleException.unsupported("wildcards in a value encoded with '" + modifier + "' in '" + clause.key() + "'");
        }
        switch (modifier) {
            case "wide", "utf16le" -> {
                return List.of(bytes(value, StandardCharsets.UTF_16LE, clause));
            }
            case "utf16be" -> {
                return List.of(bytes(value, StandardCharsets.UTF_16BE, clause));
            }
            case "utf16" -> {
                byte[] body = bytes(value, StandardCharsets.UTF_16LE, clause);
                byte[] withBom = new byte[body.length + 2];
                withBom[0] = (byte) 0xFF;
                withBom[1] = (byte) 0xFE;
                System.arraycopy(body, 0, withBom, 2, body.length);
                return List.of(withBom);
            }
            case "base64" -> {
                return List.of(Glob.literal(Base64.getEncoder().encodeToString(raw(value))));
            }
            case "base64offset" -> {
                List<Object> out = new ArrayList<>();
                for (String s : base64Offsets(raw(value))) out.add(Glob.literal(s));
                return out;
            }
            case "windash" -> {
                if (!(value instanceof Glob g)) throw RuleException.unsupported("windash after a UTF-16 step in '" + clause.key() + "'");
                return new ArrayList<>(windash(g, clause));
            }
            default -> throw new IllegalStateException(modifier);
        }
    }

    private static byte[] bytes(Object value, java.nio.charset.Charset charset, SearchIdentifier.Clause clause) throws RuleException {
        if (!(value instanceof Glob g)) throw RuleException.unsupported("two UTF-16 steps in '" + clause.key() + "'");
        return g.text().getBytes(charset);
    }

    private static byte[] raw(Object value) {
        return value instanceof byte[] b ? b : ((Glob) value).text().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The stable middle of {@code value}'s base64 rendering at each of the three byte alignments it
     * can have inside a longer encoded string: characters that also depend on neighbouring bytes
     * (the partial groups at either end) are left out.
     */
    static List<String> base64Offsets(byte[] value) {
        List<String> out = new ArrayList<>();
        for (int shift = 0; shift < 3; shift++) {
            byte[] padded = new byte[shift + value.length];
            System.arraycopy(value, 0, padded, shift, value.length);
            String encoded = Base64.getEncoder().encodeToString(padded);
            int start = shift == 0 ? 0 : shift == 1 ? 2 : 3;
            int rest = padded.length % 3;
            int end = encoded.length() - (rest == 0 ? 0 : rest == 1 ? 3 : 2);
            if (end > start) out.add(encoded.substring(start, end));
        }
        return out;
    }

    private static List<Glob> windash(Glob g, SearchIdentifier.Clause clause) throws RuleException {
        List<List<Object>> variants = new ArrayList<>();
        variants.add(new ArrayList<>());
        for (Object t : g.tokens()) {
            if (!(t instanceof String lit)) {
                for (List<Object> v : variants) v.add(t);
                continue;
            }
            for (int i = 0; i < lit.length(); i++) {
                char c = lit.charAt(i);
                if (DASHES.indexOf(c) < 0) {
                    for (List<Object> v : variants) v.add(String.valueOf(c));
                    continue;
                }
                if ((long) variants.size() * DASHES.length() > MAX_WINDASH_VARIANTS) {
                    throw RuleException.unsupported("'" + clause.key() + "' has too many dashes for windash");
                }
                List<List<Object>> next = new ArrayList<>();
                for (List<Object> v : variants) {
                    for (int d = 0; d < DASHES.length(); d++) {
                        List<Object> copy = new ArrayList<>(v);
                        copy.add(String.valueOf(DASHES.charAt(d)));
                        next.add(copy);
                    }
                }
                variants = next;
            }
        }
        List<Glob> out = new ArrayList<>();
        for (List<Object> v : variants) {
            Glob.Builder b = new Glob.Builder();
            for (Object t : v) {
                if (t instanceof String s) b.literal(s);
                else b.wild((Glob.Wild) t);
            }
            out.add(b.build());
        }
        return out;
    }
}
