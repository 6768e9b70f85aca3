package org.fleetrec.agent.audit.rule;

import org.fleetrec.agent.audit.RecordTypes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses one auditctl rule line ({@code -a always,exit -F arch=b64 -S openat -F dir=/etc -k cfg}) into the
 * {@link AuditRuleData} auditctl would send, byte for byte. Only rule additions are accepted ({@code -a} and
 * {@code -A}); watches ({@code -w}), deletions and every control option are refused, because user rules must
 * be plain data the agent can add and later delete exactly.
 *
 * <p>Choices that differ from auditctl, each because it turns a silent surprise into an early, clear error:
 * <ul>
 *   <li>Syscalls given by <em>name</em> need {@code -F arch=b64|b32} before them. auditctl silently uses the
 *       machine's numbers and adds no arch field, so the rule then also matches unrelated 32-bit syscalls
 *       that happen to share the number. Numbers ({@code -S 59}) and {@code -S all} need no arch.</li>
 *   <li>Operators the kernel would refuse with EINVAL are refused here: {@code &}/{@code &=} only on
 *       a0..a3, pers and devminor; only {@code =}/{@code !=} on arch, exe, filetype, fstype, inode, perm;
 *       only {@code =} on path, dir and key; a path may not end in '/'; one path/dir per rule, and not
 *       together with inode.</li>
 *   <li>A key is allowed on every list (auditctl refuses it on exclude/user without a syscall, the kernel
 *       does not): the agent tags user rules with its own key so it can find them again.</li>
 *   <li>Label fields ({@code subj_*}, {@code obj_user} ...) and field comparisons ({@code -C}) are not
 *       supported.</li>
 * </ul>
 * As in auditctl: {@code -F arch} must come before {@code -S}; {@code -k} keys are appended at the end,
 * joined by 0x01; a rule on any list but task without {@code -S} covers all syscalls; uid/gid values may
 * be names (resolved in the given passwd/group files) and {@code unset}/{@code -1} mean 4294967295;
 * numbers are C-style (0x hex, leading 0 octal); {@code "\ "} is a space inside a value.
 *
 * <p>Never executes anything and reads only the passwd/group files.
 */
public final class AuditRuleParser {
    /** Flag bit OR-ed into the list number by {@code -A}: insert at the head of the list. */
    public static final int FILTER_PREPEND = AuditRuleData.FILTER_PREPEND;
    static final long UNSET = 0xFFFF_FFFFL;

    private enum Kind { UID, GID, NUMBER, SIGNED, SESSION, EXIT, ARCH, MSGTYPE, WATCH, EXE, KEY, PERM, FILETYPE, FSTYPE }

    /** Which operators the kernel accepts on a field. */
    private enum Ops { ANY, COMPARE, EQ_NE, EQ }

    /** Where a field may be used: auditctl's per-list restrictions (EAU_EXITONLY and friends). */
    private enum Lists { ANY, EXIT_ONLY, USER_EXCLUDE, NOT_TASK, FILESYSTEM }

    private record Spec(int id, Kind kind, Ops ops, Lists lists) {
    }

