package org.fleetrec.detection.sigma;

/**
 * A rule's (Java/PCRE-style) regular expression as an Elasticsearch {@code regexp} value. Lucene
 * regular expressions match the whole term and have no shorthand classes, anchors or
 * non-capturing groups, so: the pattern is wrapped in {@code .*} where it was not anchored,
 * {@code \s \d \w} are spelled out, {@code (?:} becomes {@code (}, lazy quantifiers lose their
 * {@code ?} (same set of whole-term matches), and characters Lucene treats as operators are
 * escaped. What has no equivalent is reported instead.
 */
final class LuceneRegex {
    private static final String SPACE = " \t\n\u000B\f\r";
    private static final String DIGIT = "0-9";
    private static final String WORD = "a-zA-Z0-9_";
    private static final String LUCENE_SPECIAL = "\"@&~<>#";

    /** {@code value} for the query; {@code widened} when it may match more than the original. */
    record Result(String value, boolean widened, String note, String failure) {
        static Result fail(String why) {
            return new Result(null, false, null, why);
        }
    }

    private LuceneRegex() {
    }

    static Result convert(ValueTest.Regex re) {
        String p = re.pattern();
        if (re.multiline()) return Result.fail("multi-line regular expression");
        StringBuilder out = new StringBuilder();
        int i = 0;
        boolean anchoredStart = false;
        if (p.startsWith("^")) {
            anchoredStart = true;
            i = 1;
        }
        int end = p.length();
        boolean anchoredEnd = false;
        if (end > i && p.charAt(end - 1) == '$' && !escaped(p, end - 1)) {
            anchoredEnd = true;
            end--;
        }
        boolean widened = false;
        String note = null;
        boolean dot = false;
        boolean inClass = false;
        for (; i < end; i++) {
            char c = p.charAt(i);
            if (c == '\\') {
                if (i + 1 >= end) return Result.fail("trailing backslash");
                char n = p.charAt(++i);
                String cls = switch (n) {
                    case 's' -> SPACE;
                    case 'd' -> DIGIT;
                    case 'w' -> WORD;
                    default -> null;
                };
                String negated = switch (n) {
                    case 'S' -> SPACE;
                    case 'D' -> DIGIT;
                    case 'W' -> WORD;
                    default -> null;
                };
                if (cls != null) {
                    out.append(inClass ? cls : "[" + cls + "]");
                } else if (negated != null) {
                    if (inClass) return Result.fail("negated class \\" + n + " inside brackets");
                    out.append("[^").append(negated).append(']');
                } else if (n == 't') {
                    out.append('\t');
                } else if (n == 'n') {
                    out.append('\n');
                } else if (n == 'r') {
                    out.append('\r');
                } else if (n == 'f') {
                    out.append('\f');
                } else if (Character.isLetterOrDigit(n)) {
                    return Result.fail("escape \\" + n + " has no Lucene equivalent");
                } else {
                    out.append('\\').append(n);
                }
                continue;
            }
            if (inClass) {
                if (c == ']') inClass = false;
                else if (c == '[') return Result.fail("nested character class");
                else if (c == '&' && i + 1 < end && p.charAt(i + 1) == '&') return Result.fail("class intersection");
                if (LUCENE_SPECIAL.indexOf(c) >= 0) out.append('\\');
                out.append(c);
                continue;
            }
            switch (c) {
                case '[' -> {
                    inClass = true;
                    out.append(c);
                    if (i + 1 < end && p.charAt(i + 1) == '^') out.append(p.charAt(++i));
                    if (i + 1 < end && p.charAt(i + 1) == ']') out.append('\\').append(p.charAt(++i));
                }
                case '(' -> {
                    if (p.startsWith("(?:", i)) {
                        out.append('(');
                        i += 2;
                    } else if (p.startsWith("(?", i)) {
                        return Result.fail("inline flags or special group");
                    } else {
                        out.append('(');
                    }
                }
                case '^', '$' -> {
                    // an anchor inside the pattern: dropping it only admits more
                    widened = true;
                    note = "an anchor inside the regular expression is not checked";
                }
                case '*', '+', '?', '}' -> {
                    out.append(c);
                    if (i + 1 < end && p.charAt(i + 1) == '?') i++;
                    else if (i + 1 < end && p.charAt(i + 1) == '+') return Result.fail("possessive quantifier");
                }
                case '.' -> {
                    dot = true;
                    out.append(c);
                }
                default -> {
                    if (LUCENE_SPECIAL.indexOf(c) >= 0) out.append('\\');
                    out.append(c);
                }
            }
        }
        if (inClass) return Result.fail("unterminated character class");
        if (dot && !re.dotAll()) {
            widened = true;
            note = note == null ? "'.' also matches line breaks in Elasticsearch" : note + "; '.' also matches line breaks";
        }
        String value = (anchoredStart ? "" : ".*") + "(" + out + ")" + (anchoredEnd ? "" : ".*");
        return new Result(value, widened, note, null);
    }

    private static boolean escaped(String p, int at) {
        int backslashes = 0;
        for (int i = at - 1; i >= 0 && p.charAt(i) == '\\'; i--) backslashes++;
        return backslashes % 2 == 1;
    }
}
