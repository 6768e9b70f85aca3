package org.fleetrec.detection.sigma;

import java.util.ArrayList;
import java.util.List;

/**
 * A Sigma string value: literal text with the wildcards {@code *} (any run) and {@code ?} (one
 * character). Backslash escapes follow the specification: {@code \*} and {@code \?} are literal,
 * {@code \\} is one backslash, a backslash before anything else is itself.
 */
record Glob(List<Object> tokens) {
    /** A wildcard token; literals are Strings. */
    enum Wild { STAR, ONE }

    Glob {
        tokens = List.copyOf(tokens);
    }

    static Glob parse(String value) {
        Builder b = new Builder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                char n = value.charAt(i + 1);
                if (n == '*' || n == '?' || n == '\\') {
                    b.literal(n);
                    i++;
                    continue;
                }
                b.literal(c);
            } else if (c == '*') {
                b.wild(Wild.STAR);
            } else if (c == '?') {
                b.wild(Wild.ONE);
            } else {
                b.literal(c);
            }
        }
        return b.build();
    }

    static Glob literal(String text) {
        return text.isEmpty() ? new Glob(List.of()) : new Glob(List.of(text));
    }

    boolean isLiteral() {
        return tokens.stream().allMatch(t -> t instanceof String);
    }

    /** The text of a literal glob. */
    String text() {
        StringBuilder s = new StringBuilder();
        for (Object t : tokens) {
            if (!(t instanceof String lit)) throw new IllegalStateException("not a literal");
            s.append(lit);
        }
        return s.toString();
    }

    Glob withStar(boolean before, boolean after) {
        List<Object> out = new ArrayList<>();
        if (before && (tokens.isEmpty() || tokens.get(0) != Wild.STAR)) out.add(Wild.STAR);
        out.addAll(tokens);
        if (after && (out.isEmpty() || out.get(out.size() - 1) != Wild.STAR)) out.add(Wild.STAR);
        return new Glob(out);
    }

    /** Every literal character replaced by {@code f(c)} (folding to one case). */
    Glob mapLiterals(java.util.function.UnaryOperator<String> f) {
        return new Glob(tokens.stream().map(t -> t instanceof String s ? (Object) f.apply(s) : t).toList());
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Object t : tokens) {
            if (t == Wild.STAR) s.append('*');
            else if (t == Wild.ONE) s.append('?');
            else s.append(((String) t).replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?"));
        }
        return s.toString();
    }

    static final class Builder {
        private final List<Object> tokens = new ArrayList<>();
        private final StringBuilder literal = new StringBuilder();

        Builder literal(char c) {
            literal.append(c);
            return this;
        }

        Builder literal(String s) {
            literal.append(s);
            return this;
        }

        Builder wild(Wild w) {
            flush();
            // consecutive stars are one star
            if (!(w == Wild.STAR && !tokens.isEmpty() && tokens.get(tokens.size() - 1) == Wild.STAR)) tokens.add(w);
            return this;
        }

        Glob build() {
            flush();
            return new Glob(tokens);
        }

        private void flush() {
            if (!literal.isEmpty()) {
                tokens.add(literal.toString());
                literal.setLength(0);
            }
        }
    }
}
