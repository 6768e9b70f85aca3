package org.fleetrec.agent;

import org.fleetrec.agent.rules.RulesCommand;
import org.fleetrec.agent.rules.UserRules;
import org.fleetrec.agent.source.netlink.AuditNetlink;
import org.fleetrec.agent.source.netlink.KernelAudit;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/** The agent's command line: {@code run} records this host; {@code cleanup} removes left-over rules. */
public final class AgentMain {
    private static final String USAGE = """
            usage: fleetrec agent <command>
              run        record this host and ship to FLEETREC_INGEST_URL (enrolls with FLEETREC_ENROLLMENT_SECRET)
              status     the running agent's health: mode, events and rates per dataset, every kind of loss
              query      this host's recent history from monitor.db, no server needed (query --help)
              rules      add|list|remove user audit rules (auditctl -a/-A syntax), applied by the running agent
              import     evidence from other machines: audit.log, Sysmon XML/JSON, .evtx (import --help)
              cleanup    remove audit rules tagged with the project's key after a crash (--force: even while an agent records)
            environment: FLEETREC_INGEST_URL (comma list: failover), FLEETREC_ENROLLMENT_SECRET, FLEETREC_AGENT_STATE (state folder),
                         FLEETREC_INGEST_CA (PEM CA file for https), FLEETREC_INGEST_PIN (sha256 certificate fingerprint),
                         FLEETREC_AUDIT_BACKLOG_LIMIT (8192), FLEETREC_AUDIT_BACKLOG_WAIT (kernel ticks, 1),
                         FLEETREC_AUDIT_RATE_LIMIT (0), FLEETREC_WATCH_PATHS (colon-separated; * allowed),
                         FLEETREC_FILTERS (JSON file, default <state>/filters.json), FLEETREC_SHIP (on|off),
                         FLEETREC_AUDIT_SOURCE (auto|netlink|audisp|log[:path]|eventlog; auto is netlink, then audisp, then
                         /var/log/audit/audit.log on Linux, and Sysmon's Microsoft-Windows-Sysmon/Operational channel on Windows)
            """;

    private AgentMain() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        switch (command) {
            case "run" -> run();
            case "cleanup" -> cleanup(Arrays.asList(args).contains("--force"));
            case "status" -> System.exit(status());
            case "query" -> System.exit(org.fleetrec.agent.store.QueryCommand.run(
                    Arrays.asList(args).subList(1, args.length), stateDir(), System.out, System.err));
            case "import" -> System.exit(org.fleetrec.agent.evidence.ImportCommand.run(
                    Arrays.asList(args).subList(1, args.length), System.getenv(), System.out, System.err));
            case "rules" -> System.exit(RulesCommand.run(Arrays.asList(args).subList(1, args.length), stateDir(), System.out, System.err));
            case "help", "--help", "-h" -> System.out.print(USAGE);
            default -> {
                System.err.println("unknown command: " + String.join(" ", Arrays.asList(args)));
                System.err.print(USAGE);
                System.exit(2);
            }
        }
    }

    private static java.nio.file.Path stateDir() {
        return java.nio.file.Path.of(System.getenv().getOrDefault("FLEETREC_AGENT_STATE", AgentConfig.DEFAULT_STATE));
    }

    /** Prints the status the running agent writes every ten seconds; exit 3 when no agent runs. */
    private static int status() throws java.io.IOException {
        java.nio.file.Path state = stateDir();
        java.nio.file.Path file = state.resolve("status.json");
        if (!java.nio.file.Files.exists(file)) {
            System.err.println("no agent status in " + state + " (is an agent running with FLEETREC_AGENT_STATE=" + state + "?)");
            return 3;
        }
        var status = org.fleetrec.model.EventCodec.mapper().readTree(file.toFile());
        long pid = status.path("pid").asLong();
        boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        System.out.println("agent pid " + pid + (alive ? " running" : " NOT running") + ", status of " + status.path("time").asText());
        System.out.println(status.path("health").toPrettyString());
        return alive ? 0 : 3;
    }

    /** Removes left-over rules, but never from under an agent that is still recording. */
    private static void cleanup(boolean force) throws Exception {
        long daemon;
        try (AuditNetlink netlink = AuditNetlink.open()) {
            daemon = netlink.status().pid();
        }
        boolean agentRecording = daemon > 0 && ProcessHandle.of(daemon).map(ProcessHandle::isAlive).orElse(false)
                && ProcessHandle.of(daemon).flatMap(h -> h.info().arguments())
                .map(a -> String.join(" ", a).contains("endpoint-agent")).orElse(false);
        if (agentRecording && !force) {
            System.err.println("an agent (pid " + daemon + ") is recording and owns these rules; stop it first, or use --force");
            System.exit(1);
        }
        int removed = KernelAudit.removeRulesWithKey(System.getenv().getOrDefault("FLEETREC_RULE_KEY", AgentConfig.RULE_KEY))
                + KernelAudit.removeRulesWithKey(UserRules.KEY);
        System.out.println("removed " + removed + " audit rules");
        // A killed agent could not put the kernel's settings back: its saved copy says what they were.
        java.nio.file.Path saved = stateDir().resolve(Agent.KERNEL_SETTINGS);
        var settings = org.fleetrec.agent.source.netlink.SavedSettings.read(saved);
        if (settings.isPresent()) {
            try (AuditNetlink netlink = AuditNetlink.open()) {
                netlink.set(settings.get().restoring());
            }
            java.nio.file.Files.deleteIfExists(saved);
            System.out.println("restored the kernel audit settings saved in " + saved);
        }
    }

    private static void run() throws Exception {
        AgentConfig config;
        try {
            config = AgentConfig.fromEnvironment(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("agent: " + e.getMessage());
            System.exit(2);
            return;
        }
        Agent agent = new Agent(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                agent.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }, "shutdown"));
        System.out.println("FLEETREC_READY agent mode=" + agent.mode());
        stopped.await();
    }
}
