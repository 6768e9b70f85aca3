package org.fleetrec.agent;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/** How an agent is told where to ship and where to keep its state. */
public record AgentConfig(URI ingest, String enrollmentSecret, Path stateDir, String ruleKey,
                          int backlogLimit, int backlogWaitTime) {
    public static final String RULE_KEY = "fleetrec";

    public static AgentConfig fromEnvironment(Map<String, String> env) {
        String ingest = env.get("FLEETREC_INGEST_URL");
        if (ingest == null || ingest.isBlank()) throw new IllegalArgumentException("FLEETREC_INGEST_URL is not set");
        return new AgentConfig(URI.create(ingest), env.get("FLEETREC_ENROLLMENT_SECRET"),
                Path.of(env.getOrDefault("FLEETREC_AGENT_STATE", "/var/lib/fleetrec-agent")),
                env.getOrDefault("FLEETREC_RULE_KEY", RULE_KEY),
                Integer.parseInt(env.getOrDefault("FLEETREC_AUDIT_BACKLOG_LIMIT", "8192")),
                // Kernel ticks a task may wait for backlog room: short, so a stuck agent never freezes the host.
                Integer.parseInt(env.getOrDefault("FLEETREC_AUDIT_BACKLOG_WAIT", "1")));
    }
}
