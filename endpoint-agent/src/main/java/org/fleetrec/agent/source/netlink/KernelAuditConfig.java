package org.fleetrec.agent.source.netlink;

import org.fleetrec.agent.audit.rule.AuditRuleData;

import java.util.List;
import java.util.Objects;

/**
 * What {@link KernelAudit} installs.
 *
 * @param ruleKey         key that marks our rules ("fleetrec"); rules without a key get it, and rules with
 *                        this key left in the kernel by a crashed run are deleted at start
 * @param rules           rules to add, in order
 * @param backlogLimit    kernel queue length (records) before loss/waiting; 8192 is a good default
 * @param backlogWaitTime kernel ticks a task may wait on a full backlog; keep short (0..HZ) so a slow
 *                        reader cannot stall the host
 * @param rateLimit       records/s before the kernel drops (0 = unlimited)
 */
public record KernelAuditConfig(String ruleKey, List<AuditRuleData> rules, int backlogLimit, int backlogWaitTime,
                                int rateLimit, java.nio.file.Path savedSettings) {
    /** Without a settings file: a crash leaves the kernel as the agent set it. */
    public KernelAuditConfig(String ruleKey, List<AuditRuleData> rules, int backlogLimit, int backlogWaitTime, int rateLimit) {
        this(ruleKey, rules, backlogLimit, backlogWaitTime, rateLimit, null);
    }

    public KernelAuditConfig {
        Objects.requireNonNull(ruleKey, "ruleKey");
        if (ruleKey.isEmpty()) {
            throw new IllegalArgumentException("ruleKey must not be empty");
        }
        rules = List.copyOf(rules);
        if (backlogLimit < 0 || backlogWaitTime < 0 || rateLimit < 0) {
            throw new IllegalArgumentException("backlogLimit, backlogWaitTime and rateLimit must be >= 0");
        }
    }

    /** Defaults: backlog 8192, wait 0 ticks, no rate limit. */
    public static KernelAuditConfig of(String ruleKey, List<AuditRuleData> rules) {
        return new KernelAuditConfig(ruleKey, rules, 8192, 0, 0);
    }
}