    private static final Map<String, Spec> FIELDS = Map.ofEntries(
            Map.entry("pid", new Spec(RuleField.PID, Kind.NUMBER, Ops.COMPARE, Lists.ANY)),
            Map.entry("ppid", new Spec(RuleField.PPID, Kind.NUMBER, Ops.COMPARE, Lists.EXIT_ONLY)),
            Map.entry("uid", new Spec(RuleField.UID, Kind.UID, Ops.COMPARE, Lists.ANY)),
            Map.entry("euid", new Spec(RuleField.EUID, Kind.UID, Ops.COMPARE, Lists.ANY)),
            Map.entry("suid", new Spec(RuleField.SUID, Kind.UID, Ops.COMPARE, Lists.ANY)),
            Map.entry("fsuid", new Spec(RuleField.FSUID, Kind.UID, Ops.COMPARE, Lists.ANY)),
            Map.entry("auid", new Spec(RuleField.LOGINUID, Kind.UID, Ops.COMPARE, Lists.ANY)),
            Map.entry("loginuid", new Spec(RuleField.LOGINUID, Kind.UID, Ops.COMPARE, Lists.ANY)),
            Map.entry("obj_uid", new Spec(RuleField.OBJ_UID, Kind.UID, Ops.COMPARE, Lists.EXIT_ONLY)),
            Map.entry("gid", new Spec(RuleField.GID, Kind.GID, Ops.COMPARE, Lists.ANY)),
            Map.entry("egid", new Spec(RuleField.EGID, Kind.GID, Ops.COMPARE, Lists.ANY)),
            Map.entry("sgid", new Spec(RuleField.SGID, Kind.GID, Ops.COMPARE, Lists.ANY)),
            Map.entry("fsgid", new Spec(RuleField.FSGID, Kind.GID, Ops.COMPARE, Lists.ANY)),
            Map.entry("obj_gid", new Spec(RuleField.OBJ_GID, Kind.GID, Ops.COMPARE, Lists.EXIT_ONLY)),
            Map.entry("sessionid", new Spec(RuleField.SESSIONID, Kind.SESSION, Ops.COMPARE, Lists.NOT_TASK)),
            Map.entry("exit", new Spec(RuleField.EXIT, Kind.EXIT, Ops.COMPARE, Lists.EXIT_ONLY)),
            Map.entry("success", new Spec(RuleField.SUCCESS, Kind.NUMBER, Ops.COMPARE, Lists.EXIT_ONLY)),
            Map.entry("a0", new Spec(RuleField.ARG0, Kind.SIGNED, Ops.ANY, Lists.ANY)),
            Map.entry("a1", new Spec(RuleField.ARG1, Kind.SIGNED, Ops.ANY, Lists.ANY)),
            Map.entry("a2", new Spec(RuleField.ARG2, Kind.SIGNED, Ops.ANY, Lists.ANY)),
            Map.entry("a3", new Spec(RuleField.ARG3, Kind.SIGNED, Ops.ANY, Lists.ANY)),
            Map.entry("pers", new Spec(RuleField.PERS, Kind.NUMBER, Ops.ANY, Lists.ANY)),
            Map.entry("devmajor", new Spec(RuleField.DEVMAJOR, Kind.NUMBER, Ops.COMPARE, Lists.EXIT_ONLY)),
            Map.entry("devminor", new Spec(RuleField.DEVMINOR, Kind.NUMBER, Ops.ANY, Lists.EXIT_ONLY)),
            Map.entry("inode", new Spec(RuleField.INODE, Kind.NUMBER, Ops.EQ_NE, Lists.EXIT_ONLY)),
            Map.entry("saddr_fam", new Spec(RuleField.SADDR_FAM, Kind.NUMBER, Ops.COMPARE, Lists.ANY)),
            Map.entry("arch", new Spec(RuleField.ARCH, Kind.ARCH, Ops.EQ_NE, Lists.ANY)),
            Map.entry("msgtype", new Spec(RuleField.MSGTYPE, Kind.MSGTYPE, Ops.COMPARE, Lists.USER_EXCLUDE)),
            Map.entry("path", new Spec(RuleField.WATCH, Kind.WATCH, Ops.EQ, Lists.EXIT_ONLY)),
            Map.entry("dir", new Spec(RuleField.DIR, Kind.WATCH, Ops.EQ, Lists.EXIT_ONLY)),
            Map.entry("exe", new Spec(RuleField.EXE, Kind.EXE, Ops.EQ_NE, Lists.ANY)),
            Map.entry("key", new Spec(RuleField.FILTERKEY, Kind.KEY, Ops.EQ, Lists.ANY)),
            Map.entry("perm", new Spec(RuleField.PERM, Kind.PERM, Ops.EQ, Lists.EXIT_ONLY)),
            Map.entry("filetype", new Spec(RuleField.FILETYPE, Kind.FILETYPE, Ops.EQ_NE, Lists.EXIT_ONLY)),
            Map.entry("fstype", new Spec(RuleField.FSTYPE, Kind.FSTYPE, Ops.EQ_NE, Lists.FILESYSTEM)));

    /** Fields the kernel takes on the exclude list (auditctl's list, plus key: the kernel accepts it). */
    private static final Set<Integer> EXCLUDE_FIELDS = Set.of(RuleField.PID, RuleField.UID, RuleField.GID,
            RuleField.LOGINUID, RuleField.MSGTYPE, RuleField.FILTERKEY);

