package org.fleetrec.web;

import co.elastic.clients.elasticsearch.core.SearchResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.fleetrec.web.WebTestHarness.enc;
import static org.fleetrec.web.WebTestHarness.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(ElasticsearchExtension.class)
class AuditTrailIT {
    private static final String HOSTILE_QUERY = "process.command_line:\"<script>alert(1)</script>\" OR process.name:bash";
    private static WebTestHarness harness;

    @BeforeAll
    static void start(TestElasticsearch es) throws Exception {
        harness = new WebTestHarness(es);
        Instant now = Instant.now();
        List<Map.Entry<String, Map.Entry<String, ObjectNode>>> docs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ObjectNode doc = parse("""
                    {"@timestamp":"%s","event":{"dataset":"process","action":"exec","sequence":%d},"host":{"id":"h-1","name":"web-a"},
                     "agent":{"id":"ag-1","version":"0.1.0"},"process":{"pid":%d,"name":"bash","executable":"/usr/bin/bash"}}"""
                    .formatted(now.minusSeconds(60 + i), i, 100 + i));
            docs.add(Map.entry(IndexNames.events(Dataset.PROCESS, now), Map.entry("ag-1:" + i, doc)));
        }
        docs.add(Map.entry(IndexNames.HOSTS, Map.entry("h-1", parse("{\"host\":{\"id\":\"h-1\",\"name\":\"web-a\"}}"))));
        harness.bulk(docs);

