package org.fleetrec.detection.sigma;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What a rule's regular expression may be. Two guards against catastrophic backtracking: here,
 * constructs with no linear-time equivalent (back-references, look-around) and unbounded
 * quantifiers nested inside unbounded quantifiers ({@code (a+)+}) are refused when the rule is
 * loaded; at match time {@link BoundedRegex} caps the work of every search.
 */
final class RegexSafety {
    static final int MAX_PATTERN = 4096;

    private RegexSafety() {
    }

    static ValueTest.Regex check(String pattern, boolean ignoreCase, boolean multiline, boolean dotAll) throws RuleException {
        if (pattern.length() > MAX_PATTERN) throw RuleException.unsupported("regular expression longer than " + MAX_PATTERN + " characters");
        String refused = refused(pattern);
        if (refused != null) throw RuleException.unsupported("regular expression '" + abbreviate(pattern) + "': " + refused);
        try {
            Pattern.compile(pattern, flags(ignoreCase, multiline, dotAll));
        } catch (PatternSyntaxException e) {
            throw RuleException.invalid("regular expression '" + abbreviate(pattern) + "': " + e.getDescription());
        }
        return new ValueTest.Regex(pattern, ignoreCase, multiline, dotAll);
    }

    static int flags(boolean ignoreCase, boolean multiline, boolean dotAll) {
        return (ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0) | (multiline ? Pattern.MULTILINE : 0)
                | (dotAll ? Pattern.DOTALL : 0);
    }

    /** The reason a pattern is refused, or null. */
    static String refused(String p) {
        // per open group: does it contain an unbounded quantifier?
        Deque<boolean[]> groups = new ArrayDeque<>();
        groups.push(new boolean[]{false});
        boolean lastGroupUnbounded = false;
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            boolean closedGroup = false;
            boolean closedUnbounded = false;
            switch (c) {
                case '\\' -> {
                    if (i + 1 < p.length()) {
                        char n = p.charAt(i + 1);
                        if (n >= '1' && n <= '9') return "back-reference \\" + n;
                        if (n == 'k') return "named back-reference";
                        if (n == 'Q') {
                            int end = p.indexOf("\\E", i + 2);
                            i = end < 0 ? p.length() : end + 1;
                            continue;
                        }
                        i++;
                    }
                }
                case '[' -> {
                    i = classEnd(p, i);
                }
                case '(' -> {
                    if (p.startsWith("(?=", i) || p.startsWith("(?!", i) || p.startsWith("(?<=", i) || p.startsWith("(?<!", i)) {
                        return "look-around";
                    }
                    groups.push(new boolean[]{false});
                }
                case ')' -> {
                    if (groups.size() > 1) {
                        closedUnbounded = groups.pop()[0];
                        closedGroup = true;
                    }
                }
                case '*', '+' -> {
                    if (lastGroupUnbounded) return "nested unbounded repetition (catastrophic backtracking)";
                    groups.peek()[0] = true;
                }
                case '{' -> {
                    int end = p.indexOf('}', i);
                    if (end > i && p.substring(i + 1, end).matches("\\d+,")) {
                        if (lastGroupUnbounded) return "nested unbounded repetition (catastrophic backtracking)";
                        groups.peek()[0] = true;
                    }
                    if (end > i) i = end;
                }
                default -> {
                }
            }
            if (closedGroup) {
                lastGroupUnbounded = closedUnbounded;
                // the group's own content counts for its parent too
                if (closedUnbounded) groups.peek()[0] = true;
            } else if (c != '?' || !lastGroupUnbounded) {
                lastGroupUnbounded = false;
            }
        }
        return null;
    }

    private static int classEnd(String p, int start) {
        int i = start + 1;
        if (i < p.length() && p.charAt(i) == '^') i++;
        if (i < p.length() && p.charAt(i) == ']') i++;
        for (; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '\\') i++;
            else if (c == '[') i = classEnd(p, i);
            else if (c == ']') return i;
        }
        return p.length();
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
