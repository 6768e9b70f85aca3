package org.fleetrec.agent.source.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.fleetrec.agent.audit.AuditRecord;
import org.fleetrec.agent.audit.AuditRecordParser;
import org.fleetrec.agent.audit.AuditValues;
import org.fleetrec.agent.audit.RecordTypes;
import org.fleetrec.agent.audit.rule.Arch;
import org.fleetrec.agent.audit.rule.AuditRuleData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Talks to the real kernel. Runs only as root with a kernel that has audit; otherwise skipped. Every test
 * leaves the kernel as found (rules with our test key removed, registration and settings restored).
 */
@ResourceLock("linux-kernel-audit")
class KernelAuditLiveTest {
    private static final String KEY = "fleetrec-test";

    @BeforeAll
    static void requireRootAndAudit() throws IOException {
        assumeTrue(isRoot(), "kernel audit live test needs root (CAP_AUDIT_CONTROL); skipping");
        try (AuditNetlink nl = AuditNetlink.open()) {
            AuditStatus s = nl.status();
            assumeTrue(!s.locked(), "kernel audit is locked (enabled=2); skipping");
        } catch (IOException | UnsatisfiedLinkError | NoClassDefFoundError e) {
            assumeTrue(false, "cannot open the NETLINK_AUDIT socket (" + e + "); skipping");
        }
    }

