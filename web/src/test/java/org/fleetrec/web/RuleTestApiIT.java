package org.fleetrec.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.detection.alert.Alert;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.fleetrec.web.WebTestHarness.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /api/v1/rules/test} on a real Elasticsearch: a rule tried on given events, a rule hunted
 * over stored events (range, host, limits), and what is refused and why. Host web-a ran arp -a twice
 * in one process a day ago and once in another two days ago; web-b ran it an hour ago; curl matches nothing.
 */
@ExtendWith(ElasticsearchExtension.class)
class RuleTestApiIT {
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final String ARP = """
            title: Remote system discovery
            id: 5b0a3f0e-1d55-4c40-a3f4-2a1d7c0e9b11
            logsource:
              product: linux
              category: process_creation
            detection:
              selection:
                Image|endswith: /arp
                CommandLine|contains: ' -a'
              condition: selection
            level: low
            tags: [attack.discovery, attack.t1018]
            """;
    private static final String FIELDREF = """
            title: child repeats its parent
            id: 5b0a3f0e-1d55-4c40-a3f4-2a1d7c0e9b12
            logsource: {product: linux, category: process_creation}
            detection:
              selection:
                CommandLine|fieldref: ParentCommandLine
              condition: selection
            """;
    /** Two runs of one process 30 s apart in one grouping window, a day and an hour ago. */
    private static final Instant T1 = Alert.windowStart(NOW.minus(Duration.ofHours(25)), Duration.ofMinutes(10)).plusSeconds(60);
    private static final Instant T2 = T1.plusSeconds(30);
    private static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static WebTestHarness harness;

    @BeforeAll
    static void start(TestElasticsearch es) throws Exception {
        harness = new WebTestHarness(es);
        List<Map.Entry<String, Map.Entry<String, ObjectNode>>> docs = new ArrayList<>();
        docs.add(exec("1", T1, "h-a", "web-a", "e-arp-1", "/usr/sbin/arp", "arp -a"));
        docs.add(exec("2", T2, "h-a", "web-a", "e-arp-1", "/usr/sbin/arp", "arp -a -n"));
        docs.add(exec("3", ago(Duration.ofHours(48)), "h-a", "web-a", "e-arp-2", "/usr/sbin/arp", "arp -a"));
        docs.add(exec("4", ago(Duration.ofHours(1)), "h-b", "web-b", "e-arp-3", "/usr/sbin/arp", "arp -an"));
        docs.add(exec("5", ago(Duration.ofHours(2)), "h-b", "web-b", "e-curl", "/usr/bin/curl", "curl -a https://example.org"));
        harness.bulk(docs);
    }

    @AfterAll
    static void stop() {
        if (harness != null) harness.close();
    }

    private static Instant ago(Duration d) {
        return NOW.minus(d);
    }

    static Map.Entry<String, Map.Entry<String, ObjectNode>> exec(String id, Instant time, String hostId, String hostName, String entity,
                                                                 String executable, String commandLine) {
        ObjectNode doc = parse("""
                {"@timestamp":"%s","event":{"kind":"event","dataset":"process","action":"executed","category":["process"],"type":["start"],
                 "outcome":"success","sequence":%s},"host":{"id":"%s","name":"%s","os":{"type":"linux"}},"agent":{"id":"ag","version":"0.1.0"},
                 "process":{"pid":4242,"entity_id":"%s","executable":"%s","name":"%s"},"user":{"id":"0","name":"root"}}"""
                .formatted(time, id, hostId, hostName, entity, executable, executable.substring(executable.lastIndexOf('/') + 1)));
        ((ObjectNode) doc.get("process")).put("command_line", commandLine);
        ArrayNode args = ((ObjectNode) doc.get("process")).putArray("args");
        for (String arg : commandLine.split(" ")) args.add(arg);
        return Map.entry(IndexNames.events(Dataset.PROCESS, time), Map.entry("ag:" + id, doc));
    }

