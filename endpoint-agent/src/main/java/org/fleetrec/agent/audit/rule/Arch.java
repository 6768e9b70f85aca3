package org.fleetrec.agent.audit.rule;

/** Syscall ABIs a rule can target on an x86_64 kernel, with their AUDIT_ARCH value. */
public enum Arch {
    /** x86_64 native syscalls. */
    B64(0xc000003e),
    /** i386 compat syscalls (int 0x80 / 32-bit binaries). */
    B32(0x40000003);

    private final int auditArch;

    Arch(int auditArch) {
        this.auditArch = auditArch;
    }

    /** The AUDIT_ARCH_* constant the kernel reports as {@code arch=} and matches in rules. */
    public int auditArch() {
        return auditArch;
    }
}
