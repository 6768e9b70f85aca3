package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventCodec;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.fleetrec.templates.ElasticsearchClients;
import org.fleetrec.templates.ElasticsearchSettings;
import org.fleetrec.templates.TemplateInstaller;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A running web app on a test Elasticsearch, with a viewer and an admin token and plain HTTP calls. */
final class WebTestHarness implements AutoCloseable {
    final String viewerToken = "viewer-token-" + System.nanoTime();
    final String adminToken = "admin-token-" + System.nanoTime();
    final ElasticsearchClient client;
    final WebApp web;
    final URI base;
    final String adminPassword;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    WebTestHarness(TestElasticsearch es) throws Exception {
        client = ElasticsearchClients.create(new ElasticsearchSettings(es.url(), null, es.username(), es.password(), null));
        new TemplateInstaller(client).install();
        web = new WebApp(client);
        adminPassword = web.credentials().ensureAdmin(null).orElseThrow();
        web.credentials().ensureApiToken(viewerToken, "viewer-test", Principal.VIEWER);
        web.credentials().ensureApiToken(adminToken, "admin-test", Principal.ADMIN);
        web.start("127.0.0.1", 0);
        base = URI.create("http://127.0.0.1:" + web.port());
    }

    /** Indexes {@code documents} (index name → id → document) with {@code create} and refreshes. */
    void bulk(List<Map.Entry<String, Map.Entry<String, ObjectNode>>> documents) throws Exception {
        for (int from = 0; from < documents.size(); from += 1000) {
            BulkRequest.Builder bulk = new BulkRequest.Builder();
            for (var entry : documents.subList(from, Math.min(documents.size(), from + 1000))) {
                bulk.operations(op -> op.create(c -> c.index(entry.getKey()).id(entry.getValue().getKey())
                        .document(entry.getValue().getValue())));
            }
            BulkResponse response = client.bulk(bulk.build());
            assertFalse(response.errors(), () -> response.items().stream()
                    .filter(i -> i.error() != null).findFirst().map(i -> i.error().reason()).orElse(""));
        }
        client.indices().refresh(r -> r.index("fleet-*"));
    }

    HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
        if (token != null) request.header("Authorization", "Bearer " + token);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POST of a form body, as the search page sends it. */
    HttpResponse<String> postForm(String path, String form, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POST of a JSON body, as the pages send their changes. */
    HttpResponse<String> postJson(String path, String json, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> getWithCookie(String path, String cookie) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** GET as the viewer, expecting 200 and JSON. */
    JsonNode json(String path) throws Exception {
        return json(path, viewerToken);
    }

    JsonNode json(String path, String token) throws Exception {
        HttpResponse<String> response = get(path, token);
        assertEquals(200, response.statusCode(), path + " → " + response.body());
        return EventCodec.mapper().readTree(response.body());
    }

    /** The session cookie ({@code name=value}) of a signed-in admin. */
    String adminSession() throws Exception {
        return SignIn.session(http, base, "admin", adminPassword);
    }

    static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    static ObjectNode parse(String json) {
        try {
            return (ObjectNode) EventCodec.mapper().readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    @Override
    public void close() {
        web.close();
        ElasticsearchClients.close(client);
    }
}