    static HttpResponse<String> post(String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(harness.base.resolve("/api/v1/rules/test"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) request.header("Authorization", "Bearer " + token);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(ObjectNode body) throws Exception {
        HttpResponse<String> response = post(body.toString(), harness.viewerToken);
        assertEquals(200, response.statusCode(), response.body());
        return EventCodec.mapper().readTree(response.body());
    }

    /** The reason of a 400. */
    private static String refused(String body) throws Exception {
        HttpResponse<String> response = post(body, harness.viewerToken);
        assertEquals(400, response.statusCode(), body + " → " + response.body());
        return EventCodec.mapper().readTree(response.body()).path("error").path("reason").asText();
    }

    private static ObjectNode hunt(String rule) {
        return EventCodec.mapper().createObjectNode().put("rule", rule);
    }

    @Test
    void aHuntListsAlertShapedResultsWithCounts() throws Exception {
        JsonNode body = ok(hunt(ARP).put("from", "now-3d"));
        assertEquals("range", body.path("mode").asText());
        assertEquals("Remote system discovery", body.at("/rule/title").asText());
        assertTrue(body.at("/translation/huntable").asBoolean() && body.at("/translation/exact").asBoolean(), body.toString());
        assertEquals(4, body.path("query_hits").asLong());
        assertEquals(4, body.path("scanned").asLong());
        assertEquals(4, body.path("confirmed").asLong());
        assertFalse(body.path("truncated").asBoolean());
        JsonNode results = body.path("results");
        assertEquals(3, results.size(), "two runs of one process make one alert: " + results);
        // newest first, as alerts are listed
        assertEquals(List.of("e-arp-3", "e-arp-1", "e-arp-2"), List.of(results.get(0).at("/process/entity_id").asText(),
                results.get(1).at("/process/entity_id").asText(), results.get(2).at("/process/entity_id").asText()));
        JsonNode grouped = results.get(1);
        assertEquals(2, grouped.at("/fleet/alert/count").asLong());
        assertEquals(List.of("ag:1", "ag:2"), List.of(grouped.at("/fleet/alert/event/ids/0").asText(), grouped.at("/fleet/alert/event/ids/1").asText()));
        assertEquals(T1.toString(), grouped.at("/@timestamp").asText());
        assertEquals(T2.toString(), grouped.at("/fleet/alert/last_seen").asText());
        assertEquals("arp -a", grouped.at("/process/command_line").asText());
        assertEquals("web-a", grouped.at("/host/name").asText());
        assertEquals("root", grouped.at("/user/name").asText());
        assertEquals("low", grouped.at("/rule/level").asText());
        assertEquals("open", grouped.at("/fleet/alert/status").asText());
        assertEquals("T1018", grouped.at("/threat/technique/id/0").asText());
        assertEquals(32, grouped.at("/fleet/alert/id").asText().length());
        assertEquals(Dataset.PROCESS.id(), grouped.at("/fleet/alert/event/dataset").asText());
    }

    @Test
    void aCatalogueRuleIsHuntedByItsId() throws Exception {
        String id = "5f0c7a52-1b8e-4d0e-9a57-" + Long.toHexString(System.nanoTime() & 0xffffffffffffL);
        String yaml = ARP.replaceFirst("(?m)^id: .*$", "id: " + id);
        new org.fleetrec.detection.rules.RuleCatalog(harness.client).add(yaml, "admin");
        JsonNode byId = ok(EventCodec.mapper().createObjectNode().put("id", id).put("from", "now-3d"));
        JsonNode byText = ok(hunt(ARP).put("from", "now-3d"));
        assertEquals(byText.path("confirmed").asLong(), byId.path("confirmed").asLong(), byId.toString());
        assertEquals(byText.path("results").size(), byId.path("results").size());
        assertEquals(404, post(EventCodec.mapper().createObjectNode().put("id", "no-such-rule").toString(), harness.viewerToken).statusCode());
        assertTrue(refused(hunt(ARP).put("id", id).toString()).contains("not both"));
    }

    @Test
    void theRangeHostAndLimitsNarrowTheHunt() throws Exception {
        assertEquals(1, ok(hunt(ARP)).path("results").size(), "the last 24 hours by default: only web-b's run");
        JsonNode between = ok(hunt(ARP).put("from", ago(Duration.ofHours(50)).toString()).put("to", ago(Duration.ofHours(47)).toString()));
        assertEquals(1, between.path("confirmed").asLong());
        assertEquals("e-arp-2", between.at("/results/0/process/entity_id").asText());
        assertEquals(ago(Duration.ofHours(50)).toString(), between.path("from").asText());

        JsonNode onA = ok(hunt(ARP).put("from", "now-3d").put("host", "web-a"));
        assertEquals(3, onA.path("confirmed").asLong());
        assertEquals(2, onA.path("results").size());
        assertEquals(1, ok(hunt(ARP).put("from", "now-3d").put("host", "h-b")).path("results").size(), "by host id too");

        JsonNode cut = ok(hunt(ARP).put("from", "now-3d").put("max_events", 2));
        assertTrue(cut.path("truncated").asBoolean());
        assertEquals("max_events", cut.path("truncated_reason").asText());
        assertEquals(2, cut.path("scanned").asLong());
        assertEquals(4, cut.path("query_hits").asLong());
        assertEquals(T1.toString(), cut.path("scanned_until").asText(), "the oldest are read first");
        assertTrue(cut.path("truncated_description").asText().contains("most events"), cut.toString());
        JsonNode few = ok(hunt(ARP).put("from", "now-3d").put("max_results", 1));
        assertEquals("max_results", few.path("truncated_reason").asText());
        assertEquals(1, few.path("results").size());
    }

    @Test
    void eventsGivenInTheBodyAreTriedOneByOne() throws Exception {
        ObjectNode request = hunt(FIELDREF.replace("fieldref: ParentCommandLine", "endswith: ' -a'"));
        ArrayNode events = request.putArray("events");
        events.add(harnessDoc("/usr/sbin/arp", "arp -a"));
        events.add(harnessDoc("/usr/bin/curl", "curl -a"));
        events.add(42);
        events.add(parse("{\"host.os.type\": \"linux\", \"process.command_line\": \"arp -a\"}"));
        JsonNode body = ok(request);
        assertEquals("events", body.path("mode").asText());
        assertEquals(2, body.path("matched").asLong(), body.toString());
        JsonNode results = body.path("results");
        assertEquals(4, results.size());
        assertTrue(results.get(0).path("matched").asBoolean());
        assertTrue(results.get(1).path("matched").asBoolean(), "any command line ending in -a");
        assertFalse(results.get(2).path("matched").asBoolean());
        assertEquals("not a JSON object", results.get(2).path("note").asText());
        assertFalse(results.get(3).path("matched").asBoolean());
        assertTrue(results.get(3).path("note").asText().contains("dots"), results.get(3).toString());
        assertEquals(3, results.get(3).path("index").asInt());

        // a rule with no query form can still be tried on events, and says it cannot be hunted
        ObjectNode fieldref = hunt(FIELDREF);
        ObjectNode same = harnessDoc("/bin/sh", "sh -c x");
        ((ObjectNode) same.get("process")).putObject("parent").put("command_line", "sh -c x");
        fieldref.putArray("events").add(same).add(harnessDoc("/bin/sh", "sh"));
        JsonNode tried = ok(fieldref);
        assertFalse(tried.at("/translation/huntable").asBoolean());
        assertTrue(tried.at("/translation/reason").asText().contains("fieldref"));
        assertTrue(tried.at("/results/0/matched").asBoolean());
        assertFalse(tried.at("/results/1/matched").asBoolean());
    }

    private static ObjectNode harnessDoc(String executable, String commandLine) {
        return exec("0", NOW, "h-x", "x", "e-x", executable, commandLine).getValue().getValue();
    }

    @Test
    void whatCannotBeTestedIsRefusedWithTheReason() throws Exception {
        assertTrue(refused(hunt("title: [unclosed").toString()).startsWith("the rule was refused (invalid)"));
        assertTrue(refused(hunt(ARP.replace("product: linux", "product: aix")).toString()).contains("aix"));
        String untranslatable = refused(hunt(FIELDREF).put("from", "now-3d").toString());
        assertTrue(untranslatable.contains("cannot be run over stored events") && untranslatable.contains("fieldref"), untranslatable);
        assertTrue(refused(hunt(ARP).put("from", "now-100d").toString()).contains("90 days"));
        assertTrue(refused(hunt(ARP).put("from", "now-1d").put("to", "now-2d").toString()).contains("before"));
        assertTrue(refused(hunt(ARP).put("from", "yesterday-ish").toString()).contains("from"));
        assertTrue(refused(hunt(ARP).put("from", "x".repeat(65)).toString()).contains("64"));
        assertTrue(refused("{\"events\": []}").contains("no rule"));
        ObjectNode both = hunt(ARP).put("from", "now-1d");
        both.putArray("events");
        assertTrue(refused(both.toString()).contains("not both"));
        assertTrue(refused(hunt(ARP).put("form", "now-1d").toString()).contains("unknown fields [form]"));
        assertTrue(refused(hunt(ARP).put("events", "x").toString()).contains("list"));
        assertTrue(refused(hunt(ARP).put("max_events", 0).toString()).contains("max_events"));
        assertTrue(refused(hunt(ARP).put("max_events", 2_000_000).toString()).contains("1000000"));
        assertTrue(refused(hunt(ARP).put("max_results", "ten").toString()).contains("max_results"));
        assertTrue(refused(EventCodec.mapper().createObjectNode().put("rule", 7).toString()).contains("string"));
        ObjectNode many = hunt(ARP);
        ArrayNode events = many.putArray("events");
        for (int i = 0; i <= 1000; i++) events.addObject();
        assertTrue(refused(many.toString()).contains("at most 1000"));
        assertTrue(refused("{\"rule\": ").contains("not JSON"));
        assertTrue(refused("[1]").contains("object"));
        assertTrue(refused("[".repeat(100_000)).contains("not JSON"));
        assertEquals(413, post("{\"rule\": \"" + "x".repeat(RuleTestApi.MAX_BODY_BYTES) + "\"}", harness.viewerToken).statusCode());
    }

    @Test
    void testingRulesNeedsASignedInUserOfAnyRole() throws Exception {
        String body = hunt(ARP).put("from", "now-3d").toString();
        assertEquals(401, post(body, null).statusCode());
        assertEquals(401, post(body, "not-a-token").statusCode());
        assertEquals(200, post(body, harness.viewerToken).statusCode());
        assertEquals(200, post(body, harness.adminToken).statusCode());

        String session = harness.adminSession();
        HttpRequest.Builder withSession = HttpRequest.newBuilder(harness.base.resolve("/api/v1/rules/test"))
                .header("Content-Type", "application/json").header("Cookie", session).POST(HttpRequest.BodyPublishers.ofString(body));
        assertEquals(403, http.send(withSession.build(), HttpResponse.BodyHandlers.ofString()).statusCode(), "a session needs the page's token");
        String token = SignIn.pageToken(http, harness.base, session);
        assertEquals(200, http.send(withSession.header(WebApp.CSRF_HEADER, token).build(), HttpResponse.BodyHandlers.ofString()).statusCode());

        HttpResponse<String> page = harness.get("/hunt", null);
        assertEquals(302, page.statusCode());
        assertEquals("/login", page.headers().firstValue("Location").orElse(""));
        HttpResponse<String> shown = harness.getWithCookie("/hunt", session);
        assertEquals(200, shown.statusCode());
        assertTrue(shown.body().contains("id=\"hunt-rule\"") && shown.body().contains("href=\"/hunt\" aria-current=\"page\""));
        assertTrue(harness.getWithCookie("/", session).body().contains("href=\"/hunt\""), "every page links to the hunt");
    }
}