    private static final Map<String, Integer> LISTS = Map.of("user", AuditRuleData.FILTER_USER,
            "task", AuditRuleData.FILTER_TASK, "exit", AuditRuleData.FILTER_EXIT,
            "exclude", AuditRuleData.FILTER_EXCLUDE, "filesystem", AuditRuleData.FILTER_FS);

    private static final Map<String, Integer> FILE_TYPES = Map.of("socket", 0xC000, "link", 0xA000,
            "file", 0x8000, "block", 0x6000, "dir", 0x4000, "character", 0x2000, "fifo", 0x1000);

    private static final Map<String, Long> FS_TYPES = Map.of("debugfs", 0x64626720L, "tracefs", 0x74726163L);

    /** Linux errno names by number (asm-generic/errno*.h), for {@code -F exit=-EACCES}. */
    private static final String[] ERRNO = ("- EPERM ENOENT ESRCH EINTR EIO ENXIO E2BIG ENOEXEC EBADF ECHILD EAGAIN "
            + "ENOMEM EACCES EFAULT ENOTBLK EBUSY EEXIST EXDEV ENODEV ENOTDIR EISDIR EINVAL ENFILE EMFILE ENOTTY "
            + "ETXTBSY EFBIG ENOSPC ESPIPE EROFS EMLINK EPIPE EDOM ERANGE EDEADLK ENAMETOOLONG ENOLCK ENOSYS "
            + "ENOTEMPTY ELOOP - ENOMSG EIDRM ECHRNG EL2NSYNC EL3HLT EL3RST ELNRNG EUNATCH ENOCSI EL2HLT EBADE "
            + "EBADR EXFULL ENOANO EBADRQC EBADSLT - EBFONT ENOSTR ENODATA ETIME ENOSR ENONET ENOPKG EREMOTE "
            + "ENOLINK EADV ESRMNT ECOMM EPROTO EMULTIHOP EDOTDOT EBADMSG EOVERFLOW ENOTUNIQ EBADFD EREMCHG "
            + "ELIBACC ELIBBAD ELIBSCN ELIBMAX ELIBEXEC EILSEQ ERESTART ESTRPIPE EUSERS ENOTSOCK EDESTADDRREQ "
            + "EMSGSIZE EPROTOTYPE ENOPROTOOPT EPROTONOSUPPORT ESOCKTNOSUPPORT EOPNOTSUPP EPFNOSUPPORT "
            + "EAFNOSUPPORT EADDRINUSE EADDRNOTAVAIL ENETDOWN ENETUNREACH ENETRESET ECONNABORTED ECONNRESET "
            + "ENOBUFS EISCONN ENOTCONN ESHUTDOWN ETOOMANYREFS ETIMEDOUT ECONNREFUSED EHOSTDOWN EHOSTUNREACH "
            + "EALREADY EINPROGRESS ESTALE EUCLEAN ENOTNAM ENAVAIL EISNAM EREMOTEIO EDQUOT ENOMEDIUM EMEDIUMTYPE "
            + "ECANCELED ENOKEY EKEYEXPIRED EKEYREVOKED EKEYREJECTED EOWNERDEAD ENOTRECOVERABLE ERFKILL "
            + "EHWPOISON").split(" ");
    private static final Map<String, Integer> ERRNO_ALIASES = Map.of("EWOULDBLOCK", 11, "EDEADLOCK", 35,
            "ENOTSUP", 95);

    private final Path passwd;
    private final Path group;

    /** A parser resolving user and group names in the given files (tests pass their own). */
    public AuditRuleParser(Path passwd, Path group) {
        this.passwd = passwd;
        this.group = group;
    }

    /** A parser for rules of this host: names resolve in /etc/passwd and /etc/group. */
    public static AuditRuleParser forThisHost() {
        return new AuditRuleParser(Path.of("/etc/passwd"), Path.of("/etc/group"));
    }

    /** One option and its argument as written, e.g. {@code -F uid=0}; {@code text} is quoted in errors. */
    private record Option(String name, String arg, String text) {
    }

