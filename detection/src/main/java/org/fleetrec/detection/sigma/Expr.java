package org.fleetrec.detection.sigma;

import java.util.ArrayList;
import java.util.List;

/**
 * A rule bound to the project's documents: boolean structure over tests of ECS fields. It is both
 * what gets compiled for matching and what becomes an Elasticsearch query, so the two cannot drift.
 */
sealed interface Expr {
    record And(List<Expr> all) implements Expr {
    }

    record Or(List<Expr> any) implements Expr {
    }

    record Not(Expr inner) implements Expr {
    }

    record Const(boolean value) implements Expr {
    }

    /** Some value of {@code field} passes one of {@code anyOf}. */
    record Test(EventField field, List<ValueTest> anyOf) implements Expr {
    }

    /** The field is present. */
    record Present(EventField field) implements Expr {
    }

    /** Some value of {@code a} equals some value of {@code b} ({@code fieldref}). */
    record SameAs(EventField a, EventField b, boolean cased) implements Expr {
    }

    Const TRUE = new Const(true);
    Const FALSE = new Const(false);

    static Expr test(String ecsField, String... exactValues) {
        return new Test(new EventField.Path(ecsField), java.util.Arrays.stream(exactValues).map(ValueTest::exact).toList());
    }

    static Expr and(Expr... parts) {
        return and(List.of(parts));
    }

    static Expr or(Expr... parts) {
        return or(List.of(parts));
    }

    /** AND with constants folded and nested ANDs flattened. */
    static Expr and(List<Expr> parts) {
        List<Expr> out = new ArrayList<>();
        for (Expr p : parts) {
            if (p instanceof Const c) {
                if (!c.value()) return FALSE;
            } else if (p instanceof And a) {
                out.addAll(a.all());
            } else {
                out.add(p);
            }
        }
        if (out.isEmpty()) return TRUE;
        return out.size() == 1 ? out.get(0) : new And(out);
    }

    /** OR with constants folded and nested ORs flattened. */
    static Expr or(List<Expr> parts) {
        List<Expr> out = new ArrayList<>();
        for (Expr p : parts) {
            if (p instanceof Const c) {
                if (c.value()) return TRUE;
            } else if (p instanceof Or o) {
                out.addAll(o.any());
            } else {
                out.add(p);
            }
        }
        if (out.isEmpty()) return FALSE;
        return out.size() == 1 ? out.get(0) : new Or(out);
    }

    static Expr not(Expr inner) {
        if (inner instanceof Const c) return new Const(!c.value());
        if (inner instanceof Not n) return n.inner();
        return new Not(inner);
    }
}
