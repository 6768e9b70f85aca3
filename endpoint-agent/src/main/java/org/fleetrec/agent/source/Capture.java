package org.fleetrec.agent.source;

import java.util.Optional;

/**
 * Where the agent's audit records come from, whichever way it could get them. Kernel counters
 * are only known where the agent talks to the kernel; elsewhere they read -1 (unknown, not zero).
 */
public interface Capture extends AutoCloseable {
    /** netlink-unicast, netlink-multicast, audisp or log: reported in health. */
    String mode();

    /** The kernel's lost counter, or -1 when this mode cannot read it. */
    default long kernelLost() {
        return -1;
    }

    /** The kernel's backlog, or -1 when this mode cannot read it. */
    default long kernelBacklog() {
        return -1;
    }

    /** Records the source itself could not keep (socket overruns, unreadable lines). */
    long overruns();

    /** Whether user audit rules can be applied in this mode (only when the agent talks to the kernel). */
    boolean controlsKernel();

    /**
     * Where this capture began reading, as text to persist and pass back at the next start to resume
     * there; empty in modes that cannot resume (the kernel's and auditd's streams).
     */
    default Optional<String> startPosition() {
        return Optional.empty();
    }

    @Override
    void close();
}
