package org.fleetrec.agent.audit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Decoding of audit's value encodings. The kernel writes an "untrusted string" (command line, path,
 * comm, exe, key...) in double quotes when it is plain printable text, and as bare upper-case hex of its
 * bytes when it contains a blank, a quote, a control or a non-ASCII byte. Hex bytes are decoded as UTF-8
 * (malformed sequences become U+FFFD); NULs are kept so callers can split argv-style values.
 */
public final class AuditValues {
    /**
     * Fields the kernel (or auditd) writes with audit_log_untrustedstring / n_untrustedstring, i.e. the
     * ones where an unquoted even-length hex value is hex. Numeric-looking fields like {@code a0} of a
     * SYSCALL record are NOT in here on purpose: they are hex numbers. EXECVE's {@code aN} are handled
     * by {@link #execveArgs}, and {@link #isUntrustedStringField} accepts them for EXECVE records only.
     */
    private static final Set<String> UNTRUSTED = Set.of(
            "proctitle", "exe", "cmd", "comm", "name", "cwd", "path", "key", "acct", "data",
            "ocomm", "watch", "root_dir", "old-chardev", "new-chardev");

    private AuditValues() {
    }

    /**
     * True for fields whose unquoted value may be hex-encoded text. EXECVE arguments ({@code a0},
     * {@code a12}, {@code a1[3]}) count only for EXECVE records: in SYSCALL records {@code aN} are hex
     * numbers.
     */
    public static boolean isUntrustedStringField(int recordType, String name) {
        if (UNTRUSTED.contains(name)) {
            return true;
        }
        return recordType == RecordTypes.EXECVE && isArgName(name);
    }

    private static boolean isArgName(String name) {
        if (name.length() < 2 || name.charAt(0) != 'a') {
            return false;
        }
        int i = 1;
        while (i < name.length() && Character.isDigit(name.charAt(i))) {
            i++;
        }
        if (i == 1) {
            return false;
        }
        if (i == name.length()) {
            return true;
        }
        // a1[0] chunk names
        if (name.charAt(i) != '[' || !name.endsWith("]")) {
            return false;
        }
        for (int j = i + 1; j < name.length() - 1; j++) {
            if (!Character.isDigit(name.charAt(j))) {
                return false;
            }
        }
        return name.length() - 1 > i + 1;
    }

    /**
     * Decodes one value token as it appeared in the record text. A value in double or single quotes is
     * text (quotes stripped). An unquoted value of even length made only of hex digits is hex-decoded.
     * Anything else ({@code (null)}, {@code ?}, odd-length) is returned unchanged. Pass the raw token with
     * its quotes; for already-parsed fields use {@link AuditRecord#text(String)}, which knows the quoting.
     */
    public static String decodeHexOrText(String value) {
        if (value == null) {
            return null;
        }
        int n = value.length();
        if (n >= 2 && (value.charAt(0) == '"' && value.charAt(n - 1) == '"'
                || value.charAt(0) == '\'' && value.charAt(n - 1) == '\'')) {
            return value.substring(1, n - 1);
        }
        byte[] bytes = hexBytes(value);
        return bytes == null ? value : new String(bytes, StandardCharsets.UTF_8);
    }

    /** Hex string to bytes, or null if it is not non-empty, even-length hex. */
    static byte[] hexBytes(String value) {
        int n = value.length();
        if (n == 0 || (n & 1) != 0) {
            return null;
        }
        byte[] out = new byte[n / 2];
        for (int i = 0; i < n; i += 2) {
            int hi = Character.digit(value.charAt(i), 16);
            int lo = Character.digit(value.charAt(i + 1), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[i / 2] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    /**
     * The argv of an execve, reassembled from all EXECVE records of one event (in order). Handles plain
     * {@code aN="x"}, hex {@code aN=78}, and long arguments split as {@code aN_len=L aN[0]=.. aN[1]=..}
     * across records (chunks are concatenated as bytes before UTF-8 decoding, so a multibyte character
     * split across chunks survives). Stops at {@code argc}, or at the first missing index if argc is
     * absent; an index missing below argc (lost record) is skipped.
     */
    public static List<String> execveArgs(List<AuditRecord> execveRecords) {
        List<String> args = new ArrayList<>();
        if (execveRecords == null || execveRecords.isEmpty()) {
            return args;
        }
        long argc = -1;
        for (AuditRecord r : execveRecords) {
            String a = r.field("argc");
            if (a != null) {
                try {
                    argc = Long.parseLong(a);
                } catch (NumberFormatException e) {
                    argc = -1;
                }
                break;
            }
        }
        // The kernel caps argv far below this; the bound only protects against a forged argc.
        long limit = argc >= 0 ? Math.min(argc, 1 << 20) : Long.MAX_VALUE;
        for (int i = 0; i < limit; i++) {
            String plain = "a" + i;
            AuditRecord holder = find(execveRecords, plain);
            if (holder != null) {
                args.add(holder.text(plain));
                continue;
            }
            byte[] chunked = chunks(execveRecords, plain);
            if (chunked != null) {
                args.add(new String(chunked, StandardCharsets.UTF_8));
            } else if (argc < 0) {
                break;
            }
        }
        return args;
    }

    private static AuditRecord find(List<AuditRecord> records, String name) {
        for (AuditRecord r : records) {
            if (r.fields().containsKey(name)) {
                return r;
            }
        }
        return null;
    }

    private static byte[] chunks(List<AuditRecord> records, String arg) {
        if (find(records, arg + "_len") == null && find(records, arg + "[0]") == null) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int c = 0; ; c++) {
            String name = arg + "[" + c + "]";
            AuditRecord r = find(records, name);
            if (r == null) {
                break;
            }
            String raw = r.field(name);
            byte[] b = r.quoted(name) ? null : hexBytes(raw);
            out.writeBytes(b != null ? b : raw.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /**
     * Splits a PROCTITLE value (raw hex token, quoted text, or already decoded text) on NUL into argv.
     * The kernel truncates proctitle to 128 bytes, so the last element may be cut short.
     */
    public static List<String> proctitleArgs(String hexOrText) {
        List<String> out = new ArrayList<>();
        if (hexOrText == null || hexOrText.isEmpty()) {
            return out;
        }
        return nulSeparated(decodeHexOrText(hexOrText));
    }

    /** argv as the kernel lays it out (proctitle, /proc/<pid>/cmdline): NUL-separated, trailing NUL optional. */
    public static List<String> nulSeparated(String decoded) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= decoded.length(); i++) {
            if (i == decoded.length() || decoded.charAt(i) == '\0') {
                if (i > start || i < decoded.length()) {
                    out.add(decoded.substring(start, i));
                }
                start = i + 1;
            }
        }
        // A trailing NUL produces no empty final element.
        return out;
    }
}
