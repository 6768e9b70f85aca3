package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.detection.rules.CatalogRules;
import org.fleetrec.detection.rules.LocalRules;
import org.fleetrec.detection.rules.RuleCatalog;
import org.fleetrec.detection.rules.RuleSource;
import org.fleetrec.model.EventCodec;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.fleetrec.templates.ElasticsearchClients;
import org.fleetrec.templates.ElasticsearchSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ingest-server rules ...} on a real catalogue: add, list (table and JSON), show, enable, disable,
 * retire, with exit status 1 for what is refused or not there, and rule text that cannot drive the terminal.
 */
@ExtendWith(ElasticsearchExtension.class)
class RulesCommandIT {
    private static Map<String, String> env;
    private static ElasticsearchClient client;

    @TempDir
    static Path folder;

    @BeforeAll
    static void connect(TestElasticsearch es) {
        env = new HashMap<>(Map.of("FLEETREC_ES_URL", es.url().toString()));
        if (es.username() != null) {
            env.put("FLEETREC_ES_USER", es.username());
            env.put("FLEETREC_ES_PASSWORD", es.password());
        }
        client = ElasticsearchClients.create(new ElasticsearchSettings(es.url(), null, es.username(), es.password(), null));
    }

    @AfterAll
    static void close() {
        if (client != null) ElasticsearchClients.close(client);
    }

    private static String rule(String id, String title) {
        return """
                title: %s
                id: %s
                level: medium
                logsource: {product: linux, category: process_creation}
                detection:
                  selection:
                    Image|endswith: '/socat'
                  condition: selection
                """.formatted(title, id);
    }

