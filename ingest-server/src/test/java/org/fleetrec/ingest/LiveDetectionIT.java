package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import org.fleetrec.detection.rules.RuleCatalog;
import org.fleetrec.detection.rules.RuleEntry;
import org.fleetrec.detection.rules.RuleState;
import org.fleetrec.detection.sigma.RuleSet;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.EventDocument;
import org.fleetrec.model.ServerTrust;
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
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sigma rules on the live stream: a matching event becomes an alert in {@code fleet-alerts-*},
 * delivered to a webhook; the same batch sent again (stored already) raises nothing more, and
 * further matches of the same process raise its count instead of new alerts. The rules follow the
 * rule catalogue without a restart: a disabled rule stops alerting, an added one starts, a retired
 * one stops and stays listed, and a catalogue that cannot be read keeps the rules in force.
 */
@ExtendWith(ElasticsearchExtension.class)
class LiveDetectionIT {
    private static final String SECRET = "live-detection-secret-" + UUID.randomUUID();
    private static final String RULE_ID = "5b3f3e3c-7f0e-4a43-9c3a-2f9d6f1d0a01";
    // A scanner of its own name: the shipped rules know nmap, and would alert too.
    private static final String RULE = """
            title: Network scanner run
            id: 5b3f3e3c-7f0e-4a43-9c3a-2f9d6f1d0a01
            status: test
            level: high
            tags: [attack.discovery, attack.t1046]
            logsource: {product: linux, category: process_creation}
            detection:
              selection:
                Image|endswith: '/portprobe'
              condition: selection
            """;

    private static final String TOGGLED_ID = UUID.randomUUID().toString();
    private static final String TOGGLED = RULE.replace(RULE_ID, TOGGLED_ID).replace("Network scanner run", "Socat relay")
            .replace("'/portprobe'", "'/socat'");
    private static final String ADDED_ID = UUID.randomUUID().toString();
    private static final String ADDED = RULE.replace(RULE_ID, ADDED_ID).replace("Network scanner run", "Ncat listener")
            .replace("'/portprobe'", "'/ncat'");
    private static final String AGGREGATION_ID = UUID.randomUUID().toString();
    private static final String IDLESS_TITLE = "Probe without an id";

    private static ElasticsearchClient client;
    private static RuleCatalog catalog;
    private static String token;
    private static IngestServer server;
    private static URI base;
    private static HttpClient http;
    private static HttpServer receiver;
    private static final List<String> delivered = new CopyOnWriteArrayList<>();

    @TempDir
    static Path folder;

