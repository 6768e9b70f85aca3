package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(ElasticsearchExtension.class)
class IngestServerIT {
    private static final String SECRET = "enrollment-secret-for-tests";
    private static ElasticsearchClient client;
    private static IngestServer server;
    private static URI base;
    private static HttpClient http;
    /** What the admin command is given to reach the test cluster, credentials included. */
    private static Map<String, String> adminEnv;

    @TempDir
    static Path tls;

    @BeforeAll
    static void start(TestElasticsearch es) throws Exception {
        client = ElasticsearchClients.create(new ElasticsearchSettings(es.url(), null, es.username(), es.password(), null));
        IngestConfig config = IngestConfig.fromEnvironment(Map.of(
                "FLEETREC_ENROLLMENT_SECRET", SECRET, "FLEETREC_INGEST_PORT", "0", "FLEETREC_ES_URL", es.url().toString(),
                "FLEETREC_INGEST_MAX_BATCH_BYTES", String.valueOf(1 << 20),
                "FLEETREC_INGEST_MAX_BODY_BYTES", String.valueOf(2 << 20), "FLEETREC_INGEST_MAX_LINE_BYTES", "65536",
                "FLEETREC_INGEST_TLS_DIR", tls.toString(), "FLEETREC_INGEST_AUTH_CACHE_SECONDS", "0"));
        adminEnv = new java.util.HashMap<>(Map.of("FLEETREC_ES_URL", es.url().toString()));
        if (es.hasCredentials()) {
            adminEnv.put("FLEETREC_ES_USER", es.username());
            adminEnv.put("FLEETREC_ES_PASSWORD", es.password());
        }
        server = new IngestServer(config, client);
        base = server.url("127.0.0.1");
        // Over TLS, as agents talk to it by default, trusting the certificate the server made for itself.
        http = new ServerTrust(server.certificate(), null).configure(HttpClient.newBuilder()).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (get("/readyz").statusCode() != 200) {
            if (System.nanoTime() > deadline) throw new AssertionError("never ready: " + get("/readyz").body());
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (client != null) ElasticsearchClients.close(client);
    }

    @Test
    void enrollmentNeedsTheSecret() throws Exception {
        assertEquals(403, post("/api/v1/enroll", "{\"secret\":\"wrong\",\"host\":{\"id\":\"h1\",\"name\":\"a\"}}").statusCode());
        assertEquals(400, post("/api/v1/enroll", "not json").statusCode());
        assertEquals(400, post("/api/v1/enroll", "{\"secret\":\"" + SECRET + "\",\"host\":{\"id\":\"bad id<>\",\"name\":\"a\"}}").statusCode());
        assertFalse(enroll("host-enroll", "enroll.example").path("token").asText().isEmpty());
    }

    @Test
    void secretsMadeFromTheCommandLineEnrollUntilRevoked() throws Exception {
        String created = admin("secrets", "create", "--name", "lab <b>hosts</b>");
        String id = created.lines().filter(l -> l.startsWith("id:")).findFirst().orElseThrow().substring(3).strip();
        String secret = created.lines().filter(l -> l.startsWith("secret:")).findFirst().orElseThrow().substring(7).strip();
        HttpResponse<String> enrolled = post("/api/v1/enroll", "{\"secret\":\"" + secret + "\",\"host\":{\"id\":\"h-cli\",\"name\":\"cli\"}}");
        assertEquals(200, enrolled.statusCode(), enrolled.body());
        String listed = admin("secrets", "list");
        assertTrue(listed.contains(id) && listed.contains("lab <b>hosts</b>"), listed);
        assertFalse(listed.contains(secret), "a secret is shown once, at creation");

        assertTrue(admin("secrets", "revoke", id).contains("revoked"));
        assertEquals(403, post("/api/v1/enroll", "{\"secret\":\"" + secret + "\",\"host\":{\"id\":\"h-cli2\",\"name\":\"cli\"}}").statusCode());
        assertEquals(1, AdminCommand.run(List.of("secrets", "revoke", id), adminEnv,
                new java.io.PrintStream(new ByteArrayOutputStream()), new java.io.PrintStream(new ByteArrayOutputStream())),
                "revoking twice says so");
    }

    @Test
    void aRevokedAgentIsRefusedAndItsHostCannotWriteAnyMore() throws Exception {
        JsonNode enrolled = enroll("host-revoked", "revoked.example");
        String token = enrolled.path("token").asText();
        String agentId = enrolled.path("agent_id").asText();
        byte[] body = gzip(EventCodec.toJson(event(1)) + "\n");
        assertEquals(200, bulk(token, body, EventCodec.CONTENT_TYPE, "gzip").statusCode());
        String listed = admin("agents", "list");
        assertTrue(listed.lines().anyMatch(l -> l.startsWith(agentId) && l.contains("host-revoked") && l.contains(" - ")), listed);

        admin("agents", "revoke", agentId);
        HttpResponse<String> refused = bulk(token, gzip(EventCodec.toJson(event(2)) + "\n"), EventCodec.CONTENT_TYPE, "gzip");
        assertEquals(403, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("revoked"), refused.body());
        String json = admin("agents", "list", "--json");
        JsonNode agent = null;
        for (JsonNode a : EventCodec.mapper().readTree(json)) if (a.path("agentId").asText().equals(agentId)) agent = a;
        assertTrue(agent != null && !agent.path("revoked").isNull(), json);
    }

    @Test
    void theHostDirectoryFollowsWhatAgentsSend() throws Exception {
        JsonNode enrolled = enroll("host-directory", "directory.example");
        String token = enrolled.path("token").asText();
        EventDocument health = event(1).put("event.dataset", "agent").put("event.action", "health")
                .putAll("event.category", List.of("host")).putAll("event.type", List.of("info"))
                .put("agent.version", "9.9.9").put("host.os.kernel", "6.1.0-test")
                .put("fleet.health.source_mode", "netlink").put("fleet.health.kernel_lost", 3);
        HttpResponse<String> response = bulk(token, gzip(EventCodec.toJson(health) + "\n" + EventCodec.toJson(event(2)) + "\n"),
                EventCodec.CONTENT_TYPE, "gzip");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode host = client.get(g -> g.index("fleet-hosts").id("host-directory"), JsonNode.class).source();
        assertEquals("9.9.9", host.path("agent").path("version").asText(), host.toString());
        assertEquals(enrolled.path("agent_id").asText(), host.path("agent").path("id").asText());
        assertEquals("6.1.0-test", host.path("host").path("os").path("kernel").asText());
        assertEquals("netlink", host.path("health").path("source_mode").asText());
        assertEquals(3, host.path("health").path("kernel_lost").asInt());
        assertEquals("127.0.0.1", host.path("last_address").asText());
        assertFalse(host.path("last_seen").asText().isEmpty());
    }

    @Test
    void templatesInstallPutsBackWhatIsMissingAndThenHasNothingToDo() throws Exception {
        int templates = org.fleetrec.templates.TemplateSet.componentTemplates().size()
                + org.fleetrec.templates.TemplateSet.indexTemplates().size();
        client.indices().deleteIndexTemplate(d -> d.name("fleet-deadletter"));
        try {
            assertTrue(admin("templates", "install").contains(": 1 installed, " + (templates - 1) + " up to date, 0 newer"));
            assertTrue(client.indices().existsIndexTemplate(e -> e.name("fleet-deadletter")).value());
            assertTrue(admin("templates", "install").contains(": 0 installed, " + templates + " up to date"));
        } finally {
            new org.fleetrec.templates.TemplateInstaller(client).install(); // the server's readiness needs them all
        }
    }

    private static String admin(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = AdminCommand.run(List.of(args), adminEnv, new java.io.PrintStream(out, true),
                new java.io.PrintStream(err, true));
        assertEquals(0, status, err.toString());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void bulkNeedsAValidTokenAndContentType() throws Exception {
        byte[] body = gzip(EventCodec.toJson(event(1)) + "\n");
        assertEquals(401, bulk(null, body, EventCodec.CONTENT_TYPE, "gzip").statusCode());
        assertEquals(401, bulk("made-up-token", body, EventCodec.CONTENT_TYPE, "gzip").statusCode());
        String token = enroll("host-auth", "auth.example").path("token").asText();
        assertEquals(415, bulk(token, body, "text/plain", "gzip").statusCode());
        HttpResponse<String> broken = bulk(token, "definitely not gzip".getBytes(StandardCharsets.UTF_8), EventCodec.CONTENT_TYPE, "gzip");
        assertEquals(400, broken.statusCode());
        assertTrue(broken.body().contains("gzip"), broken.body());
    }

    @Test
    void aGzipBombIsRefusedWithoutInflatingIt() throws Exception {
        String token = enroll("host-bomb", "bomb.example").path("token").asText();
        byte[] bomb = gzip(" ".repeat(8 << 20)); // 8 MiB of spaces inflates past the 1 MiB limit
        assertTrue(bomb.length < 64 * 1024);
        HttpResponse<String> response = bulk(token, bomb, EventCodec.CONTENT_TYPE, "gzip");
        assertEquals(413, response.statusCode(), response.body());
    }

    @Test
    void anImporterShipsEvidenceOfLongAgoWhichALiveAgentCannot() throws Exception {
        String live = enroll("host-live-old", "live.example").path("token").asText();
        HttpResponse<String> importer = enrollImporter("evidence-ws5");
        assertEquals(200, importer.statusCode(), importer.body());
        String imported = EventCodec.mapper().readTree(importer.body()).path("token").asText();
        String old = EventCodec.toJson(event(1).put("@timestamp", "2019-04-30T20:32:50.902Z")) + "\n";

        JsonNode refused = EventCodec.mapper().readTree(bulk(live, gzip(old), EventCodec.CONTENT_TYPE, "gzip").body());
        assertEquals(1, refused.path("rejected").asInt(), refused.toString());
        assertTrue(refused.path("errors").get(0).path("reason").asText().contains("outside the accepted window"), refused.toString());

        JsonNode stored = EventCodec.mapper().readTree(bulk(imported, gzip(old), EventCodec.CONTENT_TYPE, "gzip").body());
        assertEquals(1, stored.path("accepted").asInt(), stored.toString());
        client.indices().refresh(r -> r.index("fleet-events-*"));
        var found = client.search(s -> s.index("fleet-events-process-2019.04.30")
                .query(q -> q.term(t -> t.field("host.id").value("evidence-ws5"))), ObjectNode.class);
        assertEquals(1, found.hits().total().value(), "stored in the day it happened");
        // Importing the same machine again, from anywhere, writes under the same agent id: the event is known.
        HttpResponse<String> again = enrollImporter("evidence-ws5");
        assertEquals(EventCodec.mapper().readTree(importer.body()).path("agent_id").asText(),
                EventCodec.mapper().readTree(again.body()).path("agent_id").asText());
        String reimported = EventCodec.mapper().readTree(again.body()).path("token").asText();
        JsonNode repeated = EventCodec.mapper().readTree(bulk(reimported, gzip(old), EventCodec.CONTENT_TYPE, "gzip").body());
        assertEquals(1, repeated.path("duplicates").asInt(), repeated.toString());
        assertNotEquals(EventCodec.mapper().readTree(enrollImporter("evidence-ws6").body()).path("agent_id").asText(),
                EventCodec.mapper().readTree(again.body()).path("agent_id").asText(), "another machine, another id");
        // Not even an importer writes a time before anything could have logged it, or in the future.
        String ancient = EventCodec.toJson(event(2).put("@timestamp", "1970-01-02T00:00:00Z")) + "\n";
        // (The first token was replaced when the machine enrolled again: its successor is the one that writes.)
        assertEquals(1, EventCodec.mapper().readTree(bulk(reimported, gzip(ancient), EventCodec.CONTENT_TYPE, "gzip").body())
                .path("rejected").asInt());
        HttpResponse<String> badPurpose = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/enroll"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"secret\":\"" + SECRET + "\",\"purpose\":\"backfill\",\"host\":{\"id\":\"x\",\"name\":\"x\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, badPurpose.statusCode());
    }

    private HttpResponse<String> enrollImporter(String hostId) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve("/api/v1/enroll"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"secret\":\"" + SECRET + "\",\"purpose\":\"import\",\"host\":{\"id\":\"" + hostId
                                + "\",\"name\":\"WORKSTATION5\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aBodyOverTheLimitIsRefusedWhetherItsLengthIsDeclaredOrNot() throws Exception {
        String token = enroll("host-big", "big.example").path("token").asText();
        byte[] big = new byte[3 << 20]; // over the 2 MiB body limit before any inflating
        new java.util.Random(1).nextBytes(big);
        HttpResponse<String> declared = bulk(token, big, EventCodec.CONTENT_TYPE, "gzip");
        assertEquals(413, declared.statusCode(), declared.body());
        // Chunked, with no Content-Length: refused once the limit is crossed, never buffered past it.
        HttpRequest chunked = HttpRequest.newBuilder(base.resolve("/api/v1/events/_bulk"))
                .header("Content-Type", EventCodec.CONTENT_TYPE).header("Content-Encoding", "gzip")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build();
        try {
            HttpResponse<String> streamed = http.send(chunked, HttpResponse.BodyHandlers.ofString());
            assertEquals(413, streamed.statusCode(), streamed.body());
        } catch (java.io.IOException closedWhileSending) {
            // The server may close the connection before the client has read its 413: that too is a refusal.
        }
        // The server is unharmed and the same agent's next, normal batch is stored.
        assertEquals(200, get("/healthz").statusCode());
        HttpResponse<String> normal = bulk(token, gzip(EventCodec.toJson(event(1)) + "\n"), EventCodec.CONTENT_TYPE, "gzip");
        assertEquals(200, normal.statusCode(), normal.body());
        assertEquals(1, EventCodec.mapper().readTree(normal.body()).path("accepted").asInt(), normal.body());
    }

    @Test
    void goodDocumentsAreStoredOnceUnderTheTokensIdentityAndBadOnesAreDeadLettered() throws Exception {
        JsonNode enrolled = enroll("host-real", "real.example");
        String token = enrolled.path("token").asText();
        String agentId = enrolled.path("agent_id").asText();

        EventDocument forged = event(2).put("agent.id", "someone-else").put("host.id", "another-host");
        String batch = EventCodec.toJson(event(1)) + "\n"
                + "{not json\n"
                + EventCodec.toJson(event(3).remove("event.dataset")) + "\n"
                + EventCodec.toJson(forged) + "\n"
                + EventCodec.toJson(event(4).put("@timestamp", "1999-01-01T00:00:00Z")) + "\n"
                + EventCodec.toJson(event(5).put("process.pid", "not-a-number")) + "\n";
        HttpResponse<String> first = bulk(token, gzip(batch), EventCodec.CONTENT_TYPE, "gzip");
        assertEquals(200, first.statusCode(), first.body());
        JsonNode result = EventCodec.mapper().readTree(first.body());
        assertEquals(2, result.path("accepted").asInt(), first.body());
        assertEquals(4, result.path("rejected").asInt(), first.body());
        List<Integer> badLines = result.path("errors").findValues("line").stream().map(JsonNode::asInt).toList();
        assertEquals(List.of(2, 3, 5, 6), badLines);
        assertTrue(first.body().contains("event.dataset"), first.body());
        assertTrue(first.body().contains("mapper_parsing_exception") || first.body().contains("document_parsing_exception"), first.body());

        // The same batch again, as after a timeout: nothing is stored twice.
        HttpResponse<String> retry = bulk(token, gzip(batch), EventCodec.CONTENT_TYPE, "gzip");
        JsonNode again = EventCodec.mapper().readTree(retry.body());
        assertEquals(0, again.path("accepted").asInt(), retry.body());
        assertEquals(2, again.path("duplicates").asInt(), retry.body());

        client.indices().refresh(r -> r.index("fleet-*"));
        var stored = client.search(s -> s.index("fleet-events-*")
                .query(q -> q.term(t -> t.field("host.id").value("host-real"))), ObjectNode.class);
        assertEquals(2, stored.hits().total().value());
        for (var hit : stored.hits().hits()) {
            assertEquals(agentId, hit.source().path("agent").path("id").asText(), "agent.id must come from the token");
            assertEquals("host-real", hit.source().path("host").path("id").asText());
            assertEquals(agentId + ":" + hit.source().path("event").path("sequence").asLong(), hit.id());
            assertTrue(hit.index().startsWith("fleet-events-process-"), hit.index());
        }
        var forgedHost = client.count(c -> c.index("fleet-events-*").query(q -> q.term(t -> t.field("host.id").value("another-host"))));
        assertEquals(0, forgedHost.count());
        var dead = client.search(s -> s.index("fleet-deadletter-*")
                .query(q -> q.term(t -> t.field("host_id").value("host-real"))), ObjectNode.class);
        assertEquals(8, dead.hits().total().value(), "four rejected lines, sent twice, all kept with reasons");
        assertTrue(dead.hits().hits().stream().anyMatch(h -> h.source().path("raw").asText().equals("{not json")));
    }

    @Test
    void withElasticsearchUnreachableBatchesArePushedBackNotAcknowledged() throws Exception {
        int deadPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            deadPort = socket.getLocalPort(); // closed again: nothing listens there
        }
        ElasticsearchClient dead = ElasticsearchClients.create(ElasticsearchSettings.of("http://127.0.0.1:" + deadPort));
        IngestServer cutOff = new IngestServer(IngestConfig.fromEnvironment(Map.of(
                "FLEETREC_ENROLLMENT_SECRET", SECRET, "FLEETREC_INGEST_PORT", "0", "FLEETREC_INGEST_TLS", "off")), dead);
        try {
            URI url = cutOff.url("127.0.0.1").resolve("/api/v1/events/_bulk");
            assertEquals("http", url.getScheme(), "plain HTTP when TLS is turned off");
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(url)
                    .header("Content-Type", EventCodec.CONTENT_TYPE).header("Content-Encoding", "gzip")
                    .header("Authorization", "Bearer any").POST(HttpRequest.BodyPublishers.ofByteArray(
                            gzip(EventCodec.toJson(event(1)) + "\n"))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, response.statusCode(), response.body());
            assertTrue(response.headers().firstValue("Retry-After").isPresent(), "the agent is told when to retry");
            assertEquals(503, get(url.resolve("/readyz"), null).statusCode());
        } finally {
            cutOff.close();
            ElasticsearchClients.close(dead);
        }
    }

    private static HttpResponse<String> get(URI url, String ignored) throws Exception {
        return http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static EventDocument event(long sequence) {
        return EventDocument.create()
                .put("@timestamp", Instant.now().toString())
                .put("event.dataset", "process").put("event.action", "executed")
                .putAll("event.category", List.of("process")).putAll("event.type", List.of("start"))
                .put("event.sequence", sequence)
                .put("host.name", "claimed-name").put("process.pid", 100 + sequence)
                .put("process.command_line", "/bin/sh -c '<script>alert(1)</script>'");
    }

    private static JsonNode enroll(String hostId, String hostName) throws Exception {
        HttpResponse<String> response = post("/api/v1/enroll",
                "{\"secret\":\"" + SECRET + "\",\"host\":{\"id\":\"" + hostId + "\",\"name\":\"" + hostName + "\"}}");
        assertEquals(200, response.statusCode(), response.body());
        return EventCodec.mapper().readTree(response.body());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> bulk(String token, byte[] body, String contentType, String encoding) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/api/v1/events/_bulk"))
                .header("Content-Type", contentType).header("Content-Encoding", encoding)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) request.header("Authorization", "Bearer " + token);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] gzip(String text) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
