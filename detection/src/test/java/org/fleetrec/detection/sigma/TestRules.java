package org.fleetrec.detection.sigma;

import org.fleetrec.model.EventDocument;

import java.util.List;

/** Small rules and documents for unit tests. */
final class TestRules {
    private TestRules() {
    }

    /** A Linux process_creation rule with the given detection block (YAML, indented by four spaces inside). */
    static String yaml(String logsource, String detection) {
        return "title: test rule\nid: 00000000-0000-0000-0000-000000000001\nstatus: test\nlevel: high\n"
                + "tags:\n  - attack.execution\n  - attack.t1059\nlogsource:\n" + indent(logsource) + "detection:\n" + indent(detection);
    }

    static RuleSet set(String logsource, String detection) {
        return RuleSet.builder().add("test.yml", yaml(logsource, detection)).build();
    }

    /** A loaded linux/process_creation rule; fails the test with the reason when it does not load. */
    static RuleSet process(String detection) {
        RuleSet s = set("product: linux\ncategory: process_creation\n", detection);
        if (!s.rejected().isEmpty()) throw new AssertionError("rule rejected: " + s.rejected());
        return s;
    }

    /** The reason a linux/process_creation rule is rejected (fails the test when it loads). */
    static Rejected rejected(String logsource, String detection) {
        RuleSet s = set(logsource, detection);
        if (s.rejected().isEmpty()) throw new AssertionError("rule was expected to be rejected");
        return s.rejected().get(0);
    }

    static Rejected rejectedProcess(String detection) {
        return rejected("product: linux\ncategory: process_creation\n", detection);
    }

    static boolean fires(RuleSet set, EventDocument doc) {
        return !set.evaluate(doc).isEmpty();
    }

    /** A Linux exec document shaped like ExecveMapper's. */
    static EventDocument exec(String executable, String... args) {
        return EventDocument.create().put("@timestamp", "2026-01-01T00:00:00Z").put("event.dataset", "process")
                .put("event.action", "executed").put("event.kind", "event").putAll("event.category", List.of("process"))
                .putAll("event.type", List.of("start")).put("event.outcome", "success").put("host.os.type", "linux")
                .put("process.pid", 4242).put("process.executable", executable)
                .put("process.name", executable.substring(executable.lastIndexOf('/') + 1))
                .putAll("process.args", List.of(args)).put("process.command_line", String.join(" ", args))
                .put("auditd.sequence", 7).put("auditd.record_type", "EXECVE").put("user.id", "1000").put("user.name", "alice");
    }

    private static String indent(String block) {
        StringBuilder s = new StringBuilder();
        for (String line : block.split("\n")) s.append("    ").append(line).append('\n');
        return s.toString();
    }
}
