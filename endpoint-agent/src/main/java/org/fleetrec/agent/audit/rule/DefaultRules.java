package org.fleetrec.agent.audit.rule;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The recorder's default rule set, tagged with the project's key: process start and end,
 * IP connections in and out, listening sockets, changes under watched paths, reads of credential
 * files, kernel modules, identity changes and ptrace — and first of all a rule that keeps the
 * agent from auditing itself.
 */
public final class DefaultRules {
    /** Defaults of the watched paths; globs are expanded and missing paths skipped at start. */
    public static final List<String> WATCHED_PATHS = List.of("/etc", "/bin", "/sbin", "/usr/bin", "/usr/sbin",
            "/usr/local/bin", "/root/.ssh", "/home/*/.ssh", "/var/spool/cron", "/usr/lib/systemd/system",
            "/lib/systemd/system", "/tmp", "/dev/shm", "/var/tmp");

    /**
     * Files (and directories of files) whose reads are recorded, not only their changes: password
     * hashes, their backups and history, sudo's policy and the SSH host private keys. Reading them
     * is what credential theft and privilege discovery look like; the programs that read them
     * legitimately (logins, sudo, sshd) do so once per authentication, which keeps the volume low.
     * Globs are expanded and missing paths skipped at start.
     */
    public static final List<String> READ_WATCHED_PATHS = List.of("/etc/shadow", "/etc/gshadow", "/etc/shadow-",
            "/etc/gshadow-", "/etc/security/opasswd", "/etc/sudoers", "/etc/sudoers.d", "/etc/ssh/ssh_host_*_key");

    /**
     * The calls a read watch listens to. A plain {@code -w file -p r} also fires on the xattr and
     * readlink calls, which {@code ls -l} makes on every file it lists; what reads a file's content
     * opens it first, so the opens are enough.
     */
    private static final String[] OPENS = {"open", "openat", "openat2"};

    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    private DefaultRules() {
    }

    /**
     * @param selfPid the agent's own pid, never audited
     * @param socketFamilyFilter whether the kernel supports {@code saddr_fam} (5.x and later): without it,
     *                           local-socket connects (very frequent) are captured and discarded by the agent
     */
    public static List<AuditRuleData> build(long selfPid, String key, List<Path> watched, List<Path> readWatched,
                                            boolean socketFamilyFilter) {
        List<AuditRuleData> rules = new ArrayList<>();
        // -A exit,never -F pid=self: evaluated before every other rule, ours or the user's.
        rules.add(AuditRuleData.of(AuditRuleData.FILTER_EXIT | AuditRuleData.FILTER_PREPEND, AuditRuleData.ACTION_NEVER)
                .allSyscalls().field(RuleField.PID, Op.EQUAL, selfPid).key(key));
        for (Arch arch : Arch.values()) {
            AuditRuleData base = AuditRuleData.exitAlways().arch(arch);
            rules.add(base.syscalls("execve", "execveat").key(key));
            rules.add(base.syscalls("exit_group").key(key));
            // i386 plain accept only exists as socketcall, which would catch every socket operation.
            String[] connections = arch == Arch.B64
                    ? new String[]{"connect", "accept", "accept4", "bind"}
                    : new String[]{"connect", "accept4", "bind"};
            if (socketFamilyFilter) {
                for (int family : new int[]{AF_INET, AF_INET6}) {
                    rules.add(base.syscalls(connections).field(RuleField.SADDR_FAM, Op.EQUAL, family).key(key));
                }
            } else {
                rules.add(base.syscalls(connections).key(key));
            }
            rules.add(base.syscalls("listen").key(key));
            rules.add(base.syscalls("init_module", "finit_module", "delete_module").key(key));
            rules.add(base.syscalls("setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid",
                    "setfsuid", "setfsgid").key(key));
            rules.add(base.syscalls("ptrace").key(key));
        }
        for (Path dir : watched) {
            rules.add(AuditRuleData.exitAlways().dir(dir.toString()).perm("wa").key(key));
        }
        // -a always,exit -F arch=... -S open,openat,openat2 -F path=<file> -F perm=r: a read watch limited to opens.
        // An open for reading and writing matches too; the file mapper names it by its flags (modified).
        for (Path path : readWatched) {
            boolean directory = Files.isDirectory(path);
            for (Arch arch : Arch.values()) {
                AuditRuleData opens = AuditRuleData.exitAlways().arch(arch).syscalls(OPENS);
                opens = directory ? opens.dir(path.toString()) : opens.path(path.toString());
                rules.add(opens.perm("r").key(key));
            }
        }
        return rules;
    }

    /** Expands {@code *} in the last-but-one or last segment, drops missing paths and duplicates (/bin → /usr/bin). */
    public static List<Path> existing(List<String> patterns) {
        return existing(patterns, Files::isDirectory);
    }

    /** As {@link #existing}, for read watches: regular files and directories. */
    public static List<Path> existingReadable(List<String> patterns) {
        return existing(patterns, p -> Files.isRegularFile(p) || Files.isDirectory(p));
    }

    private static List<Path> existing(List<String> patterns, Predicate<Path> kind) {
        Set<Path> result = new LinkedHashSet<>();
        for (String pattern : patterns) {
            for (Path candidate : expand(pattern)) {
                try {
                    if (kind.test(candidate)) result.add(candidate.toRealPath());
                } catch (IOException e) {
                    // vanished between the check and the resolution
                }
            }
        }
        return List.copyOf(result);
    }

    private static List<Path> expand(String pattern) {
        int star = pattern.indexOf('*');
        if (star < 0) return List.of(Path.of(pattern));
        Path parent = Path.of(pattern.substring(0, pattern.lastIndexOf('/', star)));
        String rest = pattern.substring(pattern.lastIndexOf('/', star) + 1);
        String glob = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        String tail = rest.contains("/") ? rest.substring(rest.indexOf('/') + 1) : "";
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, glob)) {
            for (Path entry : entries) out.add(tail.isEmpty() ? entry : entry.resolve(tail));
        } catch (IOException e) {
            // no such parent: nothing to watch
        }
        return out;
    }
}