    @AfterAll
    static void cleanup() throws IOException {
        if (isRoot()) {
            try {
                KernelAudit.removeRulesWithKey(KEY);
            } catch (IOException ignored) {
                // the assumption already explained why there is no kernel audit here
            }
        }
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // effective uid
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static AuditRuleData execRule() {
        return AuditRuleData.exitAlways().arch(Arch.B64).syscalls("execve").key(KEY);
    }

    @Test
    void capturesExecOfChildProcessAndRestoresKernelState() throws Exception {
        AuditStatus before;
        try (AuditNetlink nl = AuditNetlink.open()) {
            before = nl.status();
        }
        ConcurrentLinkedQueue<AuditRecord> records = new ConcurrentLinkedQueue<>();
        String word = "fleetrec" + UUID.randomUUID().toString().replace("-", "");
        KernelAudit audit = KernelAudit.start(new KernelAuditConfig(KEY, List.of(execRule()), 8192, 1, 0),
                (text, type) -> records.add(AuditRecordParser.parse(type, text)));
        try {
            boolean daemonAlive = before.pid() != 0 && Files.exists(Path.of("/proc/" + before.pid()));
            assertEquals(daemonAlive ? KernelAudit.MODE_MULTICAST : KernelAudit.MODE_UNICAST, audit.mode());
            AuditStatus during = audit.status();
            if (!daemonAlive) {
                assertEquals(ProcessHandle.current().pid(), during.pid());
            }
            assertEquals(1, during.enabled());
            assertEquals(8192, during.backlogLimit());
            assertTrue(listWithKey().size() == 1, "our rule is installed");

            Process p = new ProcessBuilder("/bin/echo", word).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertEquals(0, p.waitFor());

            long deadline = System.currentTimeMillis() + 5_000;
            AuditRecord syscall = null;
            List<String> argv = null;
            Map<Long, List<AuditRecord>> bySerial = new HashMap<>();
            while (syscall == null && System.currentTimeMillis() < deadline) {
                AuditRecord r = records.poll();
                if (r == null) {
                    Thread.sleep(20);
                    continue;
                }
                bySerial.computeIfAbsent(r.serial(), k -> new ArrayList<>()).add(r);
                for (List<AuditRecord> group : bySerial.values()) {
                    List<AuditRecord> execve = group.stream().filter(x -> x.type() == RecordTypes.EXECVE).toList();
                    List<String> args = AuditValues.execveArgs(execve);
                    AuditRecord sc = group.stream().filter(x -> x.type() == RecordTypes.SYSCALL).findFirst().orElse(null);
                    if (args.contains(word) && sc != null) {
                        argv = args;
                        syscall = sc;
                    }
                }
            }
            assertNotNull(syscall, "no SYSCALL+EXECVE with '" + word + "' within 5 s; received "
                    + audit.received() + " records, overruns " + audit.overruns());
            assertEquals(List.of("/bin/echo", word), argv);
            assertEquals(KEY, syscall.text("key"));
            assertEquals("59", syscall.field("syscall"));
            assertTrue(audit.received() > 0);
        } finally {
            audit.close();
            audit.close(); // idempotent
        }
        assertTrue(listWithKey().isEmpty(), "no rule with our key remains");
        try (AuditNetlink nl = AuditNetlink.open()) {
            AuditStatus after = nl.status();
            assertEquals(before.pid(), after.pid(), "registration restored");
            assertEquals(before.enabled(), after.enabled());
            assertEquals(before.backlogLimit(), after.backlogLimit());
            assertEquals(before.backlogWaitTime(), after.backlogWaitTime());
            assertEquals(before.rateLimit(), after.rateLimit());
        }
    }

    /** With another audit daemon registered we must only listen on the multicast group, never take over. */
    @Test
    void multicastModeLeavesTheRegisteredDaemonAlone() throws Exception {
        AuditStatus before;
        try (AuditNetlink nl = AuditNetlink.open()) {
            before = nl.status();
        }
        assumeTrue(before.pid() == 0, "a real audit daemon is registered; not standing in for one");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process daemon = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                AuditDaemonStandIn.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            byte[] line = daemon.getInputStream().readNBytes("registered".length());
            assertEquals("registered", new String(line), "stand-in daemon did not register");
            ConcurrentLinkedQueue<AuditRecord> records = new ConcurrentLinkedQueue<>();
            String word = "fleetrecmc" + UUID.randomUUID().toString().replace("-", "");
            try (KernelAudit audit = KernelAudit.start(KernelAuditConfig.of(KEY, List.of(execRule())),
                    (text, type) -> records.add(AuditRecordParser.parse(type, text)))) {
                assertEquals(KernelAudit.MODE_MULTICAST, audit.mode());
                assertEquals(daemon.pid(), audit.status().pid(), "registration untouched");
                Process p = new ProcessBuilder("/bin/echo", word).start();
                p.getInputStream().readAllBytes();
                p.waitFor();
                long deadline = System.currentTimeMillis() + 5_000;
                boolean seen = false;
                List<AuditRecord> kept = new ArrayList<>();
                while (!seen && System.currentTimeMillis() < deadline) {
                    AuditRecord r = records.poll();
                    if (r == null) {
                        Thread.sleep(20);
                    } else if (r.type() == RecordTypes.EXECVE) {
                        kept.add(r);
                        seen = AuditValues.execveArgs(List.of(r)).contains(word);
                    }
                }
                assertTrue(seen, "no EXECVE with '" + word + "' via multicast; received " + audit.received());
            }
            try (AuditNetlink nl = AuditNetlink.open()) {
                assertEquals(daemon.pid(), nl.status().pid(), "close() did not unregister the other daemon");
            }
            assertTrue(listWithKey().isEmpty());
        } finally {
            daemon.getOutputStream().close();
            if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
        try (AuditNetlink nl = AuditNetlink.open()) {
            assertEquals(0, nl.status().pid(), "stand-in daemon unregistered itself");
        }
    }

    @Test
    void ruleRoundTripAndErrnoReporting() throws Exception {
        AuditRuleData rule = AuditRuleData.exitAlways().arch(Arch.B64).syscalls("ptrace").pidNot(1).key(KEY);
        try (AuditNetlink nl = AuditNetlink.open()) {
            nl.addRule(rule);
            try {
                List<AuditRuleData> ours = listWithKey();
                assertEquals(List.of(rule), ours, "the kernel lists back exactly what we added");
                NetlinkErrorException dup = assertThrows(NetlinkErrorException.class, () -> nl.addRule(rule));
                assertEquals(17, dup.errno());
                assertTrue(dup.getMessage().contains("EEXIST (17)"), dup.getMessage());
            } finally {
                nl.deleteRule(rule);
            }
            NetlinkErrorException gone = assertThrows(NetlinkErrorException.class, () -> nl.deleteRule(rule));
            assertTrue(gone.getMessage().contains("ENOENT (2)"), gone.getMessage());
        }
        assertTrue(listWithKey().isEmpty());
    }

    @Test
    void staleRulesFromACrashedRunAreRemoved() throws Exception {
        try (AuditNetlink nl = AuditNetlink.open()) {
            nl.addRule(execRule());
            nl.addRule(AuditRuleData.exitAlways().arch(Arch.B32).syscalls("execve").key(KEY));
        }
        assertEquals(2, KernelAudit.removeRulesWithKey(KEY));
        assertEquals(0, KernelAudit.removeRulesWithKey(KEY));
        assertFalse(listWithKey().iterator().hasNext());
    }

    private static List<AuditRuleData> listWithKey() throws IOException {
        try (AuditNetlink nl = AuditNetlink.open()) {
            return nl.listRules().stream().filter(r -> r.hasKey(KEY)).toList();
        }
    }
}
