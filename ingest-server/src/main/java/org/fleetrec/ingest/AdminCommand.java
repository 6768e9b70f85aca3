package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.TerminalText;
import org.fleetrec.templates.ElasticsearchClients;
import org.fleetrec.templates.ElasticsearchSettings;
import org.fleetrec.templates.TemplateInstaller;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The fleet's credentials from a shell: enrollment secrets made, listed and revoked, enrolled
 * agents listed and revoked; and the rule catalogue ({@link RulesCommand}). It talks to Elasticsearch directly (FLEETREC_ES_URL), so it works
 * whether or not an ingest server runs; running servers see a revocation within their cache time.
 */
final class AdminCommand {
    static final String USAGE = """
            usage: ingest-server [serve]                      run the ingest server
                   ingest-server secrets create [--name <label>]  make an enrollment secret (shown once)
                   ingest-server secrets list [--json]
                   ingest-server secrets revoke <id>
                   ingest-server agents list [--json]
                   ingest-server agents revoke <agent-id>     its token stops working; the host must enroll again
                   ingest-server templates install            install or upgrade the index templates, then exit
            """ + RulesCommand.USAGE + """
            environment: FLEETREC_ES_URL and its credentials, as for the server
            """;

    private AdminCommand() {
    }

    /** Runs one command; returns the exit status. */
    static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        if (args.size() < 2) {
            err.print(USAGE);
            return 2;
        }
        ElasticsearchSettings settings = ElasticsearchSettings.fromEnvironment(env, "http://127.0.0.1:9200");
        ElasticsearchClient client = ElasticsearchClients.create(settings);
        try {
            if (args.get(0).equals("rules")) {
                return new RulesCommand(client, "cli:" + System.getProperty("user.name", "unknown")).run(args.subList(1, args.size()), out, err);
            }
            EnrollmentSecrets secrets = new EnrollmentSecrets(client, Duration.ZERO);
            AgentRegistry agents = new AgentRegistry(client, Duration.ZERO);
            boolean json = args.contains("--json");
            String what = args.get(0) + " " + args.get(1);
            switch (what) {
                case "secrets create" -> {
                    new TemplateInstaller(client).install(); // the strict mapping before the index's first document
                    String name = option(args, "--name", "unnamed");
                    EnrollmentSecrets.Created created = secrets.create(name);
                    out.println("id:     " + created.id());
                    out.println("secret: " + created.secret());
                    out.println("(the secret is not shown again; give it to agents as FLEETREC_ENROLLMENT_SECRET)");
                }
                case "secrets list" -> {
                    List<EnrollmentSecrets.Listed> all = secrets.list();
                    if (json) {
                        out.println(EventCodec.mapper().writeValueAsString(all));
                    } else {
                        out.printf("%-36s  %-30s  %-30s  %s%n", "ID", "CREATED", "REVOKED", "NAME");
                        for (EnrollmentSecrets.Listed s : all) {
                            out.printf("%-36s  %-30s  %-30s  %s%n", s.id(), TerminalText.safe(s.created()),
                                    s.revoked() == null ? "-" : TerminalText.safe(s.revoked()), TerminalText.safe(s.name()));
                        }
                    }
                }
                case "agents list" -> {
                    List<AgentRegistry.Listed> all = agents.list();
                    if (json) {
                        out.println(EventCodec.mapper().writeValueAsString(all));
                    } else {
                        out.printf("%-36s  %-30s  %-30s  %-32s  %s%n", "AGENT", "ENROLLED", "REVOKED", "HOST ID", "HOST NAME");
                        for (AgentRegistry.Listed a : all) {
                            out.printf("%-36s  %-30s  %-30s  %-32s  %s%n", TerminalText.safe(a.agentId()),
                                    TerminalText.safe(a.enrolled()), a.revoked() == null ? "-" : TerminalText.safe(a.revoked()),
                                    TerminalText.safe(a.hostId()), TerminalText.safe(a.hostName()));
                        }
                    }
                }
                case "templates install" -> {
                    // What the server does at start, alone: a deployment can order it before any writer starts.
                    TemplateInstaller.Result result = new TemplateInstaller(client).install();
                    out.println("index templates version " + org.fleetrec.templates.TemplateSet.VERSION + ": "
                            + result.installed() + " installed, " + result.upToDate() + " up to date, "
                            + result.newerOnCluster() + " newer on the cluster (left alone)");
                }
                case "secrets revoke", "agents revoke" -> {
                    if (args.size() < 3) {
                        err.print(USAGE);
                        return 2;
                    }
                    String id = args.get(2);
                    boolean done = args.get(0).equals("secrets") ? secrets.revoke(id) : agents.revoke(id);
                    if (!done) {
                        err.println("no live " + (args.get(0).equals("secrets") ? "secret" : "agent") + " with id "
                                + TerminalText.safe(id) + " (unknown or revoked already)");
                        return 1;
                    }
                    out.println("revoked " + id + "; running ingest servers refuse it within their cache time");
                }
                default -> {
                    err.print(USAGE);
                    return 2;
                }
            }
            return 0;
        } finally {
            ElasticsearchClients.close(client);
        }
    }

    private static String option(List<String> args, String name, String fallback) {
        int at = args.indexOf(name);
        return at >= 0 && at + 1 < args.size() ? args.get(at + 1) : fallback;
    }
}
