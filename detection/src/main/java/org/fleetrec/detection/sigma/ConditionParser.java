package org.fleetrec.detection.sigma;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Recursive descent over the condition grammar (least to most binding: or, and, not, x of,
 * parentheses). Bounded: conditions longer than {@link #MAX_LENGTH} or nested deeper than
 * {@link #MAX_DEPTH} are refused, so a hostile rule cannot exhaust the stack.
 */
final class ConditionParser {
    static final int MAX_LENGTH = 8192;
    static final int MAX_DEPTH = 64;

    private final List<String> tokens;
    private int pos;
    private int depth;

    private ConditionParser(List<String> tokens) {
        this.tokens = tokens;
    }

    static Condition parse(String text) throws RuleException {
        if (text.length() > MAX_LENGTH) throw RuleException.invalid("condition longer than " + MAX_LENGTH + " characters");
        if (text.indexOf('|') >= 0) {
            throw RuleException.unsupported("aggregation in condition ('" + text.substring(text.indexOf('|')).trim()
                    + "'): counts over many events are not evaluated");
        }
        ConditionParser p = new ConditionParser(tokenize(text));
        if (p.tokens.isEmpty()) throw RuleException.invalid("empty condition");
        if (p.tokens.stream().anyMatch(t -> t.equalsIgnoreCase("near"))) {
            throw RuleException.unsupported("'near' (temporal proximity) in condition");
        }
        Condition c = p.or();
        if (p.pos < p.tokens.size()) throw RuleException.invalid("unexpected '" + p.tokens.get(p.pos) + "' in condition '" + text + "'");
        return c;
    }

    private static List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(' || c == ')' || Character.isWhitespace(c)) {
                if (!word.isEmpty()) {
                    out.add(word.toString());
                    word.setLength(0);
                }
                if (!Character.isWhitespace(c)) out.add(String.valueOf(c));
            } else {
                word.append(c);
            }
        }
        if (!word.isEmpty()) out.add(word.toString());
        return out;
    }

    private Condition or() throws RuleException {
        List<Condition> parts = new ArrayList<>();
        parts.add(and());
        while (is("or")) {
            pos++;
            parts.add(and());
        }
        return parts.size() == 1 ? parts.get(0) : new Condition.Or(parts);
    }

    private Condition and() throws RuleException {
        List<Condition> parts = new ArrayList<>();
        parts.add(not());
        while (is("and")) {
            pos++;
            parts.add(not());
        }
        return parts.size() == 1 ? parts.get(0) : new Condition.And(parts);
    }

    private Condition not() throws RuleException {
        if (is("not")) {
            pos++;
            enter();
            Condition inner = not();
            depth--;
            return new Condition.Not(inner);
        }
        return primary();
    }

    private Condition primary() throws RuleException {
        String t = next();
        if (t.equals("(")) {
            enter();
            Condition inner = or();
            depth--;
            if (!")".equals(next())) throw RuleException.invalid("unbalanced parentheses in condition");
            return inner;
        }
        if (t.equals(")")) throw RuleException.invalid("unexpected ')' in condition");
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.equals("and") || lower.equals("or") || lower.equals("not") || lower.equals("of")) {
            throw RuleException.invalid("'" + t + "' where a search identifier was expected");
        }
        if (is("of")) {
            pos++;
            int count;
            if (lower.equals("all")) {
                count = Condition.Of.ALL;
            } else {
                try {
                    count = Integer.parseInt(t);
                } catch (NumberFormatException e) {
                    throw RuleException.invalid("'" + t + " of' needs a number or 'all'");
                }
                if (count < 1) throw RuleException.invalid("'" + t + " of' needs a positive number");
            }
            String target = next();
            if (target.equals("(") || target.equals(")")) throw RuleException.invalid("'of' needs a pattern or 'them'");
            return new Condition.Of(count, target.equalsIgnoreCase("them") ? null : target);
        }
        return new Condition.Ref(t);
    }

    private void enter() throws RuleException {
        if (++depth > MAX_DEPTH) throw RuleException.invalid("condition nested deeper than " + MAX_DEPTH + " levels");
    }

    private boolean is(String word) {
        return pos < tokens.size() && tokens.get(pos).equalsIgnoreCase(word);
    }

    private String next() throws RuleException {
        if (pos >= tokens.size()) throw RuleException.invalid("condition ends too early");
        return tokens.get(pos++);
    }
}
