package org.fleetrec.detection.sigma;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One event as the rules of a set see it: each field read, and folded, at most once. */
final class EventView {
    private final ObjectNode root;
    private final Node.FieldTable table;
    private final String[][] raw;
    private final String[][] folded;
    /** 0 unknown, 1 absent, 2 present. */
    private final byte[] present;

    EventView(ObjectNode root, Node.FieldTable table) {
        this.root = root;
        this.table = table;
        this.raw = new String[table.size()][];
        this.folded = new String[table.size()][];
        this.present = new byte[table.size()];
    }

    String[] raw(int field) {
        String[] v = raw[field];
        if (v == null) raw[field] = v = table.field(field).values(root);
        return v;
    }

    String[] folded(int field) {
        String[] v = folded[field];
        if (v == null) {
            String[] r = raw(field);
            v = r;
            for (int i = 0; i < r.length; i++) {
                String f = Matcher.fold(r[i]);
                if (f != r[i]) {
                    if (v == r) v = r.clone();
                    v[i] = f;
                }
            }
            folded[field] = v;
        }
        return v;
    }

    boolean present(int field) {
        if (present[field] == 0) present[field] = (byte) (table.field(field).present(root) ? 2 : 1);
        return present[field] == 2;
    }
}
