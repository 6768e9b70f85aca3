package org.fleetrec.agent.audit;

/**
 * Parses audit record text, from netlink payloads ({@code audit(1700000000.123:456): a=b ...}) or from
 * audit.log lines ({@code [node=host ]type=NAME msg=audit(...): a=b ...}).
 *
 * <p>Field rules (all input is untrusted data and only ever split, never interpreted):
 * <ul>
 *   <li>{@code key="text"} and {@code key='text'} are quoted; quotes are stripped and the field is marked
 *       quoted. Audit never escapes inside quotes, so the value ends at the next matching quote.</li>
 *   <li>{@code msg='k=v k=v'} (USER_* and other userspace records) is flattened: the inner fields are
 *       added to the record and {@code msg} itself is dropped. A {@code msg='...'} without any {@code k=v}
 *       inside is kept as a plain quoted {@code msg} value.</li>
 *   <li>Unquoted values run to the next blank; a trailing {@code ,} or an unbalanced {@code )} is
 *       dropped, which handles old PAM text like {@code (hostname=?, addr=?, terminal=cron res=success)}.
 *       One exception: inside {@code msg='...'}, an unquoted {@code op} also takes the bare words after
 *       it ({@code op=adding user id=1004} from shadow-utils).</li>
 *   <li>Words without {@code =} ({@code avc: denied { read } for}) are skipped, except that the old LOGIN
 *       format {@code old auid=1 new auid=2} becomes {@code old_auid}/{@code new_auid}.</li>
 *   <li>When a name repeats, the first value wins (outer fields beat flattened {@code msg} fields).</li>
 *   <li>ENRICHED logs: everything after the first 0x1D byte goes to {@link AuditRecord#interpreted()},
 *       never into {@link AuditRecord#fields()}.</li>
 *   <li>A {@code node=} prefix on log lines becomes the first field, {@code node}.</li>
 * </ul>
 */
public final class AuditRecordParser {
    private static final char ENRICHED_SEPARATOR = '\u001d';
    private static final String STAMP_START = "audit(";

    private AuditRecordParser() {
    }

    /** Parses a netlink record payload; {@code type} comes from the netlink header. */
    public static AuditRecord parse(int type, String text) {
        if (text == null) {
            throw new AuditParseException("record text is null");
        }
        String trimmed = trimEnd(text);
        int start = skipBlanks(trimmed, 0);
        AuditFields.Builder fields = new AuditFields.Builder();
        return parseStamped(type, trimmed, start, fields, trimmed);
    }

    /** Parses one audit.log line (optionally {@code node=} prefixed, optionally ENRICHED). */
    public static AuditRecord parseLine(String line) {
        if (line == null) {
            throw new AuditParseException("line is null");
        }
        String trimmed = trimEnd(line);
        AuditFields.Builder fields = new AuditFields.Builder();
        int i = skipBlanks(trimmed, 0);
        if (trimmed.startsWith("node=", i)) {
            int end = nextBlank(trimmed, i);
            fields.put("node", trimmed.substring(i + 5, end), false);
            i = skipBlanks(trimmed, end);
        }
        if (!trimmed.startsWith("type=", i)) {
            throw AuditParseException.of("audit log line does not start with type=", line);
        }
        int nameEnd = nextBlank(trimmed, i);
        String typeName = trimmed.substring(i + 5, nameEnd);
        int type = RecordTypes.fromName(typeName);
        if (type < 0) {
            throw AuditParseException.of("unknown audit record type '" + shorten(typeName) + "'", line);
        }
        i = skipBlanks(trimmed, nameEnd);
        if (!trimmed.startsWith("msg=", i)) {
            throw AuditParseException.of("audit log line has no msg=audit(...) after the type", line);
        }
        return parseStamped(type, trimmed, i + 4, fields, trimmed);
    }

    /** Parses {@code audit(sec.frac:serial): fields} starting at {@code pos}. */
    private static AuditRecord parseStamped(int type, String s, int pos, AuditFields.Builder fields, String original) {
        if (!s.startsWith(STAMP_START, pos)) {
            throw AuditParseException.of("missing audit(...) stamp", original);
        }
        int open = pos + STAMP_START.length();
        int close = s.indexOf(')', open);
        if (close < 0) {
            throw AuditParseException.of("unterminated audit(...) stamp", original);
        }
        int colon = s.indexOf(':', open);
        if (colon < 0 || colon > close) {
            throw AuditParseException.of("audit stamp has no ':serial'", original);
        }
        long epochMillis = parseEpochMillis(s, open, colon, original);
        long serial = parseUnsigned(s, colon + 1, close, original, "serial");
        if (serial > 0xFFFF_FFFFL) {
            throw AuditParseException.of("serial does not fit in 32 bits", original);
        }
        int body = close + 1;
        if (body < s.length() && s.charAt(body) == ':') {
            body++;
        }
        int enriched = s.indexOf(ENRICHED_SEPARATOR, body);
        int rawEnd = enriched < 0 ? s.length() : enriched;
        parseFields(s, body, rawEnd, fields, true, false);
        if (enriched >= 0) {
            parseInterpreted(s, enriched + 1, s.length(), fields);
        }
        return new AuditRecord(type, epochMillis, serial, fields.build(), original);
    }

