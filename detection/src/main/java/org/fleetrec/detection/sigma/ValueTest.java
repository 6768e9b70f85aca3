package org.fleetrec.detection.sigma;

import java.math.BigDecimal;

/** What one value of a field must satisfy; the compiled form is a {@link Matcher}. */
sealed interface ValueTest {
    /** A wildcard pattern over the whole value; case-insensitive unless {@code cased}. */
    record Text(Glob glob, boolean cased) implements ValueTest {
    }

    /** A regular expression found anywhere in the value ({@code re}; flags from {@code re|i|m|s}). */
    record Regex(String pattern, boolean ignoreCase, boolean multiline, boolean dotAll) implements ValueTest {
    }

    /** An IP address inside a network ({@code cidr}). */
    record Cidr(String text, byte[] network, int prefix) implements ValueTest {
    }

    /** A number compared with {@code gt}, {@code gte}, {@code lt} or {@code lte}. */
    record Compare(String op, BigDecimal value) implements ValueTest {
    }

    static ValueTest exact(String value) {
        return new Text(Glob.literal(value), true);
    }
}
