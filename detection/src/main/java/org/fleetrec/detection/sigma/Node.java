package org.fleetrec.detection.sigma;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** An {@link Expr} compiled for matching: fields by number, matchers precompiled. */
abstract class Node {
    abstract boolean eval(EventView v);

    /** Interns fields across a rule set, so an event reads each field once whatever the number of rules. */
    static final class FieldTable {
        private final Map<String, Integer> ids = new HashMap<>();
        private final List<EventField> fields = new ArrayList<>();

        int id(EventField f) {
            return ids.computeIfAbsent(f.key(), k -> {
                fields.add(f);
                return fields.size() - 1;
            });
        }

        EventField field(int id) {
            return fields.get(id);
        }

        int size() {
            return fields.size();
        }
    }

    static Node compile(Expr e, FieldTable table, AtomicLong regexAbandoned) {
        if (e instanceof Expr.Const c) return c.value() ? TRUE : FALSE;
        if (e instanceof Expr.And a) return new And(a.all().stream().map(x -> compile(x, table, regexAbandoned)).toArray(Node[]::new));
        if (e instanceof Expr.Or o) return new Or(mergeTests(o.any()).stream().map(x -> compile(x, table, regexAbandoned)).toArray(Node[]::new));
        if (e instanceof Expr.Not n) return new Not(compile(n.inner(), table, regexAbandoned));
        if (e instanceof Expr.Present p) return new Present(table.id(p.field()));
        if (e instanceof Expr.SameAs s) return new SameAs(table.id(s.a()), table.id(s.b()), s.cased());
        Expr.Test t = (Expr.Test) e;
        return new Test(table.id(t.field()), Matcher.compile(t.anyOf(), regexAbandoned).toArray(Matcher[]::new));
    }

    /** {@code a|b} on one field in separate branches (a list of maps) becomes one test with both matchers. */
    private static List<Expr> mergeTests(List<Expr> any) {
        Map<String, Integer> byField = new HashMap<>();
        List<Expr> out = new ArrayList<>();
        for (Expr x : any) {
            if (x instanceof Expr.Test t) {
                Integer at = byField.get(t.field().key());
                if (at != null) {
                    Expr.Test prior = (Expr.Test) out.get(at);
                    List<ValueTest> merged = new ArrayList<>(prior.anyOf());
                    merged.addAll(t.anyOf());
                    out.set(at, new Expr.Test(prior.field(), merged));
                    continue;
                }
                byField.put(t.field().key(), out.size());
            }
            out.add(x);
        }
        return out;
    }

    static final Node TRUE = new Node() {
        @Override
        boolean eval(EventView v) {
            return true;
        }
    };

    static final Node FALSE = new Node() {
        @Override
        boolean eval(EventView v) {
            return false;
        }
    };

    static final class And extends Node {
        private final Node[] all;

        And(Node[] all) {
            this.all = all;
        }

        @Override
        boolean eval(EventView v) {
            for (Node n : all) if (!n.eval(v)) return false;
            return true;
        }
    }

    static final class Or extends Node {
        private final Node[] any;

        Or(Node[] any) {
            this.any = any;
        }

        @Override
        boolean eval(EventView v) {
            for (Node n : any) if (n.eval(v)) return true;
            return false;
        }
    }

    static final class Not extends Node {
        private final Node inner;

        Not(Node inner) {
            this.inner = inner;
        }

        @Override
        boolean eval(EventView v) {
            return !inner.eval(v);
        }
    }

    static final class Present extends Node {
        private final int field;

        Present(int field) {
            this.field = field;
        }

        @Override
        boolean eval(EventView v) {
            return v.present(field);
        }
    }

    static final class Test extends Node {
        private final int field;
        private final Matcher[] any;
        private final boolean needsFolded;

        Test(int field, Matcher[] any) {
            this.field = field;
            this.any = any;
            boolean f = false;
            for (Matcher m : any) f |= m.folded();
            this.needsFolded = f;
        }

        @Override
        boolean eval(EventView v) {
            String[] raw = v.raw(field);
            if (raw.length == 0) return false;
            String[] folded = needsFolded ? v.folded(field) : raw;
            for (int i = 0; i < raw.length; i++) {
                for (Matcher m : any) if (m.test(raw[i], folded[i])) return true;
            }
            return false;
        }
    }

    static final class SameAs extends Node {
        private final int a;
        private final int b;
        private final boolean cased;

        SameAs(int a, int b, boolean cased) {
            this.a = a;
            this.b = b;
            this.cased = cased;
        }

        @Override
        boolean eval(EventView v) {
            String[] x = cased ? v.raw(a) : v.folded(a);
            String[] y = cased ? v.raw(b) : v.folded(b);
            for (String s : x) for (String t : y) if (s.equals(t)) return true;
            return false;
        }
    }
}
