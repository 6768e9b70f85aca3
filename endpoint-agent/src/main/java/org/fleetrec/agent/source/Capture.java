package org.fleetrec.agent.source;

/**
 * Where the agent's audit records come from, whichever way it could get them. Kernel counters
 * are only known where the agent talks to the kernel; elsewhere they read -1 (unknown, not zero).
 */
public interface Capture extends AutoCloseable {
    /** netlink-unicast, netlink-multicast, audisp or log: reported in health. */
    String mode();

    /** The kernel's lost counter, or -1 when this mode cannot read it. */
    long kernelLost();

    long kernelBacklog();

    /** Records the source itself could not keep (socket overruns, unreadable lines). */
    long overruns();

    /** Whether user audit rules can be applied in this mode (only when the agent talks to the kernel). */
    boolean controlsKernel();

    @Override
    void close();
}
