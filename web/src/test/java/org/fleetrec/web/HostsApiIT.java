package org.fleetrec.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.Dataset;
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
import java.util.List;
import java.util.Map;

import static org.fleetrec.web.WebTestHarness.enc;
import static org.fleetrec.web.WebTestHarness.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(ElasticsearchExtension.class)
class HostsApiIT {
    private static final String HOSTILE_NAME = "<img src=x onerror=alert(1)>";
    private static final String SCRIPT = "<script>alert(1)</script>";
    private static WebTestHarness harness;
    private static Instant now;
    private static int sequence;

    @BeforeAll
    static void start(TestElasticsearch es) throws Exception {
        harness = new WebTestHarness(es);
        now = Instant.now();
        List<Map.Entry<String, Map.Entry<String, ObjectNode>>> docs = new ArrayList<>();
        docs.add(host("h-web", """
                {"host":{"id":"h-web","name":"web-a","hostname":"web-a.example.org","ip":["10.0.0.5"],
                  "os":{"name":"Debian","kernel":"6.1.0","type":"linux"}},
                 "agent":{"id":"ag-web","version":"0.1.0","type":"fleetrec"},"last_seen":"%s","last_address":"10.0.0.5",
                 "health":{"source_mode":"netlink-multicast","kernel_lost":3,"queue_drops":0,"sequence_gaps":1,"backlog":12},
                 "health_time":"%s"}""".formatted(now.minusSeconds(30), now.minusSeconds(60))));
        docs.add(host("h-db", """
                {"host":{"id":"h-db","name":"db-b","hostname":"db-b.internal"},"agent":{"id":"ag-db","version":"0.1.1"},
                 "last_seen":"%s","last_address":"10.0.0.6"}""".formatted(now.minusSeconds(120))));
        ObjectNode idle = parse("""
                {"host":{"id":"h-idle","hostname":"idle.example.org"},"agent":{"id":"ag-idle","version":"0.1.0"},"last_seen":"%s"}"""
                .formatted(now.minusSeconds(3 * 86_400)));
        ((ObjectNode) idle.path("host")).put("name", HOSTILE_NAME);
        docs.add(Map.entry(IndexNames.HOSTS, Map.entry("h-idle", idle)));

        // h-web: 9 events in the last hour, 14 in the last day, 2 older.
        for (int i = 0; i < 3; i++) docs.add(process("h-web", 600 + i, "/usr/bin/bash", "root", "bash -l"));
        for (int i = 0; i < 3; i++) docs.add(process("h-web", 5 * 3600 + i, "/usr/bin/bash", "root", "bash -l"));
        for (int i = 0; i < 2; i++) docs.add(process("h-web", 1200 + i, "/usr/bin/curl", "alice", "curl http://example.org/"));
        docs.add(process("h-web", 1800, "/tmp/.x/miner", "www-data", SCRIPT));
        for (int i = 0; i < 3; i++) docs.add(connection("h-web", 900 + i, "10.0.0.9", 443));
        docs.add(connection("h-web", 7200, "8.8.8.8", 53));
        docs.add(connection("h-web", 7201, "10.0.0.9", 8443));
        for (int i = 0; i < 2; i++) docs.add(process("h-web", 30 * 3600 + i, "/usr/bin/bash", "root", "bash -l"));
        // h-db: 7 events in the last day, none in the last hour.
        for (int i = 0; i < 2; i++) docs.add(process("h-db", 7200 + i, "/usr/bin/bash", "root", "bash"));
        docs.add(process("h-db", 3 * 3600, "/usr/bin/curl", "backup", "curl -T dump"));
        for (int i = 0; i < 4; i++) docs.add(process("h-db", 7300 + i, "/usr/sbin/postgres", "postgres", "postgres -D /var/lib/pg"));
        // A host that sends events but has no directory entry (yet).
        docs.add(process("h-ghost", 100, "/usr/bin/bash", "root", "bash"));
        harness.bulk(docs);
    }

    @AfterAll
    static void stop() {
        if (harness != null) harness.close();
    }

    private static Map.Entry<String, Map.Entry<String, ObjectNode>> host(String id, String json) {
        return Map.entry(IndexNames.HOSTS, Map.entry(id, parse(json)));
    }

