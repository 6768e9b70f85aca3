package org.fleetrec.system;

import org.fleetrec.agent.audit.rule.AuditRuleData;
import org.fleetrec.agent.source.netlink.AuditNetlink;
import org.fleetrec.agent.source.netlink.AuditStatus;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Asks the kernel directly (AUDIT_LIST_RULES, AUDIT_GET) what a stopped stack left behind. */
final class AuditRulesProbe {
    private AuditRulesProbe() {
    }

    static AuditStatus status() throws Exception {
        try (AuditNetlink netlink = AuditNetlink.open()) {
            return netlink.status();
        }
    }

    static void assertNoRulesWithKey(String key) throws Exception {
        try (AuditNetlink netlink = AuditNetlink.open()) {
            List<AuditRuleData> left = netlink.listRules().stream().filter(r -> r.hasKey(key)).toList();
            assertTrue(left.isEmpty(), "audit rules with key " + key + " left in the kernel: " + left);
        }
    }

    static void assertSameSettings(AuditStatus before, AuditStatus after) {
        assertEquals(before.enabled(), after.enabled(), "audit enabled flag not restored");
        assertEquals(before.pid(), after.pid(), "audit daemon registration not restored");
        assertEquals(before.backlogLimit(), after.backlogLimit(), "backlog limit not restored");
        assertEquals(before.backlogWaitTime(), after.backlogWaitTime(), "backlog wait time not restored");
    }
}
