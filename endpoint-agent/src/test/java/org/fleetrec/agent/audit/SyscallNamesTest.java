package org.fleetrec.agent.audit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The numbers detection rules test by name read as those names on every architecture the recorder knows. */
class SyscallNamesTest {
    @Test
    void callsThatDetectionRulesNameAreNamed() {
        assertEquals("personality", SyscallNames.name(SyscallNames.ARCH_X86_64, "135"));
        assertEquals("syslog", SyscallNames.name(SyscallNames.ARCH_X86_64, "103"));
        assertEquals("sysinfo", SyscallNames.name(SyscallNames.ARCH_X86_64, "99"));
        assertEquals("mknod", SyscallNames.name(SyscallNames.ARCH_X86_64, "133"));
        assertEquals("mknodat", SyscallNames.name(SyscallNames.ARCH_X86_64, "259"));
        assertEquals("personality", SyscallNames.name(SyscallNames.ARCH_I386, "136"));
        assertEquals("sysinfo", SyscallNames.name(SyscallNames.ARCH_I386, "116"));
        assertEquals("personality", SyscallNames.name(SyscallNames.ARCH_AARCH64, "92"));
        assertEquals("mknodat", SyscallNames.name(SyscallNames.ARCH_AARCH64, "33"));
        assertEquals("execve", SyscallNames.name(SyscallNames.ARCH_X86_64, "59"));
        assertEquals("syscall-9999", SyscallNames.name(SyscallNames.ARCH_X86_64, "9999"));
    }
}
