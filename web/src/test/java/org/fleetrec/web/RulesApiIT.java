package org.fleetrec.web;

import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.detection.rules.CatalogRules;
import org.fleetrec.detection.rules.LocalRules;
import org.fleetrec.detection.rules.RuleCatalog;
import org.fleetrec.detection.rules.RuleSource;
import org.fleetrec.detection.sigma.SigmaParser;
import org.fleetrec.model.EventCodec;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;

import static org.fleetrec.web.WebTestHarness.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /api/v1/rules}: the catalogue listed with refused rules and their reasons, an added rule
 * checked as the servers would load it (refused 400, id taken 409, too large 413), enable, disable and
 * retire for admins only, and every change in the audit trail.
 */
@ExtendWith(ElasticsearchExtension.class)
class RulesApiIT {
    private static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static WebTestHarness harness;
    private static String shipped;
    private static String refusedSource;

    @BeforeAll
    static void start(TestElasticsearch es) throws Exception {
        harness = new WebTestHarness(es);
        shipped = UUID.randomUUID().toString();
        refusedSource = "linux/refused-" + shipped + ".yml";
        // What an ingest server publishes at start: one rule that loads, one that does not.
        new CatalogRules(new RuleCatalog(harness.client), new LocalRules(List.of(
                new RuleSource(RuleCatalog.SHIPPED, "linux/shipped-" + shipped + ".yml", rule(shipped, "Shipped shell", "/bin/sh")),
                new RuleSource(RuleCatalog.SHIPPED, refusedSource,
                        rule(UUID.randomUUID().toString(), "Counted", "/bin/sh").replace("condition: selection", "condition: selection | count() > 5"))),
                List.of()), "ingest-server@test").publish();
    }

    @AfterAll
    static void stop() {
        if (harness != null) harness.close();
    }

    static String rule(String id, String title, String image) {
        return """
                title: %s
                id: %s
                level: high
                tags: [attack.execution]
                logsource: {product: linux, category: process_creation}
                detection:
                  selection:
                    Image|endswith: '%s'
                  condition: selection
                """.formatted(title, id, image);
    }

