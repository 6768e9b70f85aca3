package org.fleetrec.agent.source.netlink;

import java.io.IOException;
import java.time.Duration;

/**
 * A stand-in for auditd, run as a separate JVM by the live test: registers as the audit daemon (the kernel
 * insists the registering pid is the caller's own), prints "registered", drains its socket so the kernel
 * never blocks on it, and unregisters (restoring the enabled flag) when stdin closes.
 */
public final class AuditDaemonStandIn {
    private AuditDaemonStandIn() {
    }

    public static void main(String[] args) throws IOException {
        NetlinkSocket s = NetlinkSocket.open(NetlinkSocket.NETLINK_AUDIT, 0);
        s.setReceiveTimeout(Duration.ofMillis(100));
        int enabledBefore = AuditNetlink.over(s, (text, type) -> { }).status().enabled();
        AuditNetlink.over(s, (text, type) -> { }).set(AuditStatusUpdate.none()
                .pid((int) ProcessHandle.current().pid()).enabled(1));
        System.out.println("registered");
        System.out.flush();
        Thread stdin = new Thread(() -> {
            try {
                System.in.readAllBytes();
            } catch (IOException ignored) {
                // EOF or broken pipe: either way, time to go
            }
        });
        stdin.setDaemon(true);
        stdin.start();
        while (stdin.isAlive()) {
            s.receive((type, flags, seq, pid, payload) -> { });
        }
        // Restore first, unregister second: with audit off the kernel does not printk the unregistration.
        AuditNetlink.over(s, (text, type) -> { }).set(AuditStatusUpdate.none().enabled(enabledBefore));
        AuditNetlink.over(s, (text, type) -> { }).set(AuditStatusUpdate.none().pid(0));
        s.close();
    }
}
