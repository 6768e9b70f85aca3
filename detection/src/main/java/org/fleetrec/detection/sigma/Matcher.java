package org.fleetrec.detection.sigma;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A compiled {@link ValueTest}: tests one value, given both as written and case-folded (see
 * {@link #fold}). Case-insensitive tests compare folded needles with the folded value using
 * plain String operations (indexOf, startsWith), which the JVM runs as intrinsics; wildcard
 * patterns are matched without regular expressions.
 */
abstract class Matcher {
    /** True when the matcher reads the folded value. */
    abstract boolean folded();

    abstract boolean test(String raw, String folded);

    /**
     * One case for case-insensitive comparison, character by character, so lengths never change
     * (unlike {@code toLowerCase} on a few non-ASCII letters). Returns {@code s} itself when it is
     * already folded, which is the common case for paths and command lines.
     */
    static String fold(String s) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c < 128 ? (c >= 'A' && c <= 'Z') : foldChar(c) != c) break;
            i++;
        }
        if (i == n) return s;
        char[] out = s.toCharArray();
        for (; i < n; i++) out[i] = foldChar(out[i]);
        return new String(out);
    }

    static char foldChar(char c) {
        if (c < 128) return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
        return Character.toLowerCase(Character.toUpperCase(c));
    }

    /** Compiles the tests OR-ed on one field; equality lists and network lists become set lookups. */
    static List<Matcher> compile(List<ValueTest> tests, AtomicLong regexAbandoned) {
        List<Matcher> out = new ArrayList<>();
        Set<String> foldedEquals = new HashSet<>();
        Set<String> casedEquals = new HashSet<>();
        List<ValueTest.Cidr> networks = new ArrayList<>();
        for (ValueTest t : tests) {
            if (t instanceof ValueTest.Text text && text.glob().isLiteral()) {
                (text.cased() ? casedEquals : foldedEquals).add(text.cased() ? text.glob().text() : fold(text.glob().text()));
            } else if (t instanceof ValueTest.Cidr net) {
                networks.add(net);
            } else {
                out.add(compile(t, regexAbandoned));
            }
        }
        if (networks.size() == 1) out.add(new InNetwork(networks.get(0)));
        else if (!networks.isEmpty()) out.add(new InNetworks(networks));
        if (foldedEquals.size() == 1) out.add(0, new Equals(foldedEquals.iterator().next(), true));
        else if (!foldedEquals.isEmpty()) out.add(0, new EqualsAny(foldedEquals, true));
        if (casedEquals.size() == 1) out.add(0, new Equals(casedEquals.iterator().next(), false));
        else if (!casedEquals.isEmpty()) out.add(0, new EqualsAny(casedEquals, false));
        return out;
    }

    /** One test that is not a literal or a network (those are gathered into sets by the list's compile). */
    private static Matcher compile(ValueTest t, AtomicLong regexAbandoned) {
        if (t instanceof ValueTest.Text text) return glob(text.glob(), text.cased());
        if (t instanceof ValueTest.Regex re) return new Regex(new BoundedRegex(re, regexAbandoned));
        ValueTest.Compare c = (ValueTest.Compare) t;
        return new Compare(c.op(), c.value());
    }

    private static Matcher glob(Glob glob, boolean cased) {
        Glob g = cased ? glob : glob.mapLiterals(Matcher::fold);
        boolean folded = !cased;
        List<Object> t = g.tokens();
        if (t.isEmpty()) return new Equals("", folded);
        if (g.isLiteral()) return new Equals(g.text(), folded);
        if (t.stream().noneMatch(x -> x == Glob.Wild.ONE)) {
            List<String> literals = new ArrayList<>();
            for (Object x : t) if (x instanceof String s) literals.add(s);
            boolean anchoredStart = t.get(0) != Glob.Wild.STAR;
            boolean anchoredEnd = t.get(t.size() - 1) != Glob.Wild.STAR;
            if (literals.isEmpty()) return new Anything();
            if (literals.size() == 1) {
                String s = literals.get(0);
                if (!anchoredStart && !anchoredEnd) return new Contains(s, folded);
                if (anchoredStart && !anchoredEnd) return new StartsWith(s, folded);
                if (!anchoredStart) return new EndsWith(s, folded);
            }
            return new Segments(literals.toArray(String[]::new), anchoredStart, anchoredEnd, folded);
        }
        return new Wildcard(g, folded);
    }

    private abstract static class Textual extends Matcher {
        private final boolean folded;

        Textual(boolean folded) {
            this.folded = folded;
        }

        @Override
        final boolean folded() {
            return folded;
        }

        @Override
        final boolean test(String raw, String folded) {
            return match(this.folded ? folded : raw);
        }

        abstract boolean match(String s);
    }

    static final class Equals extends Textual {
        private final String needle;

        Equals(String needle, boolean folded) {
            super(folded);
            this.needle = needle;
        }

        @Override
        boolean match(String s) {
            return s.equals(needle);
        }
    }

    static final class EqualsAny extends Textual {
        private final Set<String> needles;

        EqualsAny(Set<String> needles, boolean folded) {
            super(folded);
            this.needles = Set.copyOf(needles);
        }

        @Override
        boolean match(String s) {
            return needles.contains(s);
        }
    }

    static final class Contains extends Textual {
        private final String needle;

        Contains(String needle, boolean folded) {
            super(folded);
            this.needle = needle;
        }

        @Override
        boolean match(String s) {
            return s.contains(needle);
        }
    }

    static final class StartsWith extends Textual {
        private final String needle;

        StartsWith(String needle, boolean folded) {
            super(folded);
            this.needle = needle;
        }

        @Override
        boolean match(String s) {
            return s.startsWith(needle);
        }
    }

    static final class EndsWith extends Textual {
        private final String needle;

        EndsWith(String needle, boolean folded) {
            super(folded);
            this.needle = needle;
        }

        @Override
        boolean match(String s) {
            return s.endsWith(needle);
        }
    }

    static final class Anything extends Matcher {
        @Override
        boolean folded() {
            return false;
        }

        @Override
        boolean test(String raw, String folded) {
            return true;
        }
    }

    /** {@code a*b*c}: literals in order; with only {@code *} wildcards the leftmost fit is always right. */
    static final class Segments extends Textual {
        private final String[] parts;
        private final boolean anchoredStart;
        private final boolean anchoredEnd;
        private final int minLength;

        Segments(String[] parts, boolean anchoredStart, boolean anchoredEnd, boolean folded) {
            super(folded);
            this.parts = parts;
            this.anchoredStart = anchoredStart;
            this.anchoredEnd = anchoredEnd;
            int total = 0;
            for (String p : parts) total += p.length();
            this.minLength = total;
        }

        @Override
        boolean match(String s) {
            if (s.length() < minLength) return false;
            int from = 0;
            int first = 0;
            int last = parts.length;
            if (anchoredStart) {
                if (!s.startsWith(parts[0])) return false;
                from = parts[0].length();
                first = 1;
            }
            int end = s.length();
            if (anchoredEnd) {
                String tail = parts[parts.length - 1];
                if (!s.endsWith(tail) || s.length() - tail.length() < from) return false;
                end = s.length() - tail.length();
                last = parts.length - 1;
            }
            for (int i = first; i < last; i++) {
                int at = s.indexOf(parts[i], from);
                if (at < 0 || at + parts[i].length() > end) return false;
                from = at + parts[i].length();
            }
            return true;
        }
    }

    /** Patterns with {@code ?}: the linear-space two-pointer match (star backtracks to its last position only). */
    static final class Wildcard extends Textual {
        private static final char ANY = '\uFFFF';
        private static final char STAR = '\uFFFE';
        private final char[] pattern;
        private final boolean[] wild;

        Wildcard(Glob g, boolean folded) {
            super(folded);
            StringBuilder p = new StringBuilder();
            List<Boolean> w = new ArrayList<>();
            for (Object t : g.tokens()) {
                if (t == Glob.Wild.STAR) {
                    p.append(STAR);
                    w.add(true);
                } else if (t == Glob.Wild.ONE) {
                    p.append(ANY);
                    w.add(true);
                } else {
                    String s = (String) t;
                    p.append(s);
                    for (int i = 0; i < s.length(); i++) w.add(false);
                }
            }
            pattern = p.toString().toCharArray();
            wild = new boolean[w.size()];
            for (int i = 0; i < wild.length; i++) wild[i] = w.get(i);
        }

        @Override
        boolean match(String s) {
            int si = 0;
            int pi = 0;
            int starP = -1;
            int starS = 0;
            while (si < s.length()) {
                if (pi < pattern.length && (wild[pi] && pattern[pi] == ANY || !wild[pi] && pattern[pi] == s.charAt(si))) {
                    si++;
                    pi++;
                } else if (pi < pattern.length && wild[pi] && pattern[pi] == STAR) {
                    starP = pi++;
                    starS = si;
                } else if (starP >= 0) {
                    pi = starP + 1;
                    si = ++starS;
                } else {
                    return false;
                }
            }
            while (pi < pattern.length && wild[pi] && pattern[pi] == STAR) pi++;
            return pi == pattern.length;
        }
    }

    static final class Regex extends Matcher {
        private final BoundedRegex regex;

        Regex(BoundedRegex regex) {
            this.regex = regex;
        }

        @Override
        boolean folded() {
            return false;
        }

        @Override
        boolean test(String raw, String folded) {
            return regex.find(raw);
        }
    }

    static final class InNetwork extends Matcher {
        private final ValueTest.Cidr network;

        InNetwork(ValueTest.Cidr network) {
            this.network = network;
        }

        @Override
        boolean folded() {
            return false;
        }

        @Override
        boolean test(String raw, String folded) {
            return Cidr.contains(network, raw);
        }
    }

    /**
     * A list of networks (an address list turned into a rule can hold thousands): the value is read
     * once, then looked up in one hash set per prefix length, so the cost follows the number of
     * distinct prefix lengths, not of networks.
     */
    static final class InNetworks extends Matcher {
        /** Masked network bytes, by address length and prefix. */
        private final Map<Integer, Map<Integer, Set<ByteBuffer>>> byLengthAndPrefix = new HashMap<>();

        InNetworks(List<ValueTest.Cidr> networks) {
            for (ValueTest.Cidr n : networks) {
                byLengthAndPrefix.computeIfAbsent(n.network().length, k -> new TreeMap<>())
                        .computeIfAbsent(n.prefix(), k -> new HashSet<>())
                        .add(ByteBuffer.wrap(Cidr.masked(n.network(), n.prefix())));
            }
        }

        @Override
        boolean folded() {
            return false;
        }

        @Override
        boolean test(String raw, String folded) {
            byte[] address = Cidr.literal(raw.trim());
            if (address == null) return false;
            Map<Integer, Set<ByteBuffer>> prefixes = byLengthAndPrefix.get(address.length);
            if (prefixes == null) return false;
            for (Map.Entry<Integer, Set<ByteBuffer>> e : prefixes.entrySet()) {
                if (e.getValue().contains(ByteBuffer.wrap(Cidr.masked(address, e.getKey())))) return true;
            }
            return false;
        }
    }

    static final class Compare extends Matcher {
        private final String op;
        private final BigDecimal value;

        Compare(String op, BigDecimal value) {
            this.op = op;
            this.value = value;
        }

        @Override
        boolean folded() {
            return false;
        }

        @Override
        boolean test(String raw, String folded) {
            BigDecimal v;
            try {
                if (raw.length() > 64) return false;
                v = new BigDecimal(raw.trim());
            } catch (NumberFormatException e) {
                return false;
            }
            int c = v.compareTo(value);
            return switch (op) {
                case "gt" -> c > 0;
                case "gte" -> c >= 0;
                case "lt" -> c < 0;
                default -> c <= 0;
            };
        }
    }
}
