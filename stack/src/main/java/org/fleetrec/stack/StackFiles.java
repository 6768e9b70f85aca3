package org.fleetrec.stack;

import java.nio.file.Path;

/**
 * Where a checkout keeps its stack: everything under the git-ignored {@code .fleetrec/},
 * or under FLEETREC_WORK when set (tests run a second stack beside a developer's own).
 */
public record StackFiles(Path root, Path workDir) {
    public static final String VERSION = "0.1.0-SNAPSHOT";

    public static StackFiles of(Path root, java.util.Map<String, String> env) {
        String work = env.get("FLEETREC_WORK");
        return new StackFiles(root, work == null || work.isBlank() ? root.resolve(".fleetrec")
                : Path.of(work).toAbsolutePath().normalize());
    }

    public Path stackJson() {
        return workDir().resolve("stack.json");
    }

    public Path secrets() {
        return workDir().resolve("secrets.json");
    }

    public Path logs() {
        return workDir().resolve("logs");
    }

    public Path log(Part part) {
        return logs().resolve(part.id() + ".log");
    }

    public Path agentState() {
        return workDir().resolve("agent");
    }

    /** Where the ingest server keeps the development certificate it makes on first start. */
    public Path ingestTls() {
        return workDir().resolve("ingest-tls");
    }

    /** That certificate, which clients of the local ingest server take as their CA. */
    public Path ingestCa() {
        return ingestTls().resolve(org.fleetrec.model.ServerTrust.DEVELOPMENT_CERTIFICATE);
    }

    public Path jar(Part part) {
        String module = switch (part) {
            case INGEST -> "ingest-server";
            case WEB -> "web";
            case AGENT -> "endpoint-agent";
            case ELASTICSEARCH -> throw new IllegalArgumentException("Elasticsearch is not a jar of ours");
        };
        return root.resolve(module).resolve("target").resolve(module + "-" + VERSION + "-all.jar");
    }

    /** Put on every process we start, so a pid is only ever signalled while it is still ours. */
    public String marker(String part) {
        return "-Dfleetrec.part=" + part + "@" + workDir;
    }
}