    private static HttpResponse<String> send(String method, String path, String contentType, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(harness.base.resolve(path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) request.header("Content-Type", contentType);
        if (token != null) request.header("Authorization", "Bearer " + token);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> add(String yaml, String token) throws Exception {
        return send("POST", "/api/v1/rules", "application/yaml", yaml, token);
    }

    private static HttpResponse<String> expect(int status, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        return response;
    }

    private static String reason(HttpResponse<String> response) throws Exception {
        return EventCodec.mapper().readTree(response.body()).path("error").path("reason").asText();
    }

    private static JsonNode listed(String query) throws Exception {
        return harness.json("/api/v1/rules" + query).path("rules");
    }

    private static JsonNode find(JsonNode rules, String key) {
        for (JsonNode r : rules) if (r.path("key").asText().equals(key)) return r;
        return null;
    }

    @Test
    void anAdminAddsARuleAndTheCatalogueListsIt() throws Exception {
        String id = UUID.randomUUID().toString();
        JsonNode added = EventCodec.mapper().readTree(expect(201, add(rule(id, "Socat relay", "/socat"), harness.adminToken)).body());
        assertEquals(id, added.path("key").asText());
        assertEquals("api", added.path("origin").asText());
        assertEquals("enabled", added.path("state").asText());
        assertEquals("web:token:admin-test", added.path("added").path("by").asText());

        JsonNode one = harness.json("/api/v1/rules/" + id);
        assertEquals(rule(id, "Socat relay", "/socat"), one.path("yaml").asText());
        assertEquals("process_creation", one.path("logsource").path("category").asText());
        JsonNode mine = find(listed("?origin=api&level=high&text=" + enc("SOCAT rel")), id);
        assertTrue(mine != null && !mine.has("yaml"), String.valueOf(mine));
        assertEquals(null, find(listed("?origin=shipped"), id));
        assertEquals(null, find(listed("?level=low"), id));

        // The same rule as {"yaml": ...}, the way the page sends it.
        String other = UUID.randomUUID().toString();
        String json = EventCodec.mapper().createObjectNode().put("yaml", rule(other, "Ncat", "/ncat")).toString();
        expect(201, send("POST", "/api/v1/rules", "application/json", json, harness.adminToken));
        assertTrue(reason(expect(409, add(rule(other, "Ncat again", "/ncat"), harness.adminToken))).contains("taken by an added rule"));
        assertTrue(reason(expect(409, add(rule(shipped, "Mine", "/x"), harness.adminToken))).contains("shipped rule"));
        expect(404, send("GET", "/api/v1/rules/" + UUID.randomUUID(), null, null, harness.viewerToken));
    }

    @Test
    void refusedRulesAreListedWithTheirReasonAndRefusedAddsSayWhy() throws Exception {
        JsonNode refused = null;
        for (JsonNode r : listed("?origin=shipped&text=" + enc(refusedSource))) refused = r;
        assertTrue(refused != null && !refused.path("loaded").asBoolean(), String.valueOf(refused));
        assertTrue(refused.path("refusal").asText().startsWith("unsupported: aggregation"), refused.toString());

        String aggregation = rule(UUID.randomUUID().toString(), "Many", "/x").replace("condition: selection", "condition: selection | count() > 5");
        assertTrue(reason(expect(400, add(aggregation, harness.adminToken))).startsWith("unsupported: aggregation"));
        String bomb = "title: lol\nid: " + UUID.randomUUID() + "\nlogsource: {product: linux}\nx: &a [\"lol\",\"lol\"]\ny: &b [*a,*a]\n"
                + "detection:\n  sel:\n    Image: *b\n  condition: sel\n";
        assertTrue(reason(expect(400, add(bomb, harness.adminToken))).contains("alias"));
        assertTrue(reason(expect(400, add(rule("a/b", "Slash", "/x"), harness.adminToken))).contains("needs an id"));
        expect(400, send("POST", "/api/v1/rules", "application/json", "{\"yaml\": 5}", harness.adminToken));
        expect(400, send("POST", "/api/v1/rules", "application/json", "not json", harness.adminToken));
        expect(415, send("POST", "/api/v1/rules", "image/png", rule(UUID.randomUUID().toString(), "Png", "/x"), harness.adminToken));
        String big = rule(UUID.randomUUID().toString(), "Big", "x".repeat(SigmaParser.MAX_YAML_CHARS));
        expect(413, add(big, harness.adminToken));
        expect(413, send("POST", "/api/v1/rules", "application/yaml", "x".repeat(RulesApi.MAX_BODY_BYTES + 1), harness.adminToken));
        expect(400, send("GET", "/api/v1/rules?state=gone", null, null, harness.viewerToken));
        expect(400, send("GET", "/api/v1/rules?origin=elsewhere", null, null, harness.viewerToken));
        expect(400, send("GET", "/api/v1/rules?text=" + "x".repeat(300), null, null, harness.viewerToken));
        for (JsonNode r : listed("?origin=api")) {
            assertFalse(List.of("Big", "Many", "Slash", "lol", "Png").contains(r.path("title").asText()), "stored though refused: " + r);
        }
    }

    @Test
    void stateChangesNeedAnAdminAndAreAudited() throws Exception {
        String id = UUID.randomUUID().toString();
        expect(403, add(rule(id, "Viewer's rule", "/v"), harness.viewerToken));
        expect(201, add(rule(id, "Admin's rule", "/v"), harness.adminToken));
        expect(403, send("POST", "/api/v1/rules/" + id + "/disable", null, null, harness.viewerToken));
        expect(401, send("POST", "/api/v1/rules/" + id + "/disable", null, null, null));

        JsonNode disabled = EventCodec.mapper().readTree(expect(200, send("POST", "/api/v1/rules/" + id + "/disable", null, null,
                harness.adminToken)).body());
        assertEquals("disabled", disabled.path("state").asText());
        assertEquals("web:token:admin-test", disabled.path("changed").path("by").asText());
        assertTrue(find(listed("?state=disabled"), id) != null);
        expect(200, send("POST", "/api/v1/rules/" + id + "/enable", null, null, harness.adminToken));
        expect(200, send("POST", "/api/v1/rules/" + id + "/retire", null, null, harness.adminToken));
        assertTrue(reason(expect(409, send("POST", "/api/v1/rules/" + id + "/enable", null, null, harness.adminToken))).contains("retired"));
        assertEquals("retired", find(listed("?state=retired"), id).path("state").asText(), "a retired rule stays listed");
        assertTrue(reason(expect(409, send("POST", "/api/v1/rules/" + shipped + "/retire", null, null, harness.adminToken)))
                .contains("disable it instead"));
        expect(404, send("POST", "/api/v1/rules/" + UUID.randomUUID() + "/disable", null, null, harness.adminToken));

        // A browser session's change needs the page's form token.
        String session = harness.adminSession();
        HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(harness.base.resolve("/api/v1/rules/" + shipped + "/disable"))
                .header("Cookie", session).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, noToken.statusCode(), noToken.body());

        // Each change is in the trail as a success on this rule, by who made it (written asynchronously);
        // the refusals above are there too, as failures, and must not stand in for them.
        for (String action : List.of("rule.add", "rule.disable", "rule.enable", "rule.retire")) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            JsonNode mine = null;
            while (mine == null && System.nanoTime() < deadline) {
                Thread.sleep(300);
                for (JsonNode h : harness.json("/api/v1/audit?action=" + action + "&size=100", harness.adminToken).path("hits")) {
                    if (h.path("parameters").path("id").asText().equals(id) && h.path("outcome").asText().equals("success")) mine = h;
                }
            }
            assertTrue(mine != null, "no successful " + action + " of " + id + " in the audit trail");
            assertEquals("token:admin-test", mine.path("principal").path("name").asText());
        }
        assertFalse(harness.json("/api/v1/rules/" + id).path("loaded").isMissingNode());
    }
}
