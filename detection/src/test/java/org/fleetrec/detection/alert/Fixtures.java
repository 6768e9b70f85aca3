package org.fleetrec.detection.alert;

import org.fleetrec.model.EventDocument;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

/** Events and rules as the agent and the rule engine make them, for alert tests. */
final class Fixtures {
    static final RuleRef REVERSE_SHELL = new RuleRef("9b1b6c3e-55f0-4a1b-8d6c-6b7a9e2f0c11", "Bash reverse shell",
            Level.HIGH, List.of("attack.execution", "attack.t1059.004", "attack.command-and-control", "detection.threat-hunting"));
    static final RuleRef DISCOVERY = new RuleRef("disc-1", "System discovery", Level.LOW, List.of("attack.discovery", "attack.t1082"));

    private Fixtures() {
    }

    /** A process execution on {@code host} by process {@code entity} at {@code time}. */
    static EventDocument exec(String host, String entity, Instant time, String commandLine) {
        return EventDocument.create()
                .put("@timestamp", time.toString())
                .putAll("event.category", List.of("process")).putAll("event.type", List.of("start"))
                .put("event.action", "executed").put("event.dataset", "process").put("event.sequence", 42)
                .put("host.id", host).put("host.name", host + ".example").put("agent.id", "agent-" + host)
                .put("agent.version", "0.1.0")
                .put("process.entity_id", entity).put("process.pid", 4242).put("process.name", "bash")
                .put("process.executable", "/usr/bin/bash").put("process.command_line", commandLine)
                .put("process.parent.entity_id", "parent-" + entity).put("process.parent.pid", 4000)
                .put("process.parent.name", "sshd").put("process.parent.executable", "/usr/sbin/sshd")
                .put("process.parent.command_line", "sshd: alice [priv]")
                .put("user.id", "1000").put("user.name", "alice").put("user.audit.id", "1000").put("user.audit.name", "alice")
                .put("user.effective.id", "0").put("user.effective.name", "root");
    }

    static RuleMatch match(RuleRef rule, EventDocument event, String id) {
        return new RuleMatch(rule, event, "fleet-events-process-2026.03.04", id);
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