    /** Runs the command; gives stdout, or stderr when the status is not 0. */
    private static String run(int expected, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = AdminCommand.run(List.of(args), env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(expected, status, String.join(" ", args) + "\nout: " + out + "\nerr: " + err);
        return (expected == 0 ? out : err).toString(StandardCharsets.UTF_8);
    }

    @Test
    void anAddedRuleIsListedShownDisabledEnabledAndRetired() throws Exception {
        String id = UUID.randomUUID().toString();
        String marker = "relay-" + id.substring(0, 8);
        Path file = Files.writeString(folder.resolve("socat.yml"), rule(id, "\"Socat " + marker + " \\e]0;owned\\a\""));
        assertTrue(run(0, "rules", "add", file.toString()).contains("added " + id));
        assertTrue(run(1, "rules", "add", file.toString()).contains("is taken by an added rule"));

        String table = run(0, "rules", "list", "--text", marker);
        String line = table.lines().filter(l -> l.startsWith(id)).findFirst().orElseThrow(() -> new AssertionError(table));
        assertTrue(line.contains("enabled") && line.contains("api") && line.contains("medium"), line);
        assertTrue(line.contains("\\x1b]0;owned\\x07") && !table.contains("\u001b"), "control characters are shown, not sent: " + line);

        JsonNode listed = EventCodec.mapper().readTree(run(0, "rules", "list", "--origin", "api", "--json"));
        JsonNode mine = null;
        for (JsonNode r : listed) if (r.path("key").asText().equals(id)) mine = r;
        assertTrue(mine != null && mine.path("state").asText().equals("enabled") && mine.path("added").path("by").asText().startsWith("cli:"),
                String.valueOf(mine));
        assertFalse(mine.has("yaml"), "a listing leaves the text out");

        assertEquals(id + " disabled", run(0, "rules", "disable", id).strip());
        assertTrue(run(0, "rules", "list", "--state", "disabled", "--text", marker).contains(id));
        assertFalse(run(0, "rules", "list", "--state", "enabled", "--text", marker).contains(id));
        assertEquals(id + " enabled", run(0, "rules", "enable", id).strip());
        assertEquals(id + " retired", run(0, "rules", "retire", id).strip());
        assertTrue(run(1, "rules", "enable", id).contains("retired"));

        String shown = run(0, "rules", "show", id);
        assertTrue(shown.contains("state:     retired") && shown.contains("Image|endswith: '/socat'"), shown);
        assertEquals(id, EventCodec.mapper().readTree(run(0, "rules", "show", id, "--json")).path("id").asText());
        assertTrue(run(1, "rules", "show", UUID.randomUUID().toString()).contains("no rule"));
        assertTrue(run(1, "rules", "disable", UUID.randomUUID().toString()).contains("no rule"));
    }

    /** One exec as the agent stores it, with a command line that would drive a terminal if printed raw. */
    private static com.fasterxml.jackson.databind.node.ObjectNode exec(String entity, java.time.Instant time, String executable,
                                                                       String commandLine) {
        var doc = EventCodec.mapper().createObjectNode().put("@timestamp", time.toString());
        doc.putObject("event").put("dataset", "process").put("action", "executed").put("kind", "event").put("sequence", time.toEpochMilli())
                .putArray("category").add("process");
        doc.putObject("host").put("id", "cli-host").put("name", "cli.example").putObject("os").put("type", "linux");
        doc.putObject("agent").put("id", "cli-agent").put("version", "0.1.0");
        doc.putObject("process").put("entity_id", entity).put("pid", 4242).put("executable", executable)
                .put("name", executable.substring(executable.lastIndexOf('/') + 1)).put("command_line", commandLine);
        return doc;
    }

    @Test
    void aRuleIsTriedOnEventsAndHuntedOverStoredOnes() throws Exception {
        String id = UUID.randomUUID().toString();
        Path file = Files.writeString(folder.resolve("socat-test.yml"), rule(id, "Socat relay " + id.substring(0, 8)));
        java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String tag = "tcp-listen:" + (20000 + new java.util.Random().nextInt(10000)) + "\u001b[2J";
        var relay = exec("e-relay-" + id, now.minusSeconds(600), "/usr/bin/socat", "socat " + tag + " exec:/bin/sh");
        var old = exec("e-old-" + id, now.minus(java.time.Duration.ofDays(3)), "/usr/bin/socat", "socat old");
        var quiet = exec("e-ls-" + id, now.minusSeconds(300), "/usr/bin/ls", "ls -l");

        Path events = Files.writeString(folder.resolve("events.ndjson"), relay + "\n" + quiet + "\n");
        String tried = run(0, "rules", "test", file.toString(), "--events", events.toString());
        assertTrue(tried.contains("1 of 2 events match") && tried.contains("event 1: matches") && tried.contains("event 2: no match"), tried);

        String index = org.fleetrec.model.IndexNames.events(org.fleetrec.model.Dataset.PROCESS, now);
        String oldIndex = org.fleetrec.model.IndexNames.events(org.fleetrec.model.Dataset.PROCESS, now.minus(java.time.Duration.ofDays(3)));
        new org.fleetrec.templates.TemplateInstaller(client).install();
        client.index(i -> i.index(index).id("cli:" + id + ":1").document(relay).refresh(co.elastic.clients.elasticsearch._types.Refresh.True));
        client.index(i -> i.index(index).id("cli:" + id + ":2").document(quiet).refresh(co.elastic.clients.elasticsearch._types.Refresh.True));
        client.index(i -> i.index(oldIndex).id("cli:" + id + ":3").document(old).refresh(co.elastic.clients.elasticsearch._types.Refresh.True));

        String hunted = run(0, "rules", "test", file.toString(), "--host", "cli-host");
        assertTrue(hunted.contains(": 1 events match") && hunted.contains("1 results"), "the last 24 hours: only the recent relay\n" + hunted);
        assertTrue(hunted.contains("cli.example") && hunted.contains("\\x1b[2J") && !hunted.contains("\u001b"),
                "the command line is shown, its escape sequence not sent: " + hunted);
        JsonNode week = EventCodec.mapper().readTree(run(0, "rules", "test", file.toString(), "--from", "now-7d", "--host", "cli-host", "--json"));
        assertEquals(2, week.path("confirmed").asLong(), week.toString());
        assertEquals(2, week.path("results").size());

        // By id: the catalogue's copy of the rule.
        run(0, "rules", "add", file.toString());
        assertTrue(run(0, "rules", "test", id, "--host", "cli-host").contains(": 1 events match"));
        assertTrue(run(1, "rules", "test", "no-such-rule-" + id).contains("no rule file or catalogue rule"));
        assertTrue(run(2, "rules", "test", file.toString(), "--from", "yesterday").contains("must be"));
        assertTrue(run(1, "rules", "test", file.toString(), "--from", "now-100d").contains("90"), "a hunt's range is bounded");
    }

    @Test
    void refusedRulesExitOneWithTheReasonAndPublishedOnesCannotBeRetired() throws Exception {
        Path aggregation = Files.writeString(folder.resolve("count.yml"),
                rule(UUID.randomUUID().toString(), "Many").replace("condition: selection", "condition: selection | count() > 5"));
        assertTrue(run(1, "rules", "add", aggregation.toString()).contains("refused: unsupported: aggregation"));
        Path noId = Files.writeString(folder.resolve("noid.yml"), rule("x", "No id").replace("id: x\n", ""));
        assertTrue(run(1, "rules", "add", noId.toString()).contains("needs an id"));
        Path notYaml = Files.write(folder.resolve("binary.yml"), new byte[]{(byte) 0xff, (byte) 0xfe, 0, 1});
        assertTrue(run(1, "rules", "add", notYaml.toString()).startsWith("refused: "));

        String shipped = UUID.randomUUID().toString();
        String broken = "shipped-broken-" + shipped + ".yml";
        new CatalogRules(new RuleCatalog(client), new LocalRules(List.of(
                new RuleSource(RuleCatalog.SHIPPED, "s-" + shipped + ".yml", rule(shipped, "Shipped socat")),
                new RuleSource(RuleCatalog.SHIPPED, broken, "title: t\nlogsource: {}\n")), List.of()), "ingest-server@test").publish();
        assertTrue(run(1, "rules", "retire", shipped).contains("disable it instead"));
        assertEquals(shipped + " disabled", run(0, "rules", "disable", shipped).strip());
        String refused = run(0, "rules", "list", "--origin", "shipped", "--text", broken);
        assertTrue(refused.contains("[not loaded: invalid: no detection map]"), refused);
    }
}
