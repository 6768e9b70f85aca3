package org.fleetrec.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads STIX 2.1 patterns ({@code [ipv4-addr:value = '1.2.3.4'] OR [file:hashes.'SHA-256' = '...']})
 * far enough to list every comparison they make: object type, property path, operator and
 * constants. How comparisons combine (AND, OR, FOLLOWEDBY, qualifiers) is checked for syntax and
 * otherwise ignored: a sweep looks for each value on its own.
 *
 * <p>Patterns come from strangers, so the reader is a single left-to-right pass over a bounded
 * input with bounded nesting: no backtracking, no regular expressions, no recursion deeper than
 * {@link #MAX_DEPTH}. Anything it does not accept is a {@link SyntaxException} with the offset.
 */
final class StixPattern {
    static final int MAX_LENGTH = 64 * 1024;
    static final int MAX_DEPTH = 32;

    enum ConstantKind { STRING, INTEGER, FLOAT, BOOLEAN, TIMESTAMP, HEX, BINARY }

    record Constant(ConstantKind kind, String text) {
        String render() {
            return switch (kind) {
                case STRING -> quote(text);
                case TIMESTAMP -> "t" + quote(text);
                case HEX -> "h" + quote(text);
                case BINARY -> "b" + quote(text);
                default -> text;
            };
        }
    }

    /**
     * One comparison. {@code path} holds property names unquoted and list steps as {@code [*]} or
     * {@code [2]}; {@code operator} is upper case ({@code =}, {@code IN}, {@code MATCHES}, {@code EXISTS}...).
     */
    record Comparison(String objectType, List<String> path, boolean negated, String operator, List<Constant> values) {
        String objectPath() {
            StringBuilder text = new StringBuilder(objectType).append(':');
            for (int i = 0; i < path.size(); i++) {
                String step = path.get(i);
                if (step.startsWith("[")) {
                    text.append(step);
                    continue;
                }
                if (i > 0) text.append('.');
                text.append(isIdentifier(step) ? step : quote(step));
            }
            return text.toString();
        }

        /** As written, near enough to recognise it in a report. */
        String describe() {
            StringBuilder text = new StringBuilder();
            if (operator.equals("EXISTS")) return text.append("EXISTS ").append(objectPath()).toString();
            text.append(objectPath()).append(negated ? " NOT " : " ").append(operator).append(' ');
            if (operator.equals("IN")) {
                text.append('(');
                for (int i = 0; i < values.size(); i++) text.append(i > 0 ? ", " : "").append(values.get(i).render());
                return text.append(')').toString();
            }
            return text.append(values.get(0).render()).toString();
        }
    }

    static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int offset;

        SyntaxException(String message, int offset) {
            super(message + " at offset " + offset);
            this.offset = offset;
        }

        int offset() {
            return offset;
        }
    }

    private final String text;
    private final List<Comparison> comparisons = new ArrayList<>();
    private int pos;
    private int depth;

    private StixPattern(String text) {
        this.text = text;
    }

    static List<Comparison> parse(String pattern) throws SyntaxException {
        if (pattern == null) throw new SyntaxException("no pattern", 0);
        if (pattern.length() > MAX_LENGTH) throw new SyntaxException("pattern longer than " + MAX_LENGTH + " characters", MAX_LENGTH);
        StixPattern parser = new StixPattern(pattern);
        parser.observationExpression();
        parser.skipSpace();
        if (parser.pos != pattern.length()) throw parser.error("unexpected text");
        return List.copyOf(parser.comparisons);
    }

    // observations: [comparisons] or (observations), joined by AND, OR or FOLLOWEDBY, each with qualifiers

    private void observationExpression() throws SyntaxException {
        observation();
        while (keyword("AND") || keyword("OR") || keyword("FOLLOWEDBY")) {
            observation();
        }
    }

    private void observation() throws SyntaxException {
        skipSpace();
        if (consume('[')) {
            enter();
            comparisonExpression();
            expect(']');
            leave();
        } else if (consume('(')) {
            enter();
            observationExpression();
            expect(')');
            leave();
        } else {
            throw error("expected '[' or '('");
        }
        qualifiers();
    }

    private void qualifiers() throws SyntaxException {
        while (true) {
            if (keyword("WITHIN")) {
                skipSpace();
                if (number() == null) throw error("expected a number of seconds after WITHIN");
                if (!keyword("SECONDS")) throw error("expected SECONDS");
            } else if (keyword("START")) {
                timestamp();
                if (!keyword("STOP")) throw error("expected STOP");
                timestamp();
            } else if (keyword("REPEATS")) {
                skipSpace();
                Constant count = number();
                if (count == null || count.kind() != ConstantKind.INTEGER) throw error("expected a count after REPEATS");
                if (!keyword("TIMES")) throw error("expected TIMES");
            } else {
                return;
            }
        }
    }

    private void timestamp() throws SyntaxException {
        skipSpace();
        Constant time = constant();
        if (time.kind() != ConstantKind.TIMESTAMP) throw error("expected a timestamp t'...'");
    }

    // comparisons: object-path [NOT] operator constant, joined by AND or OR, grouped by parentheses

    private void comparisonExpression() throws SyntaxException {
        comparisonUnit();
        while (keyword("AND") || keyword("OR")) {
            comparisonUnit();
        }
    }

    private void comparisonUnit() throws SyntaxException {
        skipSpace();
        if (consume('(')) {
            enter();
            comparisonExpression();
            expect(')');
            leave();
        } else if (keyword("EXISTS")) {
            skipSpace();
            ObjectPath path = objectPath();
            comparisons.add(new Comparison(path.type(), path.steps(), false, "EXISTS", List.of()));
        } else {
            comparison();
        }
    }

    private record ObjectPath(String type, List<String> steps) {
    }

    private void comparison() throws SyntaxException {
        ObjectPath path = objectPath();
        boolean negated = keyword("NOT");
        skipSpace();
        String operator = operator();
        List<Constant> values = new ArrayList<>();
        skipSpace();
        if (operator.equals("IN")) {
            expect('(');
            do {
                skipSpace();
                values.add(constant());
            } while (consumeAfterSpace(','));
            expect(')');
        } else {
            values.add(constant());
        }
        comparisons.add(new Comparison(path.type(), path.steps(), negated, operator, List.copyOf(values)));
    }

    private String operator() throws SyntaxException {
        for (String symbol : List.of("!=", "<=", ">=", "=", "<", ">")) {
            if (text.startsWith(symbol, pos)) {
                pos += symbol.length();
                return symbol;
            }
        }
        for (String word : List.of("LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET", "IN")) {
            if (keyword(word)) return word;
        }
        throw error("expected a comparison operator");
    }

    /** {@code type:step(.step|[*]|[n])*}, a step being a name or a quoted string. */
    private ObjectPath objectPath() throws SyntaxException {
        int start = pos;
        while (pos < text.length() && isTypeChar(text.charAt(pos))) pos++;
        if (pos == start) throw error("expected an object type");
        String type = text.substring(start, pos);
        if (!consume(':')) throw error("expected ':' after the object type");
        List<String> steps = new ArrayList<>();
        steps.add(step());
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '.') {
                pos++;
                steps.add(step());
            } else if (c == '[') {
                pos++;
                int indexStart = pos;
                if (consume('*')) {
                    steps.add("[*]");
                } else {
                    while (pos < text.length() && isDigit(text.charAt(pos))) pos++;
                    if (pos == indexStart || pos - indexStart > 9) throw error("expected a list index");
                    steps.add("[" + text.substring(indexStart, pos) + "]");
                }
                if (!consume(']')) throw error("expected ']' after the list index");
            } else {
                break;
            }
        }
        return new ObjectPath(type, List.copyOf(steps));
    }

    private String step() throws SyntaxException {
        if (pos < text.length() && text.charAt(pos) == '\'') return string();
        int start = pos;
        while (pos < text.length() && isIdentifierChar(text.charAt(pos))) pos++;
        if (pos == start) throw error("expected a property name");
        return text.substring(start, pos);
    }

    // constants

    private Constant constant() throws SyntaxException {
        if (pos >= text.length()) throw error("expected a constant");
        char c = text.charAt(pos);
        if (c == '\'') return new Constant(ConstantKind.STRING, string());
        if (pos + 1 < text.length() && text.charAt(pos + 1) == '\'') {
            ConstantKind kind = switch (c) {
                case 't' -> ConstantKind.TIMESTAMP;
                case 'h' -> ConstantKind.HEX;
                case 'b' -> ConstantKind.BINARY;
                default -> null;
            };
            if (kind != null) {
                pos++;
                return new Constant(kind, string());
            }
        }
        if (keyword("true")) return new Constant(ConstantKind.BOOLEAN, "true");
        if (keyword("false")) return new Constant(ConstantKind.BOOLEAN, "false");
        Constant number = number();
        if (number == null) throw error("expected a constant");
        return number;
    }

    /** {@code -?digits(.digits)?}, or null with nothing consumed. */
    private Constant number() {
        int start = pos;
        int at = pos;
        if (at < text.length() && (text.charAt(at) == '-' || text.charAt(at) == '+')) at++;
        int digitsStart = at;
        while (at < text.length() && isDigit(text.charAt(at))) at++;
        if (at == digitsStart) return null;
        ConstantKind kind = ConstantKind.INTEGER;
        if (at + 1 < text.length() && text.charAt(at) == '.' && isDigit(text.charAt(at + 1))) {
            at++;
            while (at < text.length() && isDigit(text.charAt(at))) at++;
            kind = ConstantKind.FLOAT;
        }
        pos = at;
        return new Constant(kind, text.substring(start, at));
    }

    /** A quoted string; inside it only {@code \'} and {@code \\} are escapes, as STIX says. */
    private String string() throws SyntaxException {
        int start = pos;
        pos++; // the opening quote
        StringBuilder value = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == '\'') return value.toString();
            if (c == '\\') {
                if (pos >= text.length()) break;
                char escaped = text.charAt(pos++);
                if (escaped != '\'' && escaped != '\\') throw new SyntaxException("unknown escape \\" + escaped, pos - 2);
                value.append(escaped);
            } else {
                value.append(c);
            }
        }
        throw new SyntaxException("unterminated string", start);
    }

    // lexical helpers

    private void enter() throws SyntaxException {
        if (++depth > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH);
    }

    private void leave() {
        depth--;
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
    }

    private boolean consume(char c) {
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private boolean consumeAfterSpace(char c) {
        skipSpace();
        return consume(c);
    }

    private void expect(char c) throws SyntaxException {
        skipSpace();
        if (!consume(c)) throw error("expected '" + c + "'");
    }

    /** A whole word, in any case (STIX writes keywords in upper case; people do not always). */
    private boolean keyword(String word) {
        skipSpace();
        int end = pos + word.length();
        if (end > text.length() || !text.regionMatches(true, pos, word, 0, word.length())) return false;
        if (end < text.length() && isIdentifierChar(text.charAt(end))) return false;
        pos = end;
        return true;
    }

    private SyntaxException error(String message) {
        return new SyntaxException(message, pos);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isTypeChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '-' || c == '_';
    }

    private static boolean isIdentifierChar(char c) {
        return isTypeChar(c);
    }

    /** Property names STIX lets go unquoted; others (such as {@code SHA-256}) are written quoted. */
    private static boolean isIdentifier(String step) {
        if (step.isEmpty()) return false;
        for (int i = 0; i < step.length(); i++) {
            char c = step.charAt(i);
            if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !isDigit(c) && c != '_') return false;
        }
        return true;
    }

    private static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** Lower-case hash algorithm key without punctuation: {@code 'SHA-256'}, {@code SHA256} and {@code sha_256} alike. */
    static String hashAlgorithm(String key) {
        StringBuilder name = new StringBuilder();
        for (char c : key.toCharArray()) {
            if (c != '-' && c != '_' && c != ' ') name.append(c);
        }
        return name.toString().toLowerCase(Locale.ROOT);
    }
}