        // What the viewer does, in order; each call leaves one record.
        assertEquals(3, harness.json("/api/v1/search?q=" + enc(HOSTILE_QUERY) + "&from=now-1h").path("total").asInt());
        assertEquals(200, harness.get("/api/v1/search/export?format=csv&q=process.name:bash", harness.viewerToken).statusCode());
        assertEquals(1, harness.json("/api/v1/hosts?q=web").path("hosts").size());
        harness.json("/api/v1/hosts/h-1");
        assertEquals(400, harness.get("/api/v1/search?q=" + enc("process.pid:[1 TO"), harness.viewerToken).statusCode());
        assertEquals(403, harness.get("/api/v1/audit", harness.viewerToken).statusCode());
        awaitRecords(6);
    }

    @AfterAll
    static void stop() {
        if (harness != null) harness.close();
    }

    /** Records are written without waiting: poll until they are searchable. */
    private static Map<String, JsonNode> awaitRecords(int count) throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (true) {
            harness.client.indices().refresh(r -> r.index(IndexNames.AUDIT).ignoreUnavailable(true).allowNoIndices(true));
            SearchResponse<ObjectNode> found = harness.client.search(s -> s.index(IndexNames.AUDIT).size(100)
                    .ignoreUnavailable(true).allowNoIndices(true), ObjectNode.class);
            if (found.hits().hits().size() >= count) {
                Map<String, JsonNode> byActionAndOutcome = new HashMap<>();
                found.hits().hits().forEach(h -> byActionAndOutcome.put(
                        h.source().path("action").asText() + "/" + h.source().path("outcome").asText(), h.source()));
                return byActionAndOutcome;
            }
            assertTrue(System.nanoTime() < deadline, "only " + found.hits().hits().size() + " audit records");
            Thread.sleep(200);
        }
    }

    @Test
    void everyCallIsRecordedWithWhoWhatAndHowMany() throws Exception {
        Map<String, JsonNode> records = awaitRecords(6);
        JsonNode search = records.get("search/success");
        assertEquals("token:viewer-test", search.path("principal").path("name").asText());
        assertEquals(Principal.VIEWER, search.path("principal").path("role").asText());
        assertEquals(HOSTILE_QUERY, search.path("parameters").path("q").asText(), "parameters as given, verbatim");
        assertEquals("now-1h", search.path("parameters").path("from").asText());
        assertEquals(3, search.path("result_count").asInt());
        assertEquals("127.0.0.1", search.path("remote_address").asText());
        assertFalse(search.path("@timestamp").asText().isEmpty());

        JsonNode export = records.get("export/success");
        assertEquals("csv", export.path("parameters").path("format").asText());
        assertEquals(3, export.path("result_count").asInt(), "rows written");
        assertEquals(1, records.get("hosts/success").path("result_count").asInt());
        assertEquals("h-1", records.get("host/success").path("parameters").path("host_id").asText());

        JsonNode failed = records.get("search/failure");
        assertEquals(-1, failed.path("result_count").asInt());
        assertEquals("process.pid:[1 TO", failed.path("parameters").path("q").asText());
        assertEquals("token:viewer-test", records.get("audit/failure").path("principal").path("name").asText(),
                "a refused look at the audit trail is recorded too");
    }

    /** A parameter that looks like a date once must not make its later non-date values unstorable. */
    @Test
    void aParameterIsKeptWhateverItLooksLike() throws Exception {
        // "to" is met first here as a date (the other calls of this class never send it).
        String iso = Instant.now().plusSeconds(60).toString();
        harness.json("/api/v1/search?q=" + enc("process.name:dateish") + "&to=" + enc(iso));
        harness.json("/api/v1/search?q=" + enc("process.name:dateish") + "&to=now");
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (true) {
            harness.client.indices().refresh(r -> r.index(IndexNames.AUDIT));
            List<String> froms = harness.client.search(s -> s.index(IndexNames.AUDIT).size(100)
                            .query(q -> q.term(t -> t.field("parameters.q").value("process.name:dateish"))), ObjectNode.class)
                    .hits().hits().stream().map(h -> h.source().path("parameters").path("to").asText()).toList();
            if (froms.size() == 2) {
                assertTrue(froms.contains(iso) && froms.contains("now"), froms.toString());
                return;
            }
            assertTrue(System.nanoTime() < deadline, "audit records of the two searches: " + froms);
            Thread.sleep(200);
        }
    }

    @Test
    void onlyAdminsReadTheTrail() throws Exception {
        HttpResponse<String> refused = harness.get("/api/v1/audit", harness.viewerToken);
        assertEquals(403, refused.statusCode());
        assertTrue(refused.body().contains("admins"), refused.body());
        assertEquals(401, harness.get("/api/v1/audit", null).statusCode());

        JsonNode all = harness.json("/api/v1/audit?principal=" + enc("token:viewer-test"), harness.adminToken);
        assertTrue(all.path("total").asInt() >= 6, all.toString());
        String previous = null;
        for (JsonNode hit : all.path("hits")) {
            assertEquals("token:viewer-test", hit.path("principal").path("name").asText());
            String time = hit.path("@timestamp").asText();
            if (previous != null) assertTrue(time.compareTo(previous) <= 0, "newest first");
            previous = time;
        }
        assertEquals("search", harness.json("/api/v1/audit?action=search&size=1&principal=" + enc("token:viewer-test"),
                harness.adminToken).path("hits").get(0).path("action").asText());

        JsonNode first = harness.json("/api/v1/audit?size=1&principal=" + enc("token:viewer-test"), harness.adminToken);
        assertEquals(1, first.path("hits").size());
        String next = first.path("next").asText();
        assertFalse(next.isEmpty(), "more records follow");
        JsonNode second = harness.json("/api/v1/audit?size=1&principal=" + enc("token:viewer-test") + "&search_after=" + next,
                harness.adminToken);
        assertNotEquals(first.path("hits").get(0).path("id"), second.path("hits").get(0).path("id"));
        assertEquals(400, harness.get("/api/v1/audit?search_after=junk", harness.adminToken).statusCode());

        String session = harness.adminSession();
        HttpResponse<String> bySession = harness.getWithCookie("/api/v1/audit?size=5", session);
        assertEquals(200, bySession.statusCode());
        assertEquals(5, EventCodec.mapper().readTree(bySession.body()).path("hits").size());
    }
}
