package org.fleetrec.agent.audit.rule;

/** Comparison operators of an audit rule field ({@code fieldflags} in {@code struct audit_rule_data}). */
public enum Op {
    EQUAL(0x40000000),
    NOT_EQUAL(0x30000000),
    LT(0x10000000),
    GT(0x20000000),
    LE(0x50000000),
    GE(0x60000000),
    BITMASK(0x08000000),
    BITTEST(0x48000000);

    private final int code;

    Op(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Op fromCode(int code) {
        for (Op op : values()) {
            if (op.code == code) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown audit field operator 0x" + Integer.toHexString(code));
    }
}
