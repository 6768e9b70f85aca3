package org.fleetrec.detection.sigma;

import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A regular expression search with a cap on its work: the text is handed to the engine through a
 * view that counts character reads, and a search that reads more than {@link #BUDGET_PER_CHAR}
 * times the text's length (at least {@link #MIN_BUDGET}) is abandoned and counts as no match.
 * Abandoned searches are counted, so a rule that keeps hitting the cap can be reported.
 */
final class BoundedRegex {
    static final int BUDGET_PER_CHAR = 200;
    static final int MIN_BUDGET = 100_000;

    private final Pattern pattern;
    private final AtomicLong abandoned;

    BoundedRegex(ValueTest.Regex re, AtomicLong abandoned) {
        this.pattern = Pattern.compile(re.pattern(), RegexSafety.flags(re.ignoreCase(), re.multiline(), re.dotAll()));
        this.abandoned = abandoned;
    }

    boolean find(String text) {
        try {
            return pattern.matcher(new Counted(text, Math.max(MIN_BUDGET, (long) BUDGET_PER_CHAR * text.length()))).find();
        } catch (BudgetExceeded e) {
            abandoned.incrementAndGet();
            return false;
        }
    }

    private static final class BudgetExceeded extends RuntimeException {
        BudgetExceeded() {
            super(null, null, false, false);
        }
    }

    private static final class Counted implements CharSequence {
        private final String text;
        private long left;

        Counted(String text, long budget) {
            this.text = text;
            this.left = budget;
        }

        @Override
        public char charAt(int index) {
            if (--left < 0) throw new BudgetExceeded();
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
