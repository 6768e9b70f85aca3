package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.EventDocument;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(ElasticsearchExtension.class)
class WebAppIT {
    private static final String TOKEN = "test-token-" + System.nanoTime();
    private static ElasticsearchClient client;
    private static WebTestHarness harness;
    private static WebApp web;
    private static URI base;
    private static String adminPassword;
    private static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start(TestElasticsearch es) throws Exception {
        harness = new WebTestHarness(es);
        client = harness.client;
        web = harness.web;
        adminPassword = harness.adminPassword;
        assertTrue(web.credentials().ensureAdmin("another").isEmpty(), "the first admin password must not be replaced");
        web.credentials().ensureApiToken(TOKEN, "test", Principal.VIEWER);
        base = harness.base;
        Instant now = Instant.now();
        index("fleet-events-process-x", "1", now.minusSeconds(7200), "alpha", "web-a", "process");
        index("fleet-events-process-x", "2", now.minusSeconds(60), "beta <img src=x onerror=alert(1)>", "web-b", "process");
        index("fleet-events-network-x", "3", now.minusSeconds(30), "gamma", "web-a", "network");
        client.indices().refresh(r -> r.index("fleet-events-*"));
    }

    @AfterAll
    static void stop() {
        if (harness != null) harness.close();
    }

    private static void index(String index, String id, Instant time, String arg, String host, String dataset) throws Exception {
        EventDocument doc = EventDocument.create().put("@timestamp", time.toString()).put("event.dataset", dataset)
                .put("host.name", host).putAll("process.args", List.of("/bin/tool", arg))
                .put("process.command_line", "/bin/tool " + arg);
        client.index(i -> i.index(index).id(id).document(doc.json()));
    }

    @Test
    void searchFindsByLuceneQueryNewestFirst() throws Exception {
        JsonNode all = search("q=" + enc("process.args:\"/bin/tool\""));
        assertEquals(3, all.path("total").asInt());
        assertEquals("gamma", all.path("hits").get(0).path("process").path("args").get(1).asText());
        assertEquals("alpha", all.path("hits").get(2).path("process").path("args").get(1).asText());

        assertEquals(1, search("q=" + enc("process.args:alpha")).path("total").asInt());
        assertEquals(2, search("q=" + enc("process.args:\"/bin/tool\"") + "&from=now-1h").path("total").asInt());
        assertEquals(1, search("dataset=network").path("total").asInt());
        assertEquals(2, search("host=web-a").path("total").asInt());
        assertEquals(1, search("size=1").path("hits").size());
        assertEquals(3, search("size=1").path("total").asInt());
    }

    @Test
    void hostileTextComesBackAsDataInJson() throws Exception {
        HttpResponse<String> response = get("/api/v1/search?q=" + enc("process.args:beta*"), TOKEN);
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode hit = EventCodec.mapper().readTree(response.body()).path("hits").get(0);
        assertEquals("/bin/tool beta <img src=x onerror=alert(1)>", hit.path("process").path("command_line").asText());
    }

    @Test
    void tokensAndSessionsAreRequired() throws Exception {
        assertEquals(401, get("/api/v1/search", null).statusCode());
        assertEquals(401, get("/api/v1/search", "wrong").statusCode());
        assertEquals(400, get("/api/v1/search?size=-1", TOKEN).statusCode());
        assertEquals(400, get("/api/v1/search?dataset=nope", TOKEN).statusCode());
        assertEquals(400, get("/api/v1/search?q=" + enc("process.pid:[1 TO"), TOKEN).statusCode());

        assertEquals(302, get("/", null).statusCode());
        HttpResponse<String> wrong = login("admin", "not-the-password");
        assertEquals(401, wrong.statusCode());
        HttpResponse<String> ok = login("admin", adminPassword);
        assertEquals(302, ok.statusCode());
        String cookie = ok.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("fleetrec_session=")).findFirst().orElseThrow();
        assertTrue(cookie.contains("HttpOnly"), cookie);
        assertTrue(cookie.contains("SameSite=Strict"), cookie);
        String session = cookie.substring(0, cookie.indexOf(';'));
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(base.resolve("/")).header("Cookie", session).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
        HttpResponse<String> api = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/whoami")).header("Cookie", session).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("admin", EventCodec.mapper().readTree(api.body()).path("name").asText());
        assertFalse(adminPassword.isEmpty());
    }

    private static JsonNode search(String query) throws Exception {
        HttpResponse<String> response = get("/api/v1/search?" + query, TOKEN);
        assertEquals(200, response.statusCode(), response.body());
        return EventCodec.mapper().readTree(response.body());
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
        if (token != null) request.header("Authorization", "Bearer " + token);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> login(String user, String password) throws Exception {
        return SignIn.post(http, base, user, password);
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
