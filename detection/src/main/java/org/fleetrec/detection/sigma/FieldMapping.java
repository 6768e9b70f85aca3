package org.fleetrec.detection.sigma;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one table from Sigma field names to the project's ECS documents, per logsource.
 *
 * <p>Sysmon-style fields follow what {@code SysmonMapper} writes (process.*, file.*, dll.*,
 * registry.*, dns.*, destination.*); a Windows field it leaves unmapped is read from
 * {@code winlog.event_data.<Field>}, where the mapper keeps it. On Linux, a field with no
 * counterpart makes the rule unsupported instead.
 *
 * <p>{@code service: auditd} rules name audit record fields. The agent folds each audit event
 * (SYSCALL + EXECVE + PATH + ...) into one document, so record fields land as follows:
 * {@code type} becomes a test of which records the event had (EXECVE: an exec document; PATH:
 * a file or exec document; others: {@code auditd.record_type}/{@code auditd.records});
 * EXECVE's {@code aN} is {@code process.args[N]} of exec documents; SYSCALL's {@code aN},
 * {@code exit} and other unmapped fields are {@code auditd.data.*}, which only raw (unmapped)
 * events keep; PATH's {@code name} is {@code file.path}/{@code file.target_path} of file
 * documents or the executable of an exec document; {@code SYSCALL} (the call's name) is read from
 * the document's kind where a mapper absorbed it, and is unsupported for the file calls, whose
 * documents do not record which call it was.
 */
final class FieldMapping {
    private static final Pattern EXECVE_ARG = Pattern.compile("a(\\d{1,4})");
    private static final Pattern DWORD = Pattern.compile("(?i)DWORD \\(0x([0-9a-f]{1,8})\\)");
    private static final Pattern QWORD = Pattern.compile("(?i)QWORD \\(0x([0-9a-f]{1,8})-0x([0-9a-f]{1,8})\\)");
    private static final Pattern HASH = Pattern.compile("(?i)(md5|sha1|sha256|imphash)=([0-9a-f]+)");

    private static final Expr IS_EXEC = Expr.test("auditd.record_type", "EXECVE");
    private static final Expr IS_FILE = Expr.test("event.dataset", "file");
    private static final Expr IS_RENAME = Expr.and(IS_FILE, Expr.test("event.action", "renamed"));
    private static final Expr IS_PROCESS_START = Expr.and(Expr.test("event.category", "process"), Expr.test("event.type", "start"));

    /** Fields Sysmon writes on (almost) every event, as SysmonMapper maps them. */
    private static final Map<String, Target> COMMON = Map.of(
            "Image", Target.ecs("process.executable"),
            "ProcessId", Target.ecs("process.pid"),
            "ProcessGuid", new Target.Fields(List.of(new Target.Guarded(null, new EventField.Path("process.entity_id"))), FieldMapping::guid),
            "User", new Target.Fields(List.of(new Target.Guarded(null, DerivedFields.USER)), null),
            "EventID", Target.ecs("event.code"),
            "Provider_Name", Target.ecs("event.provider"),
            "Channel", Target.ecs("winlog.channel"),
            "Computer", Target.ecs("host.name"),
            "RuleName", Target.ecs("rule.name"));

    private static final Map<String, Target> PROCESS_CREATION = Map.ofEntries(
            Map.entry("CommandLine", Target.ecs("process.command_line")),
            Map.entry("CurrentDirectory", Target.ecs("process.working_directory")),
            Map.entry("ParentImage", Target.ecs("process.parent.executable")),
            Map.entry("ParentCommandLine", Target.ecs("process.parent.command_line")),
            Map.entry("ParentProcessId", Target.ecs("process.parent.pid")),
            Map.entry("ParentProcessGuid", new Target.Fields(List.of(new Target.Guarded(null,
                    new EventField.Path("process.parent.entity_id"))), FieldMapping::guid)),
            Map.entry("OriginalFileName", Target.ecs("process.pe.original_file_name")),
            Map.entry("Description", Target.ecs("process.pe.description")),
            Map.entry("Product", Target.ecs("process.pe.product")),
            Map.entry("Company", Target.ecs("process.pe.company")),
            Map.entry("FileVersion", Target.ecs("process.pe.file_version")),
            Map.entry("Hashes", hashes("process")),
            Map.entry("md5", Target.ecs("process.hash.md5")),
            Map.entry("sha1", Target.ecs("process.hash.sha1")),
            Map.entry("sha256", Target.ecs("process.hash.sha256")),
            Map.entry("Imphash", Target.ecs("process.pe.imphash")));

    /** Linux process fields that have a different home than on Windows. */
    private static final Map<String, Target> LINUX_PROCESS = Map.of(
            // Sysmon for Linux writes the login uid as LogonId; audit documents keep it as user.audit.id
            "LogonId", Target.ecs("user.audit.id", "winlog.event_data.LogonId"));

    /**
     * The acting process as the agent's Linux documents carry it on every kind of event (a file read,
     * a connection), not only on process starts; ContainerId and ContainerRuntime are the project's
     * names for ECS container.* (Sigma's taxonomy has no container field).
     */
    private static final Map<String, Target> LINUX_ACTOR = Map.of(
            "CommandLine", Target.ecs("process.command_line"),
            "ParentImage", Target.ecs("process.parent.executable"),
            "ParentCommandLine", Target.ecs("process.parent.command_line"),
            "ContainerId", Target.ecs("container.id"),
            "ContainerRuntime", Target.ecs("container.runtime"));

    /**
     * Windows-only notions: PE header fields, and Sysmon GUIDs (Sysmon for Linux GUIDs are turned into
     * entity ids that do not keep the GUID). A Linux rule naming them is unsupported, not silently dead.
     */
    private static final Set<String> WINDOWS_ONLY = Set.of("OriginalFileName", "Description", "Product", "Company",
            "FileVersion", "Imphash", "ProcessGuid", "ParentProcessGuid", "SourceProcessGuid", "SourceProcessGUID", "Signed",
            "Signature", "SignatureStatus");

    /** TargetFilename: the file's name after the event, so the new name of a rename. */
    private static final Target TARGET_FILENAME = new Target.Fields(List.of(
            new Target.Guarded(Expr.not(IS_RENAME), new EventField.Path("file.path")),
            new Target.Guarded(IS_RENAME, new EventField.Path("file.target_path"))), null);

    private static final Map<String, Target> FILE = Map.of(
            "TargetFilename", TARGET_FILENAME,
            "Hashes", hashes("file"),
            "PipeName", Target.ecs("file.name"),
            "Device", Target.ecs("file.path"));

    private static final Map<String, Target> NETWORK = Map.ofEntries(
            Map.entry("DestinationIp", Target.ecs("destination.ip")),
            Map.entry("DestinationPort", Target.ecs("destination.port")),
            Map.entry("DestinationHostname", Target.ecs("destination.domain")),
            Map.entry("SourceIp", Target.ecs("source.ip")),
            Map.entry("SourcePort", Target.ecs("source.port")),
            Map.entry("SourceHostname", Target.ecs("source.domain")),
            Map.entry("Protocol", Target.ecs("network.transport")),
            Map.entry("DestinationPortName", Target.ecs("network.protocol")),
            Map.entry("Initiated", words("network.direction", Map.of("true", "egress", "false", "ingress"))),
            Map.entry("DestinationIsIpv6", words("network.type", Map.of("true", "ipv6", "false", "ipv4"))),
            Map.entry("SourceIsIpv6", words("network.type", Map.of("true", "ipv6", "false", "ipv4"))));

    private static final Map<String, Target> DNS = Map.of(
            "QueryName", Target.ecs("dns.question.name"),
            "QueryResults", Target.ecs("dns.answers.data"),
            "QueryStatus", new Target.Unavailable("QueryStatus is stored as a status name (sysmon.dns.status), not the code rules use"));

    private static final Map<String, Target> REGISTRY = Map.of(
            "TargetObject", Target.ecs("registry.path"),
            "Details", new Target.Fields(List.of(new Target.Guarded(null, new EventField.Path("registry.data.strings"))),
                    FieldMapping::registryData),
            "EventType", words("event.action", Map.of("setvalue", "modified-registry-value", "createkey", "created-registry-key",
                    "deletekey", "deleted-registry-key", "deletevalue", "deleted-registry-value",
                    "renamekey", "renamed-registry-key", "createvalue", "created-registry-value")));

    private static final Map<String, Target> IMAGE_LOAD = Map.ofEntries(
            Map.entry("ImageLoaded", Target.ecs("dll.path")),
            Map.entry("OriginalFileName", Target.ecs("dll.pe.original_file_name")),
            Map.entry("Description", Target.ecs("dll.pe.description")),
            Map.entry("Product", Target.ecs("dll.pe.product")),
            Map.entry("Company", Target.ecs("dll.pe.company")),
            Map.entry("FileVersion", Target.ecs("dll.pe.file_version")),
            Map.entry("Signed", Target.ecs("dll.code_signature.signed")),
            Map.entry("Signature", Target.ecs("dll.code_signature.subject_name")),
            Map.entry("SignatureStatus", Target.ecs("dll.code_signature.status")),
            Map.entry("Hashes", hashes("dll")),
            Map.entry("md5", Target.ecs("dll.hash.md5")),
            Map.entry("sha1", Target.ecs("dll.hash.sha1")),
            Map.entry("sha256", Target.ecs("dll.hash.sha256")),
            Map.entry("Imphash", Target.ecs("dll.pe.imphash")));

    private static final Map<String, Target> DRIVER_LOAD = Map.of(
            "ImageLoaded", Target.ecs("driver.path"),
            "Signed", Target.ecs("file.code_signature.signed"),
            "Signature", Target.ecs("file.code_signature.subject_name"),
            "SignatureStatus", Target.ecs("file.code_signature.status"),
            "Hashes", hashes("file"),
            "md5", Target.ecs("file.hash.md5"),
            "sha1", Target.ecs("file.hash.sha1"),
            "sha256", Target.ecs("file.hash.sha256"),
            "Imphash", Target.ecs("file.pe.imphash"));

    /** Process access and remote threads: the acting (source) process is process.*. */
    private static final Map<String, Target> SOURCE_PROCESS = Map.of(
            "SourceImage", Target.ecs("process.executable"),
            "SourceProcessId", Target.ecs("process.pid"),
            "SourceProcessGuid", new Target.Fields(List.of(new Target.Guarded(null, new EventField.Path("process.entity_id"))), FieldMapping::guid),
            "SourceProcessGUID", new Target.Fields(List.of(new Target.Guarded(null, new EventField.Path("process.entity_id"))), FieldMapping::guid),
            "SourceThreadId", Target.ecs("process.thread.id"));

    /** Audit record fields the agent maps to ECS (see the class comment for the rest). */
    private static final Map<String, Target> AUDITD = Map.ofEntries(
            Map.entry("exe", Target.ecs("process.executable")),
            Map.entry("key", Target.ecs("auditd.key")),
            Map.entry("uid", Target.ecs("user.id")),
            Map.entry("euid", Target.ecs("user.effective.id")),
            Map.entry("gid", Target.ecs("user.group.id")),
            Map.entry("auid", Target.ecs("user.audit.id")),
            Map.entry("pid", Target.ecs("process.pid")),
            Map.entry("ppid", Target.ecs("process.parent.pid")),
            Map.entry("tty", Target.ecs("process.tty.name")),
            Map.entry("ses", Target.ecs("process.session_id")),
            Map.entry("cwd", Target.ecs("process.working_directory")),
            Map.entry("acct", Target.ecs("user.target.name")),
            Map.entry("addr", Target.ecs("source.ip")),
            Map.entry("hostname", Target.ecs("source.domain")),
            Map.entry("terminal", Target.ecs("auth.terminal")),
            Map.entry("op", Target.ecs("auth.method")),
            Map.entry("cmd", Target.ecs("process.command_line")),
            Map.entry("argc", Target.guarded(IS_EXEC, new EventField.Path("process.args_count"))),
            Map.entry("comm", new Target.Fields(List.of(new Target.Guarded(null, new EventField.Path("auditd.data.comm")),
                    new Target.Guarded(null, DerivedFields.COMM)), null)),
            Map.entry("name", new Target.Fields(List.of(
                    new Target.Guarded(IS_FILE, new EventField.Path("file.path")),
                    new Target.Guarded(IS_FILE, new EventField.Path("file.target_path")),
                    new Target.Guarded(IS_EXEC, new EventField.Path("process.executable")),
                    new Target.Guarded(null, new EventField.Path("auditd.data.name"))), null)),
            Map.entry("type", new Target.Values(FieldMapping::recordType)),
            Map.entry("SYSCALL", new Target.Values(FieldMapping::syscall)),
            Map.entry("syscall", new Target.Values(FieldMapping::syscall)),
            Map.entry("nametype", new Target.Values(FieldMapping::nameType)),
            Map.entry("success", words("event.outcome", Map.of("yes", "success", "no", "failure"))),
            Map.entry("res", words("event.outcome", Map.of("success", "success", "1", "success", "failed", "failure", "0", "failure"))));

    /** Syscalls FileMapper turns into file documents without keeping the call's name. */
    private static final Set<String> FILE_SYSCALLS = Set.of("rename", "renameat", "renameat2", "unlink", "unlinkat", "rmdir",
            "open", "openat", "openat2", "creat", "truncate", "ftruncate", "mkdir", "mkdirat", "link", "linkat", "symlink",
            "symlinkat", "mknod", "mknodat", "chmod", "fchmod", "fchmodat", "chown", "fchown", "fchownat", "lchown", "setxattr",
            "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr", "utimensat", "utime", "utimes");

    private static final Map<String, Expr> SYSCALL_DOCUMENTS = new HashMap<>();

    static {
        Expr network = Expr.test("event.dataset", "network");
        SYSCALL_DOCUMENTS.put("execve", IS_EXEC);
        SYSCALL_DOCUMENTS.put("execveat", IS_EXEC);
        SYSCALL_DOCUMENTS.put("exit_group", Expr.and(Expr.test("event.dataset", "process"), Expr.test("event.action", "ended")));
        SYSCALL_DOCUMENTS.put("connect", Expr.and(network, Expr.test("event.action", "connected-to")));
        SYSCALL_DOCUMENTS.put("accept", Expr.and(network, Expr.test("event.action", "accepted-connection-from")));
        SYSCALL_DOCUMENTS.put("accept4", Expr.and(network, Expr.test("event.action", "accepted-connection-from")));
        SYSCALL_DOCUMENTS.put("bind", Expr.and(network, Expr.test("event.action", "bound-socket")));
        SYSCALL_DOCUMENTS.put("listen", Expr.and(network, Expr.test("event.action", "listen-on-socket")));
        SYSCALL_DOCUMENTS.put("init_module", Expr.test("event.action", "loaded-kernel-module"));
        SYSCALL_DOCUMENTS.put("finit_module", Expr.test("event.action", "loaded-kernel-module"));
        SYSCALL_DOCUMENTS.put("delete_module", Expr.test("event.action", "unloaded-kernel-module"));
    }

    private FieldMapping() {
    }

    /**
     * Where {@code field} lands for rules of {@code scope}. {@code recordTypes} are the upper-cased
     * {@code type} values of the same selection (audit rules: which record the other fields are on).
     */
    static Target resolve(Scope scope, String field, Set<String> recordTypes) {
        if (scope.collector() == EventClass.Collector.AUDITD) return auditd(field, recordTypes);
        if (scope.linux() && WINDOWS_ONLY.contains(field)) {
            return new Target.Unavailable("'" + field + "' is a Windows field (PE header or Sysmon GUID); Linux documents do not carry it");
        }
        Target t = null;
        Set<EventKind> kinds = scope.kinds() == null ? Set.of() : scope.kinds();
        if (scope.linux() && kinds.contains(EventKind.PROCESS_CREATION)) t = LINUX_PROCESS.get(field);
        if (t == null && kinds.contains(EventKind.PROCESS_CREATION)) t = PROCESS_CREATION.get(field);
        if (t == null && kinds.stream().anyMatch(k -> k.dataset != null && k.dataset.equals("file"))) t = FILE.get(field);
        if (t == null && kinds.contains(EventKind.NETWORK_CONNECTION)) t = NETWORK.get(field);
        if (t == null && kinds.contains(EventKind.DNS_QUERY)) t = DNS.get(field);
        if (t == null && kinds.stream().anyMatch(k -> "registry".equals(k.dataset))) t = REGISTRY.get(field);
        if (t == null && kinds.contains(EventKind.IMAGE_LOAD)) t = IMAGE_LOAD.get(field);
        if (t == null && kinds.contains(EventKind.DRIVER_LOAD)) t = DRIVER_LOAD.get(field);
        if (t == null && (kinds.contains(EventKind.PROCESS_ACCESS) || kinds.contains(EventKind.CREATE_REMOTE_THREAD))) {
            t = SOURCE_PROCESS.get(field);
        }
        if (t == null && scope.linux()) t = LINUX_ACTOR.get(field);
        if (t == null) t = COMMON.get(field);
        if (t != null) return t;
        if (scope.linux()) {
            return new Target.Unavailable("field '" + field + "' has no counterpart in the project's Linux documents for "
                    + describe(scope));
        }
        if (!field.matches("[A-Za-z0-9_]{1,128}")) return new Target.Unavailable("field name '" + field + "' is not an event data name");
        // Windows: what SysmonMapper does not map stays in event_data under its own name.
        return Target.ecs("winlog.event_data." + field);
    }

    /**
     * Where keywords (values without a field) are searched: the command line of a process start and
     * the path of a file event, the text a log line about either would hold. Not every string
     * field: keywords like "id" or "-s" would match host names and hashes. Not event.original
     * either: the raw audit text of unmapped events is not indexed, so a retro-hunt could not
     * find what the live engine found there.
     */
    static Target keywords() {
        return new Target.Fields(List.of(
                new Target.Guarded(IS_PROCESS_START, new EventField.Path("process.command_line")),
                new Target.Guarded(IS_FILE, new EventField.Path("file.path")),
                new Target.Guarded(IS_FILE, new EventField.Path("file.target_path"))), null);
    }

    private static Target auditd(String field, Set<String> recordTypes) {
        Matcher arg = EXECVE_ARG.matcher(field);
        if (arg.matches()) {
            boolean syscallRecord = recordTypes.contains("SYSCALL") && !recordTypes.contains("EXECVE");
            if (syscallRecord) return Target.ecs("auditd.data." + field);
            return Target.guarded(IS_EXEC, new EventField.Element(new EventField.Path("process.args"), Integer.parseInt(arg.group(1))));
        }
        Target t = AUDITD.get(field);
        if (t != null) return t;
        if (!field.matches("[A-Za-z0-9_-]{1,64}")) return new Target.Unavailable("'" + field + "' is not an audit field name");
        // What no mapper claims stays in auditd.data.* of raw events.
        return Target.ecs("auditd.data." + field.replace('-', '_'));
    }

    private static String describe(Scope scope) {
        return scope.kinds() == null ? "this logsource" : scope.kinds().stream().map(k -> k.name().toLowerCase(Locale.ROOT)).sorted()
                .reduce((a, b) -> a + "/" + b).orElse("");
    }

    /** A field whose values are a small vocabulary spelled differently in the documents. */
    private static Target words(String ecsField, Map<String, String> vocabulary) {
        return new Target.Values((value, modifiers) -> {
            plainOnly(ecsField, modifiers);
            String word = vocabulary.get(value.toLowerCase(Locale.ROOT));
            if (word == null) throw RuleException.unsupported("value '" + value + "' has no counterpart in " + ecsField);
            return Expr.test(ecsField, word);
        });
    }

    private static void plainOnly(String what, List<String> modifiers) throws RuleException {
        for (String m : modifiers) {
            if (!m.equals("cased")) throw RuleException.unsupported("modifier '" + m + "' on a field mapped to the vocabulary of " + what);
        }
    }

    /** Audit {@code type}: which records the event held. */
    private static Expr recordType(String value, List<String> modifiers) throws RuleException {
        plainOnly("audit record types", modifiers);
        String type = value.toUpperCase(Locale.ROOT);
        if (!type.matches("[A-Z0-9_]{1,40}")) throw RuleException.unsupported("audit record type '" + value + "'");
        Expr raw = Expr.or(Expr.test("auditd.record_type", type), Expr.test("auditd.records", type));
        return switch (type) {
            case "EXECVE" -> IS_EXEC;
            case "SYSCALL" -> Expr.or(Expr.test("auditd.record_type", "SYSCALL", "EXECVE"), Expr.test("auditd.records", "SYSCALL"));
            case "PATH", "CWD" -> Expr.or(IS_FILE, IS_EXEC, Expr.test("auditd.records", type));
            case "PROCTITLE" -> Expr.or(Expr.test("auditd.record_type", "SYSCALL", "EXECVE"), Expr.test("auditd.records", type));
            case "SOCKADDR" -> Expr.or(Expr.test("event.dataset", "network"), Expr.test("auditd.records", type));
            case "KERN_MODULE" -> Expr.or(Expr.test("event.action", "loaded-kernel-module", "unloaded-kernel-module"), raw);
            default -> raw;
        };
    }

    /** Audit {@code SYSCALL}: the call's name, which mapped documents carry as their kind. */
    private static Expr syscall(String value, List<String> modifiers) throws RuleException {
        plainOnly("syscall names", modifiers);
        String name = value.toLowerCase(Locale.ROOT);
        if (FILE_SYSCALLS.contains(name)) {
            throw RuleException.unsupported("SYSCALL '" + name + "': file documents do not record which syscall made them");
        }
        Expr mapped = SYSCALL_DOCUMENTS.get(name);
        return mapped != null ? mapped : Expr.test("auditd.data.syscall", name);
    }

    /** Audit PATH {@code nametype}: what happened to the path, which file documents carry as their action. */
    private static Expr nameType(String value, List<String> modifiers) throws RuleException {
        plainOnly("PATH name types", modifiers);
        return switch (value.toUpperCase(Locale.ROOT)) {
            case "CREATE" -> Expr.and(IS_FILE, Expr.test("event.action", "created", "renamed"));
            case "DELETE" -> Expr.and(IS_FILE, Expr.test("event.action", "deleted", "renamed"));
            case "NORMAL" -> Expr.or(Expr.and(IS_FILE, Expr.test("event.action", "modified", "read", "attributes-changed")), IS_EXEC);
            case "PARENT" -> IS_FILE;
            default -> throw RuleException.unsupported("PATH nametype '" + value + "' is not kept in the documents");
        };
    }

    /** Hashes=ALG=hex[,ALG=hex]: the mapper splits them into {object}.hash.* and {object}.pe.imphash. */
    private static Target hashes(String object) {
        return new Target.Values((value, modifiers) -> {
            for (String m : modifiers) {
                if (!Set.of("contains", "startswith", "endswith", "cased").contains(m)) {
                    throw RuleException.unsupported("modifier '" + m + "' on Hashes (stored split by algorithm)");
                }
            }
            List<Expr> parts = new ArrayList<>();
            for (String pair : value.split(",")) {
                Matcher h = HASH.matcher(pair.trim());
                if (!h.matches()) throw RuleException.unsupported("Hashes value '" + value + "' is not ALG=hex with md5, sha1, sha256 or imphash");
                String algorithm = h.group(1).toLowerCase(Locale.ROOT);
                String field = algorithm.equals("imphash") ? object + ".pe.imphash" : object + ".hash." + algorithm;
                parts.add(new Expr.Test(new EventField.Path(field), List.of(new ValueTest.Text(Glob.literal(h.group(2)), false))));
            }
            return Expr.and(parts);
        });
    }

    /** Sysmon GUIDs are stored without braces and in lower case. */
    private static String guid(String literal, boolean whole) {
        String g = literal.trim();
        if (g.startsWith("{")) g = g.substring(1);
        if (g.endsWith("}")) g = g.substring(0, g.length() - 1);
        return g.toLowerCase(Locale.ROOT);
    }

    /** Registry data as the mapper stores it: DWORD/QWORD as decimal numbers, the rest as written. */
    private static String registryData(String literal, boolean whole) throws RuleException {
        Matcher d = DWORD.matcher(literal);
        if (d.matches() && whole) return Long.toString(Long.parseLong(d.group(1), 16));
        Matcher q = QWORD.matcher(literal);
        if (q.matches() && whole) {
            return new BigInteger(q.group(1), 16).shiftLeft(32).or(new BigInteger(q.group(2), 16)).toString();
        }
        String upper = literal.toUpperCase(Locale.ROOT);
        if (upper.contains("DWORD (") || upper.contains("QWORD (")) {
            throw RuleException.unsupported("registry Details '" + literal + "': numbers are stored in decimal, a fragment of the "
                    + "'DWORD (0x...)' rendering cannot be matched");
        }
        return literal;
    }
}
