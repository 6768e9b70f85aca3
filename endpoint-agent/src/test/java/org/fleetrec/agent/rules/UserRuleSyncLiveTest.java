package org.fleetrec.agent.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.fleetrec.agent.audit.rule.AuditRuleData;
import org.fleetrec.agent.audit.rule.AuditRuleParser;
import org.fleetrec.agent.source.netlink.AuditNetlink;
import org.fleetrec.agent.source.netlink.KernelAudit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * User rules against the real kernel (root with audit only; skipped otherwise). Other tests may add their own
 * rules meanwhile, so everything here is checked and cleaned up by this test's own random key.
 */
class UserRuleSyncLiveTest {
    private final String key = "fleetrec-ut-" + UUID.randomUUID().toString().substring(0, 8);
    @TempDir
    Path tmp;
    private AuditNetlink netlink;

    @BeforeEach
    void open() throws IOException {
        assumeTrue("0".equals(effectiveUid()), "user rule sync live test needs root; skipping");
        try {
            netlink = AuditNetlink.open();
            assumeTrue(!netlink.status().locked(), "kernel audit is locked (enabled=2); skipping");
        } catch (IOException | UnsatisfiedLinkError | NoClassDefFoundError e) {
            assumeTrue(false, "cannot talk to kernel audit (" + e + "); skipping");
        }
    }

    @AfterEach
    void cleanup() throws IOException {
        if (netlink != null) {
            netlink.close();
            KernelAudit.removeRulesWithKey(key);
        }
    }

    private static String effectiveUid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[2];
            }
        }
        return "?";
    }

    /** Our rules in the kernel, as sorted hex, so two states compare as multisets. */
    private List<String> kernelRules() throws IOException {
        return netlink.listRules().stream().filter(r -> r.hasKey(key))
                .map(r -> HexFormat.of().formatHex(r.toBytes())).sorted().toList();
    }

    private static List<String> asKernelHolds(List<AuditRuleData> rules) {
        return rules.stream().map(AuditRuleData::stored).map(r -> HexFormat.of().formatHex(r.toBytes())).sorted().toList();
    }

    @Test
    void syncsAndRollsBackToTheLastGoodSet() throws Exception {
        Path etc = Files.createDirectories(tmp.resolve("etc"));
        Path doomed = Files.createDirectories(tmp.resolve("doomed"));
        Files.writeString(doomed.resolve("file"), "x");
        UserRules rules = new UserRules(tmp.resolve("state"), AuditRuleParser.forThisHost());
        UserRuleSync sync = new UserRuleSync(RuleTarget.kernel(netlink));

        String g1 = rules.add("-a always,exit -F arch=b64 -S openat,openat2 -F dir=" + etc + " -F perm=w -k " + key).id();
        String g2 = rules.add("-A always,exit -F arch=b64 -S unlinkat,renameat -F success=0 -F auid>=1000 -F auid!=unset -k " + key).id();
        String g3 = rules.add("-a never,exclude -F msgtype=CWD -F uid=4242 -k " + key).id();
        UserRules.Loaded good = rules.load();
        SyncResult first = sync.sync(good.rules(), good::describe);
        assertEquals(new SyncResult(true, 3, 0, null), first);
        assertEquals(asKernelHolds(good.rules()), kernelRules(), "the kernel holds exactly the user set");

        // A change that deletes two rules, adds one, then hits a rule whose directory vanished since it was added.
        rules.add("-a always,exit -F arch=b64 -S chmod,fchmodat -F exit=-EPERM -k " + key);
        String bad = rules.add("-a always,exit -F path=" + doomed.resolve("file") + " -F perm=wa -k " + key).text();
        rules.remove(g2);
        rules.remove(g3);
        Files.delete(doomed.resolve("file"));
        Files.delete(doomed);
        UserRules.Loaded broken = rules.load();
        SyncResult refused = sync.sync(broken.rules(), broken::describe);
        assertFalse(refused.ok());
        assertTrue(refused.reason().contains(bad) && refused.reason().contains("ENOENT (2)"), refused.reason());
        assertTrue(refused.reason().contains("previous user rules stay in force"), refused.reason());
        assertEquals(asKernelHolds(good.rules()), kernelRules(), "rolled back to the last good set");

        // A rule the kernel finds invalid (no ordering against the unset uid) is refused the same way.
        AuditRuleData invalid = AuditRuleParser.forThisHost().parse("-a always,exit -F arch=b64 -S openat -F uid<unset -k " + key);
        List<AuditRuleData> withInvalid = new java.util.ArrayList<>(good.rules());
        withInvalid.add(invalid);
        SyncResult einval = sync.sync(withInvalid, r -> r == invalid ? "the uid<unset rule" : r.toString());
        assertTrue(einval.reason().contains("the uid<unset rule") && einval.reason().contains("EINVAL (22)"), einval.reason());
        assertEquals(asKernelHolds(good.rules()), kernelRules());

        // Fixing the set (dropping the bad rule) applies the rest.
        rules.remove(bad);
        UserRules.Loaded fixed = rules.load();
        SyncResult applied = sync.sync(fixed.rules(), fixed::describe);
        assertEquals(new SyncResult(true, 1, 2, null), applied);
        assertEquals(asKernelHolds(fixed.rules()), kernelRules());
        assertEquals(g1, fixed.entries().get(0).id());

        sync.removeAll();
        assertEquals(List.of(), kernelRules(), "removeAll leaves nothing with our key");
        assertEquals(List.of(), sync.installed());
    }
}
