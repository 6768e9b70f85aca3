package org.fleetrec.agent.audit.rule;

import java.util.HashMap;
import java.util.Map;

/**
 * Syscall name to number(s), per ABI. Numbers are from asm/unistd_64.h and asm/unistd_32.h.
 *
 * <p>i386 notes (B32):
 * <ul>
 *   <li>Socket calls: since Linux 4.3 i386 has direct {@code socket/bind/connect/listen/accept4/...}
 *       syscalls, and we map to those. Older 32-bit libcs still go through {@code socketcall} (102),
 *       which covers every socket op; ask for {@code "socketcall"} explicitly to catch them (noisy).
 *       Plain {@code accept} has no direct i386 syscall at all, so it maps to {@code socketcall}.</li>
 *   <li>Credential calls exist twice on i386 (16-bit legacy and 32-bit {@code *32}); glibc uses the
 *       {@code *32} ones, so {@code setuid} etc. map to BOTH numbers. This differs from auditctl, which
 *       maps a name to exactly one number.</li>
 * </ul>
 */
public final class SyscallTable {
    private static final Map<String, int[]> X86_64 = new HashMap<>();
    private static final Map<String, int[]> I386 = new HashMap<>();

    static {
        Object[] t = {
            // name, x86_64, i386 (one or more numbers; null = does not exist)
            "read", 0, new int[] {3},
            "write", 1, new int[] {4},
            "open", 2, new int[] {5},
            "close", 3, new int[] {6},
            "execve", 59, new int[] {11},
            "execveat", 322, new int[] {358},
            "exit", 60, new int[] {1},
            "exit_group", 231, new int[] {252},
            "fork", 57, new int[] {2},
            "vfork", 58, new int[] {190},
            "clone", 56, new int[] {120},
            "clone3", 435, new int[] {435},
            "socket", 41, new int[] {359},
            "connect", 42, new int[] {362},
            "accept", 43, new int[] {102},
            "accept4", 288, new int[] {364},
            "bind", 49, new int[] {361},
            "listen", 50, new int[] {363},
            "sendto", 44, new int[] {369},
            "getsockname", 51, new int[] {367},
            "getpeername", 52, new int[] {368},
            "socketcall", null, new int[] {102},
            "openat", 257, new int[] {295},
            "openat2", 437, new int[] {437},
            "creat", 85, new int[] {8},
            "truncate", 76, new int[] {92},
            "ftruncate", 77, new int[] {93},
            "rename", 82, new int[] {38},
            "renameat", 264, new int[] {302},
            "renameat2", 316, new int[] {353},
            "link", 86, new int[] {9},
            "linkat", 265, new int[] {303},
            "symlink", 88, new int[] {83},
            "symlinkat", 266, new int[] {304},
            "unlink", 87, new int[] {10},
            "unlinkat", 263, new int[] {301},
            "rmdir", 84, new int[] {40},
            "mkdir", 83, new int[] {39},
            "mkdirat", 258, new int[] {296},
            "chmod", 90, new int[] {15},
            "fchmod", 91, new int[] {94},
            "fchmodat", 268, new int[] {306},
            "fchmodat2", 452, new int[] {452},
            "chown", 92, new int[] {182, 212},
            "fchown", 93, new int[] {95, 207},
            "fchownat", 260, new int[] {298},
            "lchown", 94, new int[] {16, 198},
            "setuid", 105, new int[] {23, 213},
            "setgid", 106, new int[] {46, 214},
            "setreuid", 113, new int[] {70, 203},
            "setregid", 114, new int[] {71, 204},
            "setresuid", 117, new int[] {164, 208},
            "setresgid", 119, new int[] {170, 210},
            "setfsuid", 122, new int[] {138, 215},
            "setfsgid", 123, new int[] {139, 216},
            "init_module", 175, new int[] {128},
            "finit_module", 313, new int[] {350},
            "delete_module", 176, new int[] {129},
            "ptrace", 101, new int[] {26},
            "kill", 62, new int[] {37},
            "tkill", 200, new int[] {238},
            "tgkill", 234, new int[] {270},
            "mount", 165, new int[] {21},
            "umount2", 166, new int[] {52},
            "setxattr", 188, new int[] {226},
            "memfd_create", 319, new int[] {356},
            "bpf", 321, new int[] {357},
            // Named for detection rules that test them (ASLR off, kernel log and system probing, device nodes).
            "personality", 135, new int[] {136},
            "syslog", 103, new int[] {103},
            "sysinfo", 99, new int[] {116},
            "mknod", 133, new int[] {14},
            "mknodat", 259, new int[] {297},
        };
        for (int i = 0; i < t.length; i += 3) {
            String name = (String) t[i];
            if (t[i + 1] != null) {
                X86_64.put(name, new int[] {(Integer) t[i + 1]});
            }
            I386.put(name, (int[]) t[i + 2]);
        }
    }

    private SyscallTable() {
    }

    static int[] numbers(Arch arch, String name) {
        int[] n = (arch == Arch.B64 ? X86_64 : I386).get(name);
        if (n == null) {
            throw new IllegalArgumentException("unknown syscall '" + name + "' for arch " + arch);
        }
        return n.clone();
    }

    /** Number → name, built once: every mapped event asks. The first name in the table wins a shared number. */
    private static final Map<Integer, String> X86_64_NAMES = reverse(X86_64);
    private static final Map<Integer, String> I386_NAMES = reverse(I386);

    private static Map<Integer, String> reverse(Map<String, int[]> table) {
        Map<Integer, String> names = new HashMap<>();
        table.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> { for (int n : e.getValue()) names.putIfAbsent(n, e.getKey()); });
        return Map.copyOf(names);
    }

    /** The name of a syscall number on an ABI, or null. */
    public static String name(Arch arch, int number) {
        return (arch == Arch.B64 ? X86_64_NAMES : I386_NAMES).get(number);
    }
}
