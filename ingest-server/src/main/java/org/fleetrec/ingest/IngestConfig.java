package org.fleetrec.ingest;

import org.fleetrec.ingest.tls.ServerTls;
import org.fleetrec.templates.ElasticsearchSettings;

import java.util.Map;

/** Everything the ingest server is told at start, from the environment. */
public record IngestConfig(String bindHost, int port, ElasticsearchSettings elasticsearch,
                           String enrollmentSecret, int maxBodyBytes, long maxBatchBytes, int maxBatchLines,
                           int maxLineBytes, ServerTls tls, java.time.Duration authCache,
                           int retentionDays, int alertRetentionDays, LiveDetection.Settings detection) {

    public static IngestConfig fromEnvironment(Map<String, String> env) {
        // Optional: secrets made with `ingest secrets create` live in Elasticsearch; this one is the server's own.
        String secret = env.get("FLEETREC_ENROLLMENT_SECRET");
        if (secret != null && secret.isEmpty()) secret = null;
        if (secret != null && secret.length() < 16) {
            throw new IllegalArgumentException("FLEETREC_ENROLLMENT_SECRET must have 16 characters at least");
        }
        return new IngestConfig(
                env.getOrDefault("FLEETREC_INGEST_BIND", "127.0.0.1"),
                Integer.parseInt(env.getOrDefault("FLEETREC_INGEST_PORT", "8443")),
                ElasticsearchSettings.fromEnvironment(env, "http://127.0.0.1:9200"),
                secret,
                Integer.parseInt(env.getOrDefault("FLEETREC_INGEST_MAX_BODY_BYTES", String.valueOf(16 << 20))),
                Long.parseLong(env.getOrDefault("FLEETREC_INGEST_MAX_BATCH_BYTES", String.valueOf(128L << 20))),
                Integer.parseInt(env.getOrDefault("FLEETREC_INGEST_MAX_BATCH_LINES", "20000")),
                Integer.parseInt(env.getOrDefault("FLEETREC_INGEST_MAX_LINE_BYTES", String.valueOf(1 << 20))),
                ServerTls.fromEnvironment(env),
                // How long a token or secret lookup is trusted: a revocation takes effect within it.
                java.time.Duration.ofSeconds(Long.parseLong(env.getOrDefault("FLEETREC_INGEST_AUTH_CACHE_SECONDS", "30"))),
                // Daily event and dead-letter indices older than this are deleted; 0 keeps everything.
                Integer.parseInt(env.getOrDefault("FLEETREC_RETENTION_DAYS", "90")),
                // Daily alert indices: the record of what was found outlives the events, and takes little room.
                Integer.parseInt(env.getOrDefault("FLEETREC_ALERT_RETENTION_DAYS", "365")),
                detection(env));
    }

    private static LiveDetection.Settings detection(Map<String, String> env) {
        try {
            return LiveDetection.Settings.fromEnvironment(env);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("alert forwarding settings: " + e.getMessage(), e);
        }
    }
}
