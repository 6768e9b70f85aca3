package org.fleetrec.agent.audit.rule;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The kernel's {@code struct audit_rule_data}, the payload of AUDIT_ADD_RULE / AUDIT_DEL_RULE and of each
 * AUDIT_LIST_RULES reply. Wire layout (native little-endian on x86_64):
 * {@code u32 flags, u32 action, u32 field_count, u32 mask[64], u32 fields[64], u32 values[64],
 * u32 fieldflags[64], u32 buflen, char buf[buflen]} where string fields (key, watch path, dir, exe, LSM
 * labels) carry their byte length as value and their bytes, unterminated, in field order in {@code buf}.
 *
 * <p>Immutable: every builder method returns a new rule, so a rule can be shared and later used to delete
 * exactly what was added. Equality is byte equality of {@link #toBytes()}.
 *
 * <pre>{@code
 * AuditRuleData.exitAlways().arch(Arch.B64).syscalls("execve", "execveat").key("fleetrec")
 * AuditRuleData.exitAlways().path("/etc/shadow").perm("wa").key("fleetrec")
 * }</pre>
 */
public final class AuditRuleData {
    public static final int FILTER_USER = 0;
    public static final int FILTER_TASK = 1;
    public static final int FILTER_EXIT = 4;
    public static final int FILTER_EXCLUDE = 5;
    public static final int FILTER_FS = 6;
    /** {@code -A}: insert at the head of the list. The kernel clears it once the rule is stored. */
    public static final int FILTER_PREPEND = 0x10;
    public static final int ACTION_NEVER = 0;
    public static final int ACTION_ALWAYS = 2;

    public static final int MAX_FIELDS = 64;
    public static final int MAX_KEY_LEN = 256;
    static final int BITMASK_WORDS = 64;
    static final int HEADER_BYTES = 4 * (3 + 4 * 64 + 1); // 1040
    private static final int MAX_STRING = 4096;

    /** One {@code -F} condition. {@code text} is non-null exactly for string fields. */
    public record Field(int field, int op, int value, String text) {
    }

    private final int flags;
    private final int action;
    private final int[] mask;
    private final List<Field> fields;
    private final Arch arch;

    private AuditRuleData(int flags, int action, int[] mask, List<Field> fields, Arch arch) {
        this.flags = flags;
        this.action = action;
        this.mask = mask;
        this.fields = List.copyOf(fields);
        this.arch = arch;
    }

    /** An empty rule for the given filter list and action. */
    public static AuditRuleData of(int filter, int action) {
        return new AuditRuleData(filter, action, new int[BITMASK_WORDS], List.of(), null);
    }

    /** {@code -a always,exit}: the usual syscall-exit rule. */
    public static AuditRuleData exitAlways() {
        return of(FILTER_EXIT, ACTION_ALWAYS);
    }

    /** {@code -F arch=b64|b32}; also selects the syscall table used by {@link #syscalls}. */
    public AuditRuleData arch(Arch a) {
        Objects.requireNonNull(a, "arch");
        if (arch != null) {
            throw new IllegalStateException("arch already set to " + arch);
        }
        return withField(new Field(RuleField.ARCH, Op.EQUAL.code(), a.auditArch(), null), a);
    }

    /** {@code -S name,...}. Needs {@link #arch} first: syscall numbers differ between ABIs. */
    public AuditRuleData syscalls(String... names) {
        if (arch == null) {
            throw new IllegalStateException("call arch(...) before syscalls(...): numbers depend on the ABI");
        }
        int[] m = mask.clone();
        for (String name : names) {
            for (int nr : SyscallTable.numbers(arch, name)) {
                setBit(m, nr);
            }
        }
        return new AuditRuleData(flags, action, m, fields, arch);
    }

    /** {@code -S <number>} for syscalls not in the name table. */
    public AuditRuleData syscall(int number) {
        int[] m = mask.clone();
        setBit(m, number);
        return new AuditRuleData(flags, action, m, fields, arch);
    }

    /**
     * {@code -S all}: every syscall bit but not the top 16 "syscall class" bits, byte-identical to what
     * auditctl sends for watches.
     */
    public AuditRuleData allSyscalls() {
        int[] m = new int[BITMASK_WORDS];
        Arrays.fill(m, -1);
        m[BITMASK_WORDS - 1] = 0x0000FFFF;
        return new AuditRuleData(flags, action, m, fields, arch);
    }

    /** {@code -F field<op>value} for numeric fields; value is stored as u32 (negatives as two's complement). */
    public AuditRuleData field(int field, Op op, long value) {
        if (RuleField.isString(field)) {
            throw new IllegalArgumentException("field " + field + " takes a string; use key/path/dir/exe");
        }
        if (value < Integer.MIN_VALUE || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("value out of u32 range: " + value);
        }
        return withField(new Field(field, op.code(), (int) value, null), arch);
    }

    /** {@code -F pid!=N}: typically our own pid, so the agent does not record itself. */
    public AuditRuleData pidNot(long pid) {
        return field(RuleField.PID, Op.NOT_EQUAL, pid);
    }

    /**
     * {@code -k key}. A second call appends, joined with 0x01 like auditctl does for several {@code -k}.
     * At most 256 bytes in total.
     */
    public AuditRuleData key(String key) {
        requireText(key, "key");
        List<Field> fs = new ArrayList<>(fields);
        for (int i = 0; i < fs.size(); i++) {
            Field f = fs.get(i);
            if (f.field() == RuleField.FILTERKEY) {
                fs.set(i, stringField(RuleField.FILTERKEY, f.text() + '\u0001' + key, MAX_KEY_LEN));
                return new AuditRuleData(flags, action, mask, fs, arch);
            }
        }
        return withField(stringField(RuleField.FILTERKEY, key, MAX_KEY_LEN), arch);
    }

    /** {@code -w path} (file watch). Also selects all syscalls if none were chosen, as auditctl does. */
    public AuditRuleData path(String path) {
        return watch(RuleField.WATCH, path);
    }

    /** {@code -w dir/} (recursive directory watch). */
    public AuditRuleData dir(String dir) {
        return watch(RuleField.DIR, dir);
    }

    /** {@code -F exe=/path}: only events of that executable. */
    public AuditRuleData exe(String exe) {
        requireText(exe, "exe");
        return withField(stringField(RuleField.EXE, exe, MAX_STRING), arch);
    }

    /** {@code -F exe!=/path}: events of every executable but that one (typically to silence a noisy daemon). */
    public AuditRuleData exeNot(String exe) {
        requireText(exe, "exe");
        Field f = stringField(RuleField.EXE, exe, MAX_STRING);
        return withField(new Field(f.field(), Op.NOT_EQUAL.code(), f.value(), f.text()), arch);
    }

    /** {@code -p rwxa} for watches: r=4, w=2, x=1, a=8. */
    public AuditRuleData perm(String rwxa) {
        int bits = 0;
        for (char c : rwxa.toCharArray()) {
            bits |= switch (c) {
                case 'x' -> 1;
                case 'w' -> 2;
                case 'r' -> 4;
                case 'a' -> 8;
                default -> throw new IllegalArgumentException("permission must be from 'rwxa': " + rwxa);
            };
        }
        return withField(new Field(RuleField.PERM, Op.EQUAL.code(), bits, null), arch);
    }

    private AuditRuleData watch(int fieldId, String path) {
        requireText(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("watch path must be absolute: " + path);
        }
        AuditRuleData r = withField(stringField(fieldId, path, MAX_STRING), arch);
        return isMaskEmpty(mask) ? r.allSyscalls() : r;
    }

    private AuditRuleData withField(Field f, Arch newArch) {
        if (fields.size() >= MAX_FIELDS) {
            throw new IllegalStateException("an audit rule has at most " + MAX_FIELDS + " fields");
        }
        List<Field> fs = new ArrayList<>(fields);
        fs.add(f);
        return new AuditRuleData(flags, action, mask, fs, newArch);
    }

    private static Field stringField(int fieldId, String text, int maxBytes) {
        int len = text.getBytes(StandardCharsets.UTF_8).length;
        if (len > maxBytes) {
            throw new IllegalArgumentException("string field " + fieldId + " longer than " + maxBytes + " bytes");
        }
        return new Field(fieldId, Op.EQUAL.code(), len, text);
    }

    private static void requireText(String s, String what) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " must not contain NUL");
        }
    }

    private static void setBit(int[] m, int nr) {
        if (nr < 0 || nr >= BITMASK_WORDS * 32) {
            throw new IllegalArgumentException("syscall number out of range: " + nr);
        }
        m[nr >>> 5] |= 1 << (nr & 31);
    }

    private static boolean isMaskEmpty(int[] m) {
        for (int w : m) {
            if (w != 0) {
                return false;
            }
        }
        return true;
    }

    // ---- accessors ----

    /**
     * The rule as the kernel keeps it: the prepend flag of an {@code -A} rule is cleared on insert,
     * and a delete only finds the rule without it (with it: ENOENT).
     */
    public AuditRuleData stored() {
        return (flags & FILTER_PREPEND) == 0 ? this : new AuditRuleData(flags & ~FILTER_PREPEND, action, mask, fields, arch);
    }

    public int flags() {
        return flags;
    }

    public int action() {
        return action;
    }

    public List<Field> fields() {
        return fields;
    }

    public int[] mask() {
        return mask.clone();
    }

    /** True if the syscall-number bit is set in the mask. */
    public boolean hasSyscall(int nr) {
        return nr >= 0 && nr < BITMASK_WORDS * 32 && (mask[nr >>> 5] & (1 << (nr & 31))) != 0;
    }

    /** The key as stored in the kernel (several keys joined by 0x01), or null if the rule has none. */
    public String key() {
        for (Field f : fields) {
            if (f.field() == RuleField.FILTERKEY) {
                return f.text();
            }
        }
        return null;
    }

    /** True if one of the rule's keys equals {@code k}. */
    public boolean hasKey(String k) {
        String all = key();
        if (all == null || k == null) {
            return false;
        }
        for (String part : all.split("\u0001", -1)) {
            if (part.equals(k)) {
                return true;
            }
        }
        return false;
    }

    // ---- wire format ----

    public byte[] toBytes() {
        List<byte[]> strings = new ArrayList<>();
        int buflen = 0;
        for (Field f : fields) {
            if (f.text() != null) {
                byte[] b = f.text().getBytes(StandardCharsets.UTF_8);
                strings.add(b);
                buflen += b.length;
            }
        }
        ByteBuffer bb = ByteBuffer.allocate(HEADER_BYTES + buflen).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(flags).putInt(action).putInt(fields.size());
        for (int w : mask) {
            bb.putInt(w);
        }
        int base = bb.position();
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            bb.putInt(base + 4 * i, f.field());
            bb.putInt(base + 256 + 4 * i, f.value());
            bb.putInt(base + 512 + 4 * i, f.op());
        }
        bb.position(base + 768);
        bb.putInt(buflen);
        for (byte[] b : strings) {
            bb.put(b);
        }
        return bb.array();
    }

    /** Parses an audit_rule_data payload (e.g. an AUDIT_LIST_RULES reply); trailing bytes are ignored. */
    public static AuditRuleData fromBytes(byte[] data) {
        if (data == null || data.length < HEADER_BYTES) {
            throw new IllegalArgumentException("audit_rule_data needs " + HEADER_BYTES + " bytes, got "
                    + (data == null ? 0 : data.length));
        }
        ByteBuffer bb = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int flags = bb.getInt();
        int action = bb.getInt();
        int count = bb.getInt();
        if (count < 0 || count > MAX_FIELDS) {
            throw new IllegalArgumentException("bad field_count " + Integer.toUnsignedString(count));
        }
        int[] mask = new int[BITMASK_WORDS];
        for (int i = 0; i < BITMASK_WORDS; i++) {
            mask[i] = bb.getInt();
        }
        int base = bb.position();
        int buflen = bb.getInt(base + 768);
        if (buflen < 0 || buflen > data.length - HEADER_BYTES) {
            throw new IllegalArgumentException("bad buflen " + Integer.toUnsignedString(buflen)
                    + " for " + data.length + " bytes");
        }
        int strPos = HEADER_BYTES;
        int strEnd = HEADER_BYTES + buflen;
        List<Field> fields = new ArrayList<>(count);
        Arch arch = null;
        for (int i = 0; i < count; i++) {
            int field = bb.getInt(base + 4 * i);
            int value = bb.getInt(base + 256 + 4 * i);
            int op = bb.getInt(base + 512 + 4 * i);
            String text = null;
            if (RuleField.isString(field)) {
                if (value < 0 || value > strEnd - strPos) {
                    throw new IllegalArgumentException("string field " + field + " overruns buf");
                }
                text = new String(data, strPos, value, StandardCharsets.UTF_8);
                strPos += value;
            } else if (field == RuleField.ARCH) {
                for (Arch a : Arch.values()) {
                    if (a.auditArch() == value) {
                        arch = a;
                    }
                }
            }
            fields.add(new Field(field, op, value, text));
        }
        return new AuditRuleData(flags, action, mask, fields, arch);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuditRuleData other && Arrays.equals(toBytes(), other.toBytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toBytes());
    }

    /** Readable, auditctl-like summary for logs (not meant to be parsed back). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("rule[list=").append(flags).append(" action=").append(action);
        int syscalls = 0;
        for (int i = 0; i < BITMASK_WORDS * 32; i++) {
            if (hasSyscall(i)) {
                syscalls++;
            }
        }
        if (syscalls > 0 && syscalls < 64) {
            sb.append(" -S");
            String sep = " ";
            for (int i = 0; i < BITMASK_WORDS * 32; i++) {
                if (hasSyscall(i)) {
                    sb.append(sep).append(i);
                    sep = ",";
                }
            }
        } else if (syscalls >= 64) {
            sb.append(" -S all");
        }
        for (Field f : fields) {
            sb.append(" -F ").append(f.field()).append(opText(f.op()))
                    .append(f.text() != null ? f.text().replace('\u0001', '|') : Integer.toUnsignedString(f.value()));
        }
        return sb.append(']').toString();
    }

    private static String opText(int op) {
        try {
            return switch (Op.fromCode(op)) {
                case EQUAL -> "=";
                case NOT_EQUAL -> "!=";
                case LT -> "<";
                case GT -> ">";
                case LE -> "<=";
                case GE -> ">=";
                case BITMASK -> "&";
                case BITTEST -> "&=";
            };
        } catch (IllegalArgumentException e) {
            return "?" + Integer.toHexString(op) + "?";
        }
    }
}