    @BeforeAll
    static void start(TestElasticsearch es) throws Exception {
        client = ElasticsearchClients.create(new ElasticsearchSettings(es.url(), null, es.username(), es.password(), null));
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            delivered.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        Path rules = Files.createDirectories(folder.resolve("rules"));
        Files.writeString(rules.resolve("portprobe.yml"), RULE);
        Files.writeString(rules.resolve("aggregation.yml"), RULE.replace(RULE_ID, AGGREGATION_ID)
                .replace("condition: selection", "condition: selection | count() > 5"));
        Files.writeString(rules.resolve("socat.yml"), TOGGLED);
        // Sigma's id is optional: a rule file without one is named by its file.
        Files.writeString(rules.resolve("idless.yml"), RULE.replaceFirst("(?m)^id: .*\\n", "").replace("Network scanner run", IDLESS_TITLE)
                .replace("'/portprobe'", "'/idless-probe'"));
        catalog = new RuleCatalog(client);
        IngestConfig config = IngestConfig.fromEnvironment(Map.of(
                "FLEETREC_ENROLLMENT_SECRET", SECRET, "FLEETREC_INGEST_PORT", "0", "FLEETREC_ES_URL", es.url().toString(),
                "FLEETREC_INGEST_TLS_DIR", folder.resolve("tls").toString(), "FLEETREC_INGEST_AUTH_CACHE_SECONDS", "0",
                "FLEETREC_RULES_DIR", rules.toString(), "FLEETREC_RULES_REFRESH_SECONDS", "1",
                "FLEETREC_ALERT_WEBHOOK_URL", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                "FLEETREC_ALERT_WEBHOOK_MIN_LEVEL", "medium"));
        server = new IngestServer(config, client);
        base = server.url("127.0.0.1");
        http = new ServerTrust(server.certificate(), null).configure(HttpClient.newBuilder()).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (http.send(HttpRequest.newBuilder(base.resolve("/readyz")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
            if (System.nanoTime() > deadline) throw new AssertionError("never ready");
            Thread.sleep(200);
        }
        token = EventCodec.mapper().readTree(http.send(HttpRequest.newBuilder(base.resolve("/api/v1/enroll"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"secret\":\"" + SECRET + "\",\"host\":{\"id\":\"detect-host\",\"name\":\"detect.example\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString()).body()).path("token").asText();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (receiver != null) receiver.stop(0);
        if (client != null) ElasticsearchClients.close(client);
    }

    @Test
    void aMatchingEventBecomesOneAlertThatCountsRepeatsAndIsDelivered() throws Exception {
        String scan = lines(exec(1, "/usr/local/bin/portprobe", "portprobe -sS 10.0.0.0/24", "scan-1"), exec(2, "/usr/bin/ls", "ls -l", "ls-1"));
        assertEquals(200, bulk(token, scan).statusCode());

        JsonNode alert = awaitAlert(1);
        assertEquals(RULE_ID, alert.path("rule").path("id").asText());
        assertEquals("high", alert.path("rule").path("level").asText());
        assertEquals("detect-host", alert.path("host").path("id").asText());
        assertEquals("scan-1", alert.path("process").path("entity_id").asText());
        assertEquals("portprobe -sS 10.0.0.0/24", alert.path("process").path("command_line").asText());
        assertEquals("T1046", alert.path("threat").path("technique").path("id").get(0).asText(), alert.toString());
        awaitDelivered(1);
        assertTrue(delivered.get(0).contains(RULE_ID) && delivered.get(0).contains("scan-1"), delivered.get(0));

        // The agent retries the same batch: stored already, so nothing is matched twice.
        assertEquals(200, bulk(token, scan).statusCode());
        Thread.sleep(2000); // detection follows within milliseconds; give a wrong count time to show
        assertEquals(1, awaitAlert(1).path("fleet").path("alert").path("count").asInt(), "a retried batch matches nothing again");
        // The same process runs again (a new event of it): the alert counts it, no new alert.
        assertEquals(200, bulk(token, lines(exec(3, "/usr/local/bin/portprobe", "portprobe -sS 10.0.0.0/24", "scan-1"))).statusCode());
        JsonNode counted = awaitAlert(2);
        assertEquals(1, alerts().path("hits").path("total").path("value").asInt(), "one alert for one rule on one process");
        assertEquals(2, counted.path("fleet").path("alert").path("count").asInt(), counted.toString());
        Thread.sleep(1000);
        assertEquals(1, delivered.size(), "repeats update the alert, they are not delivered again");
    }

    @Test
    void aRuleFileWithoutAnIdAlertsUnderItsFileName() throws Exception {
        assertEquals(200, bulk(token, lines(exec(50, "/opt/idless-probe", "idless-probe 10.0.0.1", "idless-1"))).statusCode());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            client.indices().refresh(r -> r.index("fleet-alerts-*").allowNoIndices(true).ignoreUnavailable(true));
            var found = client.search(q -> q.index("fleet-alerts-*").allowNoIndices(true).ignoreUnavailable(true)
                    .query(t -> t.term(f -> f.field("process.entity_id").value("idless-1"))), ObjectNode.class).hits().hits();
            if (!found.isEmpty()) {
                JsonNode alert = found.get(0).source();
                assertEquals(IDLESS_TITLE, alert.path("rule").path("name").asText());
                assertTrue(alert.path("rule").path("id").asText().endsWith("idless.yml"), alert.path("rule").toString());
                return;
            }
            if (System.nanoTime() > deadline) throw new AssertionError("no alert of the rule without an id");
            Thread.sleep(250);
        }
    }

    @Test
    void theRulesFollowTheCatalogueWithoutARestart() throws Exception {
        // Every rule the server runs is listed, the refused one with its reason.
        awaitInForce(RULE_ID, true);
        RuleEntry folderRule = catalog.get(TOGGLED_ID).orElseThrow();
        assertEquals(RuleCatalog.FOLDER, folderRule.origin());
        assertTrue(folderRule.loaded() && folderRule.state() == RuleState.ENABLED, folderRule.toString());
        RuleEntry refused = catalog.get(AGGREGATION_ID).orElseThrow();
        assertFalse(refused.loaded());
        assertTrue(refused.refusal().startsWith("unsupported: aggregation"), refused.refusal());

        long sequence = 100;
        assertEquals(200, bulk(token, lines(exec(sequence++, "/usr/bin/socat", "socat tcp-l:4444 exec:sh", "socat-1"))).statusCode());
        awaitAlertFor(TOGGLED_ID, "socat-1");

        // Disabled: it stops alerting, within the refresh time and without a restart.
        catalog.setState(TOGGLED_ID, RuleState.DISABLED, "test:analyst");
        awaitInForce(TOGGLED_ID, false);
        assertEquals(200, bulk(token, lines(exec(sequence++, "/usr/bin/socat", "socat tcp-l:4444 exec:sh", "socat-2"))).statusCode());

        // Added: it starts.
        catalog.add(ADDED, "test:analyst");
        awaitInForce(ADDED_ID, true);
        assertEquals(200, bulk(token, lines(exec(sequence++, "/usr/bin/ncat", "ncat -l 4444", "ncat-1"))).statusCode());
        awaitAlertFor(ADDED_ID, "ncat-1");
        assertEquals(0, alertsFor(TOGGLED_ID, "socat-2"), "a disabled rule raised an alert");

        // A catalogue that cannot be read keeps the rules in force.
        client.indices().close(c -> c.index(RuleCatalog.INDEX));
        try {
            Thread.sleep(3000); // three refreshes
            assertTrue(inForce(ADDED_ID) && inForce(RULE_ID) && !inForce(TOGGLED_ID), "the rules in force changed on a failed read");
        } finally {
            client.indices().open(o -> o.index(RuleCatalog.INDEX));
            client.cluster().health(h -> h.index(RuleCatalog.INDEX).waitForStatus(co.elastic.clients.elasticsearch._types.HealthStatus.Yellow));
        }

        // Retired: it stops, and stays listed as retired. Enabled again: the disabled rule is back.
        catalog.setState(ADDED_ID, RuleState.RETIRED, "test:analyst");
        catalog.setState(TOGGLED_ID, RuleState.ENABLED, "test:analyst");
        awaitInForce(ADDED_ID, false);
        awaitInForce(TOGGLED_ID, true);
        assertEquals(200, bulk(token, lines(exec(sequence++, "/usr/bin/ncat", "ncat -l 4444", "ncat-2"),
                exec(sequence, "/usr/bin/socat", "socat tcp-l:4444 exec:sh", "socat-3"))).statusCode());
        awaitAlertFor(TOGGLED_ID, "socat-3"); // the batch was evaluated after the retirement
        assertEquals(0, alertsFor(ADDED_ID, "ncat-2"), "a retired rule raised an alert");
        assertTrue(catalog.list(new RuleCatalog.Filter(RuleState.RETIRED, null, null, null)).stream()
                .anyMatch(r -> r.key().equals(ADDED_ID)), "a retired rule stays listed");
    }

    private static boolean inForce(String ruleId) {
        RuleSet rules = server.detection().rules();
        return rules != null && rules.rules().stream().anyMatch(r -> ruleId.equals(r.id()));
    }

    private static void awaitInForce(String ruleId, boolean wanted) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (inForce(ruleId) != wanted) {
            if (System.nanoTime() > deadline) throw new AssertionError("rule " + ruleId + (wanted ? " never" : " still") + " in force");
            Thread.sleep(100);
        }
    }

    private static void awaitAlertFor(String ruleId, String entity) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (alertsFor(ruleId, entity) == 0) {
            if (System.nanoTime() > deadline) throw new AssertionError("no alert of " + ruleId + " for " + entity);
            Thread.sleep(250);
        }
    }

    private static long alertsFor(String ruleId, String entity) throws Exception {
        client.indices().refresh(r -> r.index("fleet-alerts-*").allowNoIndices(true).ignoreUnavailable(true));
        var found = client.count(c -> c.index("fleet-alerts-*").allowNoIndices(true).ignoreUnavailable(true)
                .query(q -> q.bool(b -> b.filter(f -> f.term(t -> t.field("rule.id").value(ruleId)))
                        .filter(f -> f.term(t -> t.field("process.entity_id").value(entity))))));
        return found.count();
    }

    private static JsonNode awaitAlert(int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode hits = alerts().path("hits").path("hits");
            if (hits.size() > 0 && hits.get(0).path("_source").path("fleet").path("alert").path("count").asInt() >= count) {
                return hits.get(0).path("_source");
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no alert with count " + count + ": " + alerts());
    }

    private static JsonNode alerts() throws Exception {
        client.indices().refresh(r -> r.index("fleet-alerts-*").allowNoIndices(true).ignoreUnavailable(true));
        var found = client.search(s -> s.index("fleet-alerts-*").allowNoIndices(true).ignoreUnavailable(true)
                .query(q -> q.term(t -> t.field("rule.id").value(RULE_ID))), ObjectNode.class);
        var root = EventCodec.mapper().createObjectNode();
        var hits = root.putObject("hits");
        hits.putObject("total").put("value", found.hits().total() == null ? 0 : found.hits().total().value());
        var array = hits.putArray("hits");
        found.hits().hits().forEach(h -> array.addObject().set("_source", h.source()));
        return root;
    }

    private static void awaitDelivered(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (delivered.size() < n && System.nanoTime() < deadline) Thread.sleep(100);
        assertEquals(n, delivered.size(), "webhook deliveries");
    }

    private static EventDocument exec(long sequence, String executable, String commandLine, String entity) {
        return EventDocument.create()
                .put("@timestamp", Instant.now().toString())
                .put("event.dataset", "process").put("event.action", "executed").put("event.kind", "event")
                .putAll("event.category", List.of("process")).putAll("event.type", List.of("start"))
                .put("event.sequence", sequence).put("host.os.type", "linux")
                .put("process.pid", 4000 + sequence).put("process.entity_id", entity)
                .put("process.executable", executable).put("process.command_line", commandLine)
                .putAll("process.args", List.of(commandLine.split(" ")));
    }

    private static String lines(EventDocument... docs) {
        StringBuilder out = new StringBuilder();
        for (EventDocument doc : docs) out.append(EventCodec.toJson(doc)).append('\n');
        return out.toString();
    }

    private static HttpResponse<String> bulk(String token, String ndjson) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(ndjson.getBytes(StandardCharsets.UTF_8));
        }
        return http.send(HttpRequest.newBuilder(base.resolve("/api/v1/events/_bulk"))
                .header("Authorization", "Bearer " + token).header("Content-Type", EventCodec.CONTENT_TYPE)
                .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(bytes.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
