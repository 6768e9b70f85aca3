package org.fleetrec.agent.audit;

import org.fleetrec.agent.audit.rule.Arch;
import org.fleetrec.agent.audit.rule.SyscallTable;

import java.util.Map;

/**
 * Syscall numbers in SYSCALL records ({@code arch=c000003e syscall=59}) as names. x86_64 and
 * i386 come from the rule table; aarch64 (the generic unistd numbering) is listed here for the
 * calls the recorder maps, so logs from ARM hosts read the same.
 */
public final class SyscallNames {
    public static final String ARCH_X86_64 = "c000003e";
    public static final String ARCH_I386 = "40000003";
    public static final String ARCH_AARCH64 = "c00000b7";

    private static final Map<Integer, String> AARCH64 = Map.ofEntries(
            Map.entry(5, "setxattr"), Map.entry(6, "lsetxattr"), Map.entry(7, "fsetxattr"),
            Map.entry(34, "mkdirat"), Map.entry(35, "unlinkat"), Map.entry(36, "symlinkat"), Map.entry(37, "linkat"),
            Map.entry(38, "renameat"), Map.entry(45, "truncate"), Map.entry(46, "ftruncate"), Map.entry(52, "fchmod"),
            Map.entry(53, "fchmodat"), Map.entry(54, "fchownat"), Map.entry(55, "fchown"), Map.entry(56, "openat"),
            Map.entry(93, "exit"), Map.entry(94, "exit_group"), Map.entry(105, "init_module"),
            Map.entry(106, "delete_module"), Map.entry(117, "ptrace"), Map.entry(129, "kill"),
            Map.entry(143, "setregid"), Map.entry(144, "setgid"), Map.entry(145, "setreuid"), Map.entry(146, "setuid"),
            Map.entry(147, "setresuid"), Map.entry(149, "setresgid"), Map.entry(151, "setfsuid"),
            Map.entry(152, "setfsgid"), Map.entry(198, "socket"), Map.entry(200, "bind"), Map.entry(201, "listen"),
            Map.entry(202, "accept"), Map.entry(203, "connect"), Map.entry(220, "clone"), Map.entry(221, "execve"),
            Map.entry(242, "accept4"), Map.entry(273, "finit_module"), Map.entry(276, "renameat2"),
            Map.entry(281, "execveat"), Map.entry(435, "clone3"), Map.entry(437, "openat2"),
            Map.entry(33, "mknodat"), Map.entry(92, "personality"), Map.entry(116, "syslog"), Map.entry(179, "sysinfo"));

    private SyscallNames() {
    }

    /** The name, or {@code "syscall-<n>"} when this table does not know it (never null). */
    public static String name(String archHex, String number) {
        int n;
        try {
            n = Integer.parseInt(number);
        } catch (NumberFormatException | NullPointerException e) {
            return "syscall-" + number;
        }
        String name = switch (archHex == null ? "" : archHex.toLowerCase(java.util.Locale.ROOT)) {
            case ARCH_X86_64 -> SyscallTable.name(Arch.B64, n);
            case ARCH_I386 -> SyscallTable.name(Arch.B32, n);
            case ARCH_AARCH64 -> AARCH64.get(n);
            default -> null;
        };
        return name != null ? name : "syscall-" + n;
    }
}
