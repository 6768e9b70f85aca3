package org.fleetrec.agent;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.fleetrec.agent.audit.rule.DefaultRules;
import org.fleetrec.model.ServerTrust;

/** How an agent is told where to ship and where to keep its state. */
public record AgentConfig(List<URI> ingests, String enrollmentSecret, Path stateDir, String ruleKey,
                          int backlogLimit, int backlogWaitTime, int rateLimit, List<String> watchedPaths,
                          Path filters, boolean ship, String auditSource, long storeQuotaBytes, java.time.Duration storeMaxAge,
                          ServerTrust ingestTrust) {
    public static final String RULE_KEY = "fleetrec";
    public static final String DEFAULT_STATE = "/var/lib/fleetrec-agent";

    public static AgentConfig fromEnvironment(Map<String, String> env) {
        boolean ship = !"off".equals(env.getOrDefault("FLEETREC_SHIP", "on"));
        String ingest = env.get("FLEETREC_INGEST_URL");
        if (ship && (ingest == null || ingest.isBlank())) {
            throw new IllegalArgumentException("FLEETREC_INGEST_URL is not set (or FLEETREC_SHIP=off to record without shipping)");
        }
        Path state = Path.of(env.getOrDefault("FLEETREC_AGENT_STATE", DEFAULT_STATE));
        String watched = env.get("FLEETREC_WATCH_PATHS");
        return new AgentConfig(ingestUrls(ingest), env.get("FLEETREC_ENROLLMENT_SECRET"),
                state,
                env.getOrDefault("FLEETREC_RULE_KEY", RULE_KEY),
                Integer.parseInt(env.getOrDefault("FLEETREC_AUDIT_BACKLOG_LIMIT", "8192")),
                // Kernel ticks a task may wait for backlog room: short, so a stuck agent never freezes the host.
                Integer.parseInt(env.getOrDefault("FLEETREC_AUDIT_BACKLOG_WAIT", "1")),
                Integer.parseInt(env.getOrDefault("FLEETREC_AUDIT_RATE_LIMIT", "0")),
                watched == null ? DefaultRules.WATCHED_PATHS : List.of(watched.split(":")),
                Path.of(env.getOrDefault("FLEETREC_FILTERS", state.resolve("filters.json").toString())),
                ship,
                env.getOrDefault("FLEETREC_AUDIT_SOURCE", "auto"),
                Long.parseLong(env.getOrDefault("FLEETREC_STORE_QUOTA_BYTES", String.valueOf(1L << 30))),
                java.time.Duration.ofDays(Long.parseLong(env.getOrDefault("FLEETREC_STORE_MAX_AGE_DAYS", "30"))),
                // A CA file and/or a pinned certificate fingerprint for an ingest server over https.
                ServerTrust.fromEnvironment(env, "FLEETREC_INGEST"));
    }

    /** {@code FLEETREC_INGEST_URL}: a comma-separated list, which the agent fails over between; empty when unset. */
    public static List<URI> ingestUrls(String value) {
        return value == null ? List.of()
                : java.util.Arrays.stream(value.split(",")).map(String::strip).filter(u -> !u.isEmpty()).map(URI::create).toList();
    }
}