    private static Map.Entry<String, Map.Entry<String, ObjectNode>> process(String hostId, long secondsAgo, String executable,
                                                                             String user, String commandLine) {
        Instant time = now.minusSeconds(secondsAgo);
        int n = ++sequence;
        ObjectNode doc = parse("""
                {"@timestamp":"%s","event":{"dataset":"process","action":"exec","category":["process"],"type":["start"],"sequence":%d},
                 "host":{"id":"%s","name":"%s"},"agent":{"id":"ag-%s","version":"0.1.0"},
                 "process":{"entity_id":"e%d","pid":%d,"executable":"%s","name":"%s"},"user":{"name":"%s"}}"""
                .formatted(time, n, hostId, hostId, hostId, n, 1000 + n, executable,
                        executable.substring(executable.lastIndexOf('/') + 1), user));
        ((ObjectNode) doc.path("process")).put("command_line", commandLine);
        return Map.entry(IndexNames.events(Dataset.PROCESS, time), Map.entry("ag-" + hostId + ":" + n, doc));
    }

    /** A connection from curl: its process fields must not count as an execution. */
    private static Map.Entry<String, Map.Entry<String, ObjectNode>> connection(String hostId, long secondsAgo, String ip, int port) {
        Instant time = now.minusSeconds(secondsAgo);
        int n = ++sequence;
        ObjectNode doc = parse("""
                {"@timestamp":"%s","event":{"dataset":"network","action":"connect","category":["network"],"type":["connection"],"sequence":%d},
                 "host":{"id":"%s","name":"%s"},"agent":{"id":"ag-%s","version":"0.1.0"},
                 "process":{"entity_id":"c%d","pid":77,"executable":"/usr/bin/curl","name":"curl"},"user":{"name":"root"},
                 "source":{"ip":"10.0.0.5","port":%d},"destination":{"ip":"%s","port":%d},
                 "network":{"transport":"tcp","direction":"egress"}}"""
                .formatted(time, n, hostId, hostId, hostId, n, 40000 + n, ip, port));
        return Map.entry(IndexNames.events(Dataset.NETWORK, time), Map.entry("ag-" + hostId + ":" + n, doc));
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.path("hosts").forEach(h -> ids.add(h.path("host").path("id").asText()));
        return ids;
    }

    @Test
    void listsEveryHostWithItsEventRates() throws Exception {
        JsonNode list = harness.json("/api/v1/hosts");
        assertEquals(3, list.path("total").asInt());
        assertEquals(List.of("h-idle", "h-db", "h-web"), ids(list), "by name: '<' sorts before letters");
        JsonNode web = list.path("hosts").get(2);
        assertEquals(9, web.path("events").path("last_hour").asInt());
        assertEquals(14, web.path("events").path("last_24h").asInt());
        assertEquals(3, web.path("health").path("kernel_lost").asInt());
        assertEquals("web-a.example.org", web.path("host").path("hostname").asText());
        assertEquals("0.1.0", web.path("agent").path("version").asText());
        assertEquals("10.0.0.5", web.path("last_address").asText());
        JsonNode db = list.path("hosts").get(1);
        assertEquals(0, db.path("events").path("last_hour").asInt());
        assertEquals(7, db.path("events").path("last_24h").asInt());
        assertEquals(HOSTILE_NAME, list.path("hosts").get(0).path("host").path("name").asText(), "verbatim: escaping is the page's job");
        assertEquals(0, list.path("hosts").get(0).path("events").path("last_24h").asInt());

        assertEquals(List.of("h-web", "h-db", "h-idle"), ids(harness.json("/api/v1/hosts?sort=events_last_24h:desc")));
        assertEquals(List.of("h-web", "h-db", "h-idle"), ids(harness.json("/api/v1/hosts?sort=last_seen:desc")));
        assertEquals(List.of("h-web"), ids(harness.json("/api/v1/hosts?q=WEB")));
        assertEquals(List.of("h-idle", "h-web"), ids(harness.json("/api/v1/hosts?q=example.ORG")));
        assertEquals(List.of(), ids(harness.json("/api/v1/hosts?q=" + enc("*"))), "q is literal text, not a pattern");
        assertEquals(400, harness.get("/api/v1/hosts?sort=password:asc", harness.viewerToken).statusCode());
        assertEquals(401, harness.get("/api/v1/hosts", null).statusCode());
    }

