package org.fleetrec.agent;

import org.fleetrec.agent.source.netlink.KernelAudit;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/** The agent's command line: {@code run} records this host; {@code cleanup} removes left-over rules. */
public final class AgentMain {
    private static final String USAGE = """
            usage: fleetrec agent <command>
              run        record this host and ship to FLEETREC_INGEST_URL (enrolls with FLEETREC_ENROLLMENT_SECRET)
              cleanup    remove audit rules tagged with the project's key (after a crash)
            environment: FLEETREC_INGEST_URL, FLEETREC_ENROLLMENT_SECRET, FLEETREC_AGENT_STATE (state folder),
                         FLEETREC_AUDIT_BACKLOG_LIMIT (8192), FLEETREC_AUDIT_BACKLOG_WAIT (kernel ticks, 1)
            """;

    private AgentMain() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        switch (command) {
            case "run" -> run();
            case "cleanup" -> {
                int removed = KernelAudit.removeRulesWithKey(System.getenv().getOrDefault("FLEETREC_RULE_KEY", AgentConfig.RULE_KEY));
                System.out.println("removed " + removed + " audit rules");
            }
            case "help", "--help", "-h" -> System.out.print(USAGE);
            default -> {
                System.err.println("unknown command: " + String.join(" ", Arrays.asList(args)));
                System.err.print(USAGE);
                System.exit(2);
            }
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
