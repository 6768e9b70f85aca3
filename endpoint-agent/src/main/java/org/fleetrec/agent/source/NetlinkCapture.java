package org.fleetrec.agent.source;

import org.fleetrec.agent.source.netlink.AuditStatus;
import org.fleetrec.agent.source.netlink.KernelAudit;

/** Records straight from the kernel over netlink: the agent's own channel or the multicast group. */
public final class NetlinkCapture implements Capture {
    private final KernelAudit audit;

    public NetlinkCapture(KernelAudit audit) {
        this.audit = audit;
    }

    @Override
    public String mode() {
        return audit.mode();
    }

    @Override
    public long kernelLost() {
        return status().lost();
    }

    @Override
    public long kernelBacklog() {
        return status().backlog();
    }

    private AuditStatus status() {
        return audit.status();
    }

    @Override
    public long overruns() {
        return audit.overruns();
    }

    @Override
    public boolean controlsKernel() {
        return true;
    }

    @Override
    public void close() {
        audit.close();
    }
}