    @Test
    void hostDetailAggregatesItsActivity() throws Exception {
        JsonNode web = harness.json("/api/v1/hosts/h-web");
        assertEquals("h-web", web.path("id").asText());
        assertEquals("web-a", web.path("host").path("host").path("name").asText());
        assertEquals(14, web.path("total").asInt());
        assertEquals("30m", web.path("window").path("interval").asText());

        JsonNode timeline = web.path("timeline");
        assertEquals(List.of("network", "process"), texts(timeline.path("datasets")));
        assertTrue(timeline.path("buckets").size() >= 48, "empty buckets are kept: " + timeline.path("buckets").size());
        long total = 0, process = 0, network = 0;
        for (JsonNode bucket : timeline.path("buckets")) {
            total += bucket.path("total").asLong();
            process += bucket.path("datasets").path("process").asLong();
            network += bucket.path("datasets").path("network").asLong();
        }
        assertEquals(List.of(14L, 9L, 5L), List.of(total, process, network));

        assertEquals("[{\"executable\":\"/usr/bin/bash\",\"count\":6},{\"executable\":\"/usr/bin/curl\",\"count\":2},"
                + "{\"executable\":\"/tmp/.x/miner\",\"count\":1}]", web.path("top_executables").toString());
        assertEquals("[{\"ip\":\"10.0.0.9\",\"port\":443,\"count\":3},{\"ip\":\"10.0.0.9\",\"port\":8443,\"count\":1},"
                + "{\"ip\":\"8.8.8.8\",\"port\":53,\"count\":1}]", web.path("top_destinations").toString());
        assertEquals("[{\"user\":\"root\",\"count\":11},{\"user\":\"alice\",\"count\":2},{\"user\":\"www-data\",\"count\":1}]",
                web.path("top_users").toString());

        JsonNode narrow = harness.json("/api/v1/hosts/h-web?from=now-1h");
        assertEquals(9, narrow.path("total").asInt());
        assertEquals("1m", narrow.path("window").path("interval").asText());

        JsonNode idle = harness.json("/api/v1/hosts/h-idle");
        assertEquals(0, idle.path("total").asInt());
        assertEquals(HOSTILE_NAME, idle.path("host").path("host").path("name").asText());
        JsonNode ghost = harness.json("/api/v1/hosts/h-ghost");
        assertTrue(ghost.path("host").isNull(), "events but no directory entry");
        assertEquals(1, ghost.path("total").asInt());

        assertEquals(404, harness.get("/api/v1/hosts/no-such-host", harness.viewerToken).statusCode());
        assertEquals(400, harness.get("/api/v1/hosts/h-web?from=yesterday-ish", harness.viewerToken).statusCode());
        assertEquals(400, harness.get("/api/v1/hosts/h-web?from=now&to=now-1h", harness.viewerToken).statusCode());
    }

    @Test
    void rareExecutablesAreTheOnesFewestHostsRan() throws Exception {
        JsonNode rare = harness.json("/api/v1/hosts/h-web").path("rare_executables");
        assertEquals("[{\"executable\":\"/tmp/.x/miner\",\"hosts\":1,\"events_on_host\":1,\"events_in_fleet\":1},"
                + "{\"executable\":\"/usr/bin/curl\",\"hosts\":2,\"events_on_host\":2,\"events_in_fleet\":3},"
                + "{\"executable\":\"/usr/bin/bash\",\"hosts\":3,\"events_on_host\":6,\"events_in_fleet\":9}]", rare.toString());
        JsonNode db = harness.json("/api/v1/hosts/h-db").path("rare_executables");
        assertEquals("/usr/sbin/postgres", db.get(0).path("executable").asText());
        assertEquals(1, db.get(0).path("hosts").asInt());
    }

    @Test
    void hostPagesNeedASession() throws Exception {
        for (String page : List.of("/hosts", "/host?id=h-web")) {
            HttpResponse<String> anonymous = harness.get(page, null);
            assertEquals(302, anonymous.statusCode(), page);
            assertEquals("/login", anonymous.headers().firstValue("Location").orElse(""));
        }
        String session = harness.adminSession();
        HttpResponse<String> hosts = harness.getWithCookie("/hosts", session);
        assertEquals(200, hosts.statusCode());
        assertTrue(hosts.body().contains("id=\"hosts-table\"") && hosts.body().contains("/static/hosts.js"));
        HttpResponse<String> host = harness.getWithCookie("/host?id=h-web", session);
        assertTrue(host.body().contains("id=\"host-timeline\"") && host.body().contains("/static/host.js"));
        assertEquals(200, harness.get("/static/host.js", null).statusCode());
        assertEquals(200, harness.getWithCookie("/api/v1/hosts", session).statusCode(), "the pages' own calls work with the session");
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}
