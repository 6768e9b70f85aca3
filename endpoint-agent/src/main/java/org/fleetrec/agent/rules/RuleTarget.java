package org.fleetrec.agent.rules;

import org.fleetrec.agent.audit.rule.AuditRuleData;
import org.fleetrec.agent.source.netlink.AuditNetlink;

import java.io.IOException;

/**
 * Where {@link UserRuleSync} puts rules: the kernel in production, a fake in unit tests. Failures should be
 * {@link org.fleetrec.agent.source.netlink.NetlinkErrorException}s so the errno (EEXIST, ENOENT, EINVAL) is
 * visible.
 */
public interface RuleTarget {
    void add(AuditRuleData rule) throws IOException;

    void delete(AuditRuleData rule) throws IOException;

    /** The kernel, through an open control socket (not closed by this target). */
    static RuleTarget kernel(AuditNetlink netlink) {
        return new RuleTarget() {
            @Override
            public void add(AuditRuleData rule) throws IOException {
                netlink.addRule(rule);
            }

            @Override
            public void delete(AuditRuleData rule) throws IOException {
                netlink.deleteRule(rule);
            }
        };
    }
}
