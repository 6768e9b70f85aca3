package org.fleetrec.detection.sigma;

import java.util.List;

/** A parsed {@code condition}: and/or/not over search identifiers and {@code N of pattern} groups. */
public sealed interface Condition {
    record And(List<Condition> all) implements Condition {
    }

    record Or(List<Condition> any) implements Condition {
    }

    record Not(Condition inner) implements Condition {
    }

    /** A search identifier by name. */
    record Ref(String name) implements Condition {
    }

    /**
     * {@code 1 of sel*}, {@code all of them}: {@code count} is how many must hold ({@link #ALL} for all);
     * {@code pattern} is null for {@code them}.
     */
    record Of(int count, String pattern) implements Condition {
        public static final int ALL = -1;
    }
}