    private static long parseEpochMillis(String s, int from, int to, String original) {
        int dot = s.indexOf('.', from);
        if (dot < 0 || dot > to) {
            long seconds = parseUnsigned(s, from, to, original, "seconds");
            // 18 digits fit a long but not in milliseconds: a forged stamp, not an arithmetic error.
            if (seconds > Long.MAX_VALUE / 1000) {
                throw AuditParseException.of("timestamp out of range", original);
            }
            return seconds * 1000;
        }
        long seconds = parseUnsigned(s, from, dot, original, "seconds");
        int fracLen = to - dot - 1;
        if (fracLen <= 0 || fracLen > 9) {
            throw AuditParseException.of("bad fraction in audit stamp", original);
        }
        long frac = parseUnsigned(s, dot + 1, to, original, "fraction");
        // Kernel stamps have 3 digits; scale anything else to milliseconds.
        long millis = fracLen >= 3 ? frac / pow10(fracLen - 3) : frac * pow10(3 - fracLen);
        if (seconds > Long.MAX_VALUE / 1000 - 1) {
            throw AuditParseException.of("timestamp out of range", original);
        }
        return seconds * 1000 + millis;
    }

    private static long pow10(int n) {
        long r = 1;
        for (int i = 0; i < n; i++) {
            r *= 10;
        }
        return r;
    }

    private static long parseUnsigned(String s, int from, int to, String original, String what) {
        if (from >= to || to - from > 18) {
            throw AuditParseException.of("bad " + what + " in audit stamp", original);
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw AuditParseException.of("bad " + what + " in audit stamp", original);
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /**
     * Splits {@code s[from,to)} into fields; {@code flattenMsg} is false inside a msg='...' already;
     * {@code braces} (ENRICHED part only) keeps a {@code {...}} value whole.
     */
    private static void parseFields(String s, int from, int to, AuditFields.Builder out, boolean flattenMsg,
                                    boolean braces) {
        int i = from;
        String prefix = null;
        while (true) {
            i = skipBlanks(s, i, to);
            if (i >= to) {
                return;
            }
            int keyStart = i;
            while (i < to && s.charAt(i) != '=' && !isBlank(s.charAt(i))) {
                i++;
            }
            if (i >= to || s.charAt(i) != '=') {
                String word = s.substring(keyStart, i);
                prefix = "old".equals(word) || "new".equals(word) ? word : null;
                continue;
            }
            String key = s.substring(keyStart, i);
            while (key.startsWith("(")) {
                key = key.substring(1);
            }
            i++; // '='
            String value;
            boolean quoted;
            if (i < to && (s.charAt(i) == '"' || s.charAt(i) == '\'')) {
                char q = s.charAt(i);
                int end = s.indexOf(q, i + 1);
                if (end < 0 || end >= to) {
                    end = to; // unterminated: keep what there is rather than lose the record
                }
                value = s.substring(i + 1, end);
                quoted = true;
                i = Math.min(end + 1, to);
                if (q == '\'' && flattenMsg && "msg".equals(key) && value.indexOf('=') >= 0) {
                    parseFields(value, 0, value.length(), out, false, false);
                    prefix = null;
                    continue;
                }
            } else if (braces && i < to && s.charAt(i) == '{') {
                // ENRICHED writes structured values as SADDR={ fam=inet laddr=... }: one value, whose inner
                // k=v must not become interpreted fields of their own.
                int close = s.indexOf('}', i);
                int end = close < 0 || close >= to ? to : close + 1;
                value = s.substring(i, end);
                quoted = false;
                i = end;
            } else {
                int end = i;
                while (end < to && !isBlank(s.charAt(end))) {
                    end++;
                }
                if (!flattenMsg && !braces && "op".equals(key)) {
                    end = endOfBareWords(s, end, to);
                }
                value = trimUnquoted(s.substring(i, end));
                quoted = false;
                i = end;
            }
            if (!key.isEmpty()) {
                out.put(prefix != null ? prefix + "_" + key : key, value, quoted);
            }
            prefix = null;
        }
    }

    /**
     * Inside {@code msg='...'}, shadow-utils writes {@code op=adding group to /etc/group id=1004}: the op
     * text unquoted, blanks and all. The words up to the next {@code key=value} (or quote) belong to it.
     */
    private static int endOfBareWords(String s, int end, int to) {
        while (true) {
            int word = skipBlanks(s, end, to);
            int wordEnd = word;
            while (wordEnd < to && !isBlank(s.charAt(wordEnd))) {
                wordEnd++;
            }
            if (word >= to || s.charAt(word) == '"' || s.charAt(word) == '\''
                    || s.substring(word, wordEnd).indexOf('=') >= 0) {
                return end;
            }
            end = wordEnd;
        }
    }

    private static void parseInterpreted(String s, int from, int to, AuditFields.Builder out) {
        AuditFields.Builder tmp = new AuditFields.Builder();
        parseFields(s, from, to, tmp, false, true);
        tmp.build().forEach(out::putInterpreted);
    }

    private static String trimUnquoted(String v) {
        while (v.endsWith(",")) {
            v = v.substring(0, v.length() - 1);
        }
        if (v.endsWith(")") && v.indexOf('(') < 0) {
            v = v.substring(0, v.length() - 1);
        }
        return v;
    }

    private static String trimEnd(String s) {
        int end = s.length();
        while (end > 0) {
            char c = s.charAt(end - 1);
            if (c == '\0' || c == '\n' || c == '\r') {
                end--;
            } else {
                break;
            }
        }
        return end == s.length() ? s : s.substring(0, end);
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0';
    }

    private static int skipBlanks(String s, int i) {
        return skipBlanks(s, i, s.length());
    }

    private static int skipBlanks(String s, int i, int to) {
        while (i < to && isBlank(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int nextBlank(String s, int i) {
        while (i < s.length() && !isBlank(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