    /** Parses one rule line. Comments and blank lines are not rules and are refused too. */
    public AuditRuleData parse(String line) throws AuditRuleSyntaxException {
        List<Option> options = options(tokenize(line == null ? "" : line));
        Option listOption = null;
        for (Option o : options) {
            if (o.name().equals("-a") || o.name().equals("-A")) {
                if (listOption != null) {
                    throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': a rule has exactly one -a or -A");
                }
                listOption = o;
            }
        }
        if (listOption == null) {
            throw new AuditRuleSyntaxException(line.trim(), "'" + line.trim()
                    + "' is not a rule: a rule starts with -a <action>,<list> or -A <action>,<list>");
        }
        return new Builder(listOption, list(listOption), action(listOption)).build(options);
    }

    // ---- tokens and options ----

    /** Splits on blanks; {@code "\ "} is a space and {@code "\\"} a backslash inside a token, as in auditctl. */
    static List<String> tokenize(String line) throws AuditRuleSyntaxException {
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw new AuditRuleSyntaxException("", "a rule is a single line; give one rule at a time");
        }
        List<String> tokens = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inToken = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == ' ' || line.charAt(i + 1) == '\\')) {
                cur.append(line.charAt(++i));
                inToken = true;
            } else if (c == ' ' || c == '\t') {
                if (inToken) {
                    tokens.add(cur.toString());
                    cur.setLength(0);
                    inToken = false;
                }
            } else if (c == '\0') {
                throw new AuditRuleSyntaxException("", "a rule must not contain NUL characters");
            } else {
                cur.append(c);
                inToken = true;
            }
        }
        if (inToken) {
            tokens.add(cur.toString());
        }
        if (tokens.isEmpty()) {
            throw new AuditRuleSyntaxException("", "empty rule: write e.g. -a always,exit -F arch=b64 -S execve -k mykey");
        }
        if (tokens.get(0).startsWith("#")) {
            throw new AuditRuleSyntaxException(tokens.get(0), "'" + line.trim() + "' is a comment, not a rule");
        }
        return tokens;
    }

    private static List<Option> options(List<String> tokens) throws AuditRuleSyntaxException {
        List<Option> out = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (!t.startsWith("-") || t.equals("-")) {
                throw new AuditRuleSyntaxException(t, "unexpected '" + t + "': every value must follow an option "
                        + "(-a, -A, -S, -F or -k)");
            }
            if (t.startsWith("--")) {
                throw notARule(t);
            }
            String name = t.substring(0, 2);
            switch (name) {
                case "-a", "-A", "-S", "-F", "-k" -> {
                    String arg;
                    if (t.length() > 2) {
                        arg = t.substring(2); // getopt style: -kmykey
                    } else if (i + 1 < tokens.size()) {
                        arg = tokens.get(++i);
                    } else {
                        throw new AuditRuleSyntaxException(t, "'" + t + "' needs a value");
                    }
                    out.add(new Option(name, arg, name + " " + arg));
                }
                case "-w", "-W" -> throw new AuditRuleSyntaxException(t, "'" + t + "': file watches (-w) are not "
                        + "accepted; write the watch as a syscall rule: " + watchAsRule(tokens));
                case "-p" -> throw new AuditRuleSyntaxException(t, "'" + t + "': -p belongs to -w watches; "
                        + "use -F perm=rwxa in a rule");
                case "-C" -> throw new AuditRuleSyntaxException(t, "'" + t + "': field comparisons (-C) are not "
                        + "supported");
                default -> throw notARule(t);
            }
        }
        return out;
    }

    /** The -a rule auditctl builds for a -w watch, to show the user what to write instead. */
    private static String watchAsRule(List<String> tokens) {
        String path = "/etc/passwd";
        String perm = "rwxa"; // auditctl's default for a watch without -p
        String key = null;
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            String value = t.length() > 2 ? t.substring(2) : i + 1 < tokens.size() ? tokens.get(i + 1) : null;
            if (value == null || t.length() < 2) {
                continue;
            }
            switch (t.substring(0, 2)) {
                case "-w", "-W" -> path = value;
                case "-p" -> perm = value;
                case "-k" -> key = value;
                default -> {
                    // other options have no -a equivalent to suggest
                }
            }
        }
        boolean dir = path.length() > 1 && path.endsWith("/");
        return "-a always,exit -F " + (dir ? "dir=" + path.substring(0, path.length() - 1) : "path=" + path)
                + " -F perm=" + perm + (key == null ? "" : " -k " + key);
    }

    private static AuditRuleSyntaxException notARule(String t) {
        return new AuditRuleSyntaxException(t, "'" + t + "' is not accepted: only rule additions "
                + "(-a/-A with -S, -F and -k) are; options that delete rules, list them or change the audit "
                + "system (-D, -d, -e, -b, -f, -r, -l, -s ...) are refused");
    }

    private static int list(Option o) throws AuditRuleSyntaxException {
        String[] parts = o.arg().split(",", -1);
        if (parts.length != 2) {
            throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': expected <action>,<list> such as "
                    + "always,exit");
        }
        for (String p : parts) {
            Integer list = LISTS.get(p);
            if (list != null) {
                return list | (o.name().equals("-A") ? FILTER_PREPEND : 0);
            }
            if (p.equals("entry")) {
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': the entry list no longer exists "
                        + "in the kernel; use exit");
            }
        }
        throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': unknown list; one of user, task, exit, "
                + "exclude, filesystem");
    }

    private static int action(Option o) throws AuditRuleSyntaxException {
        for (String p : o.arg().split(",", -1)) {
            switch (p) {
                case "always" -> {
                    return AuditRuleData.ACTION_ALWAYS;
                }
                case "never" -> {
                    return AuditRuleData.ACTION_NEVER;
                }
                case "possible" -> throw new AuditRuleSyntaxException(o.text(), "'" + o.text()
                        + "': the action 'possible' is deprecated; use always or never");
                default -> {
                    // the other half is the list
                }
            }
        }
        throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': unknown action; always or never");
    }

    // ---- building one rule ----

    /** Mutable state of one parse; the rule itself is built at the end so the mask is known before watches. */
    private final class Builder {
        private final Option listOption;
        private final int flags;
        private final int list;
        private final int action;
        private final Set<Integer> syscalls = new LinkedHashSet<>();
        private final List<String> keys = new ArrayList<>();
        private boolean allSyscalls;
        private boolean syscallSeen;
        private boolean archSeen;
        private boolean watchSeen;
        private boolean inodeSeen;
        private int keyBytes;
        private Arch abi;

        Builder(Option listOption, int flags, int action) {
            this.listOption = listOption;
            this.flags = flags;
            this.list = flags & ~FILTER_PREPEND;
            this.action = action;
        }

        AuditRuleData build(List<Option> options) throws AuditRuleSyntaxException {
            List<ParsedField> parsed = new ArrayList<>();
            for (Option o : options) {
                switch (o.name()) {
                    case "-S" -> syscalls(o);
                    case "-F" -> parsed.add(field(o));
                    case "-k" -> key(o);
                    default -> {
                        // -a/-A: already read
                    }
                }
            }
            AuditRuleData r = AuditRuleData.of(flags, action);
            if (allSyscalls || (!syscallSeen && list != AuditRuleData.FILTER_TASK)) {
                r = r.allSyscalls(); // auditctl: no -S means every syscall on all lists but task
            }
            for (int nr : syscalls) {
                r = r.syscall(nr);
            }
            try {
                for (ParsedField f : parsed) {
                    r = f.apply(r);
                }
                for (String k : keys) {
                    r = r.key(k);
                }
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new AuditRuleSyntaxException(listOption.text(), e.getMessage());
            }
            return r;
        }

        private void syscalls(Option o) throws AuditRuleSyntaxException {
            if (list != AuditRuleData.FILTER_EXIT) {
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': syscalls (-S) apply only to the "
                        + "exit list, not to '" + listOption.arg() + "'");
            }
            syscallSeen = true;
            for (String s : o.arg().split(",", -1)) {
                if (s.equals("all")) {
                    allSyscalls = true;
                } else if (!s.isEmpty() && Character.isDigit(s.charAt(0))) {
                    long nr = number(o, s);
                    if (nr >= AuditRuleData.BITMASK_WORDS * 32) {
                        throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': syscall number " + s
                                + " is out of range");
                    }
                    syscalls.add((int) nr);
                } else if (abi == null) {
                    throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': give -F arch=b64 (or b32) "
                            + "before naming syscalls: syscall numbers differ between 64- and 32-bit programs");
                } else {
                    try {
                        for (int nr : SyscallTable.numbers(abi, s)) {
                            syscalls.add(nr);
                        }
                    } catch (IllegalArgumentException e) {
                        throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': unknown syscall '" + s
                                + "' for arch " + abi.name().toLowerCase(Locale.ROOT) + "; give its number instead");
                    }
                }
            }
        }

        private void key(Option o) throws AuditRuleSyntaxException {
            checkKey(o, o.arg());
            keys.add(o.arg());
        }

        private ParsedField field(Option o) throws AuditRuleSyntaxException {
            String arg = o.arg();
            int at = 0;
            while (at < arg.length() && "!<>=&".indexOf(arg.charAt(at)) < 0) {
                at++;
            }
            String name = arg.substring(0, at).toLowerCase(Locale.ROOT);
            if (at == arg.length()) {
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': expected field, operator and "
                        + "value, e.g. -F uid=0 (operators: = != < > <= >= & &=)");
            }
            String rest = arg.substring(at);
            Op op = null;
            String opText = null;
            for (String candidate : new String[] {"!=", "<=", ">=", "&=", "=", "<", ">", "&"}) {
                if (rest.startsWith(candidate)) {
                    op = switch (candidate) {
                        case "!=" -> Op.NOT_EQUAL;
                        case "<=" -> Op.LE;
                        case ">=" -> Op.GE;
                        case "&=" -> Op.BITTEST;
                        case "=" -> Op.EQUAL;
                        case "<" -> Op.LT;
                        case ">" -> Op.GT;
                        default -> Op.BITMASK;
                    };
                    opText = candidate;
                    break;
                }
            }
            if (op == null) {
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': unknown operator; use one of "
                        + "= != < > <= >= & &=");
            }
            String value = rest.substring(opText.length());
            if (name.isEmpty()) {
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': missing field name");
            }
            if (value.isEmpty()) {
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': missing value");
            }
            if (name.startsWith("subj_") || (name.startsWith("obj_") && !name.equals("obj_uid")
                    && !name.equals("obj_gid"))) {
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': security label fields "
                        + "(subj_*, obj_user, obj_role, obj_type, obj_lev_*) are not supported");
            }
            Spec spec = FIELDS.get(name);
            if (spec == null) {
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': unknown field '" + name + "'");
            }
            checkList(o, name, spec);
            checkOp(o, name, spec, op, opText);
            if (spec.id() == RuleField.INODE) {
                if (watchSeen) {
                    throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': inode cannot be combined with "
                            + "path or dir (the kernel refuses it)");
                }
                inodeSeen = true;
            }
            return parseValue(o, name, spec, op, value);
        }

        private void checkList(Option o, String name, Spec spec) throws AuditRuleSyntaxException {
            boolean ok = switch (spec.lists()) {
                case ANY -> true;
                case EXIT_ONLY -> list == AuditRuleData.FILTER_EXIT;
                case USER_EXCLUDE -> list == AuditRuleData.FILTER_USER || list == AuditRuleData.FILTER_EXCLUDE;
                case NOT_TASK -> list != AuditRuleData.FILTER_TASK;
                case FILESYSTEM -> list == AuditRuleData.FILTER_FS;
            };
            if (ok && list == AuditRuleData.FILTER_EXCLUDE) {
                ok = EXCLUDE_FIELDS.contains(spec.id());
            } else if (ok && list == AuditRuleData.FILTER_FS) {
                ok = spec.id() == RuleField.FSTYPE || spec.id() == RuleField.FILTERKEY;
            }
            if (!ok) {
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': field '" + name
                        + "' cannot be used on the " + listName() + " list");
            }
        }

        private String listName() {
            for (Map.Entry<String, Integer> e : LISTS.entrySet()) {
                if (e.getValue() == list) {
                    return e.getKey();
                }
            }
            return Integer.toString(list);
        }

        private void checkOp(Option o, String name, Spec spec, Op op, String opText) throws AuditRuleSyntaxException {
            boolean ok = switch (spec.ops()) {
                case ANY -> true;
                case COMPARE -> op != Op.BITMASK && op != Op.BITTEST;
                case EQ_NE -> op == Op.EQUAL || op == Op.NOT_EQUAL;
                case EQ -> op == Op.EQUAL;
            };
            if (!ok) {
                String allowed = switch (spec.ops()) {
                    case COMPARE -> "= != < > <= >= (& and &= only work on a0..a3, pers, devminor)";
                    case EQ_NE -> "= or !=";
                    default -> "=";
                };
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': operator '" + opText
                        + "' is not valid for '" + name + "'; use " + allowed);
            }
        }

        private ParsedField parseValue(Option o, String name, Spec spec, Op op, String v)
                throws AuditRuleSyntaxException {
            int id = spec.id();
            return switch (spec.kind()) {
                case UID -> numeric(id, op, v.equals("unset") ? UNSET : isNumber(v) ? u32(o, v)
                        : lookupId(o, passwd, v, "user"));
                case GID -> numeric(id, op, v.equals("unset") ? UNSET : isNumber(v) ? u32(o, v)
                        : lookupId(o, group, v, "group"));
                case SESSION -> numeric(id, op, v.equals("unset") ? UNSET : u32(o, v));
                case NUMBER -> {
                    if (v.startsWith("-")) {
                        throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': '" + name
                                + "' takes a number >= 0");
                    }
                    yield numeric(id, op, u32(o, v));
                }
                case SIGNED -> numeric(id, op, u32(o, v));
                case EXIT -> numeric(id, op, isNumber(v) ? u32(o, v) : errno(o, v));
                case ARCH -> arch(o, op, v);
                case MSGTYPE -> {
                    int type = RecordTypes.fromName(v.toUpperCase(Locale.ROOT));
                    if (type < 0) {
                        throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': unknown record type '"
                                + v + "'");
                    }
                    yield numeric(id, op, type);
                }
                case WATCH -> watch(o, id, v);
                case EXE -> {
                    if (!v.startsWith("/") || v.endsWith("/")) {
                        throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': exe must be an absolute "
                                + "path to a program");
                    }
                    yield r -> op == Op.EQUAL ? r.exe(v) : r.exeNot(v);
                }
                case KEY -> {
                    checkKey(o, v);
                    yield r -> r.key(v);
                }
                case PERM -> {
                    String p = v.toLowerCase(Locale.ROOT);
                    if (p.length() > 4 || !p.chars().allMatch(c -> "rwxa".indexOf(c) >= 0)) {
                        throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': perm takes letters "
                                + "from rwxa (read, write, execute, attribute change)");
                    }
                    yield r -> r.perm(p);
                }
                case FILETYPE -> {
                    Integer t = FILE_TYPES.get(v);
                    if (t == null) {
                        throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': unknown file type; one "
                                + "of file, dir, link, socket, block, character, fifo");
                    }
                    yield numeric(id, op, t);
                }
                case FSTYPE -> {
                    Long t = FS_TYPES.get(v);
                    yield numeric(id, op, t != null ? t : isNumber(v) ? u32(o, v) : fail(o, "unknown file system "
                            + "type; debugfs, tracefs or a number"));
                }
            };
        }

        private ParsedField arch(Option o, Op op, String v) throws AuditRuleSyntaxException {
            if (syscallSeen) {
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "' must come before -S: syscall "
                        + "names are looked up for that arch");
            }
            if (archSeen) {
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': arch is given twice");
            }
            Arch a = switch (v.toLowerCase(Locale.ROOT)) {
                case "b64", "x86_64" -> Arch.B64;
                case "b32", "i386", "i486", "i586", "i686" -> Arch.B32;
                default -> {
                    if (!isNumber(v)) {
                        yield null;
                    }
                    long n = u32(o, v);
                    Arch found = null;
                    for (Arch candidate : Arch.values()) {
                        if (Integer.toUnsignedLong(candidate.auditArch()) == n) {
                            found = candidate;
                        }
                    }
                    yield found;
                }
            };
            if (a == null) {
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': unknown arch; b64 or b32 "
                        + "(this agent records x86_64 hosts)");
            }
            archSeen = true;
            if (op == Op.EQUAL) {
                abi = a; // only "arch=" says which table syscall names come from
            }
            return numeric(RuleField.ARCH, op, Integer.toUnsignedLong(a.auditArch()));
        }

        private ParsedField watch(Option o, int id, String v) throws AuditRuleSyntaxException {
            if (watchSeen) {
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': a rule can watch only one path "
                        + "or dir; write one rule per path");
            }
            if (inodeSeen) {
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': path and dir cannot be combined "
                        + "with inode (the kernel refuses it)");
            }
            watchSeen = true;
            if (!v.startsWith("/")) {
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': the path must be absolute");
            }
            if (id == RuleField.WATCH && v.length() > 1 && v.endsWith("/")) {
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': path must not end in '/'; "
                        + "to watch a directory tree use -F dir=" + v.substring(0, v.length() - 1));
            }
            return r -> id == RuleField.WATCH ? r.path(v) : r.dir(v);
        }

        private void checkKey(Option o, String k) throws AuditRuleSyntaxException {
            if (k.indexOf('\u0001') >= 0) {
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': a key must not contain the "
                        + "0x01 separator");
            }
            // several keys are stored as one string joined by 0x01, limited as a whole
            keyBytes += k.getBytes(StandardCharsets.UTF_8).length + (keyBytes > 0 ? 1 : 0);
            if (keyBytes > AuditRuleData.MAX_KEY_LEN) {
                throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': the keys of a rule are limited "
                        + "to " + AuditRuleData.MAX_KEY_LEN + " bytes in total");
            }
        }
    }

    /** One parsed {@code -F}, applied to the rule once the syscall mask is complete. */
    private interface ParsedField {
        AuditRuleData apply(AuditRuleData r);
    }

    private static ParsedField numeric(int id, Op op, long value) {
        return r -> r.field(id, op, value);
    }

    private static long fail(Option o, String why) throws AuditRuleSyntaxException {
        throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': " + why);
    }

    // ---- values ----

    private static boolean isNumber(String v) {
        int start = v.startsWith("-") ? 1 : 0;
        return v.length() > start && Character.isDigit(v.charAt(start));
    }

    /** The kernel field is a u32: negative values (exit=-13, uid=-1) are stored as two's complement. */
    private static long u32(Option o, String v) throws AuditRuleSyntaxException {
        long n = number(o, v);
        if (n < Integer.MIN_VALUE || n > UNSET) {
            throw new AuditRuleSyntaxException(o.text(), "'" + o.text() + "': " + v + " does not fit in 32 bits");
        }
        return n & UNSET;
    }

    /** C {@code strtol(v, NULL, 0)} without its leniency: 0x hex, leading 0 octal, else decimal; all of it. */
    private static long number(Option o, String v) throws AuditRuleSyntaxException {
        boolean negative = v.startsWith("-");
        String digits = negative ? v.substring(1) : v;
        int radix = 10;
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            radix = 16;
            digits = digits.substring(2);
        } else if (digits.length() > 1 && digits.startsWith("0")) {
            radix = 8;
            digits = digits.substring(1);
        }
        if (digits.isEmpty() || digits.length() > 16) {
            return fail(o, "'" + v + "' is not a number");
        }
        try {
            long n = Long.parseLong(digits, radix);
            return negative ? -n : n;
        } catch (NumberFormatException e) {
            return fail(o, "'" + v + "' is not a number");
        }
    }

    private static long errno(Option o, String v) throws AuditRuleSyntaxException {
        boolean negative = v.startsWith("-");
        String name = (negative ? v.substring(1) : v).toUpperCase(Locale.ROOT);
        Integer n = ERRNO_ALIASES.get(name);
        for (int i = 1; n == null && i < ERRNO.length; i++) {
            if (ERRNO[i].equals(name)) {
                n = i;
            }
        }
        if (n == null) {
            return fail(o, "unknown errno '" + v + "'; write a number or a name like -EACCES");
        }
        return (negative ? -n : n) & UNSET;
    }

    /** Name to id from a passwd or group file (name:x:id:...); only the files are read, nothing is run. */
    private static long lookupId(Option o, Path file, String name, String what) throws AuditRuleSyntaxException {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] parts = line.split(":", -1);
                if (parts.length > 2 && parts[0].equals(name)) {
                    return u32(o, parts[2]);
                }
            }
        } catch (IOException e) {
            return fail(o, "cannot read " + file + " to resolve " + what + " '" + name + "': " + e.getMessage());
        }
        return fail(o, "unknown " + what + " '" + name + "' (not in " + file + ")");
    }
}
