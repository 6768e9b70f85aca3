package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.model.EventCodec;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Users, roles, API tokens and the form token that guards a session's changes. */
@ExtendWith(ElasticsearchExtension.class)
class AccountsApiIT {
    private static final String ADMIN_TOKEN = "admin-token-" + System.nanoTime();
    private static final String VIEWER_TOKEN = "viewer-token-" + System.nanoTime();
    private static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static ElasticsearchClient client;
    private static WebTestHarness harness;
    private static WebApp web;
    private static URI base;
    private static String adminPassword;

    @BeforeAll
    static void start(TestElasticsearch es) throws Exception {
        harness = new WebTestHarness(es);
        client = harness.client;
        web = harness.web;
        adminPassword = harness.adminPassword;
        web.credentials().ensureApiToken(ADMIN_TOKEN, "admin-script", Principal.ADMIN);
        web.credentials().ensureApiToken(VIEWER_TOKEN, "viewer-script", Principal.VIEWER);
        base = harness.base;
    }

    @AfterAll
    static void stop() {
        if (harness != null) harness.close();
    }

    @Test
    void aTokenCanBeRevokedAndIsRefusedRightAfter() throws Exception {
        HttpResponse<String> created = send("POST", "/api/v1/tokens", "{\"name\":\"nightly-sweep\",\"role\":\"viewer\"}", bearer(ADMIN_TOKEN));
        assertEquals(201, created.statusCode(), created.body());
        JsonNode token = json(created);
        String secret = token.path("token").asText();
        assertEquals(200, send("GET", "/api/v1/search", null, bearer(secret)).statusCode());
        // Listed without its secret.
        HttpResponse<String> list = send("GET", "/api/v1/tokens", null, bearer(ADMIN_TOKEN));
        assertTrue(list.body().contains("nightly-sweep"), list.body());
        assertFalse(list.body().contains(secret), "a listing must never show a token");

        HttpResponse<String> revoked = send("DELETE", "/api/v1/tokens/" + token.path("id").asText(), null, bearer(ADMIN_TOKEN));
        assertEquals(200, revoked.statusCode(), revoked.body());
        assertEquals(401, send("GET", "/api/v1/search", null, bearer(secret)).statusCode(), "a revoked token still works");
        assertEquals(404, send("DELETE", "/api/v1/tokens/" + "0".repeat(64), null, bearer(ADMIN_TOKEN)).statusCode());
        // Both changes are in the audit trail, under the admin script that made them (written asynchronously).
        long deadline = System.nanoTime() + 20_000_000_000L;
        String trail = "";
        while (System.nanoTime() < deadline && !(trail.contains("token.create") && trail.contains("token.revoke"))) {
            Thread.sleep(300);
            trail = send("GET", "/api/v1/audit?size=100", null, bearer(ADMIN_TOKEN)).body();
        }
        assertTrue(trail.contains("token.create") && trail.contains("token.revoke") && trail.contains("token:admin-script"), trail);
        assertEquals(400, send("DELETE", "/api/v1/tokens/not-an-id", null, bearer(ADMIN_TOKEN)).statusCode());
    }

    @Test
    void aViewerCannotCreateUsersOrTokens() throws Exception {
        assertEquals(403, send("POST", "/api/v1/users", "{\"username\":\"mallory\",\"role\":\"admin\"}", bearer(VIEWER_TOKEN)).statusCode());
        assertEquals(403, send("POST", "/api/v1/tokens", "{\"name\":\"mine\",\"role\":\"admin\"}", bearer(VIEWER_TOKEN)).statusCode());
        assertEquals(403, send("GET", "/api/v1/users", null, bearer(VIEWER_TOKEN)).statusCode());
        assertEquals(403, send("GET", "/api/v1/tokens", null, bearer(VIEWER_TOKEN)).statusCode());

        // A viewer user signed in, with the page's token: still not allowed.
        HttpResponse<String> user = send("POST", "/api/v1/users", "{\"username\":\"vera\",\"role\":\"viewer\"}", bearer(ADMIN_TOKEN));
        assertEquals(201, user.statusCode(), user.body());
        String session = SignIn.session(http, base, "vera", json(user).path("password").asText());
        String formToken = SignIn.pageToken(http, base, session);
        assertEquals(403, send("POST", "/api/v1/tokens", "{\"name\":\"vera-token\"}", "Cookie", session,
                WebApp.CSRF_HEADER, formToken).statusCode());
        assertEquals(200, send("GET", "/api/v1/search", null, "Cookie", session).statusCode(), "a viewer may search");
        assertEquals(409, send("POST", "/api/v1/users", "{\"username\":\"vera\"}", bearer(ADMIN_TOKEN)).statusCode());
        assertEquals(400, send("POST", "/api/v1/users", "{\"username\":\"<b>x</b>\"}", bearer(ADMIN_TOKEN)).statusCode());
        assertEquals(400, send("POST", "/api/v1/users", "{\"username\":\"ok\",\"role\":\"root\"}", bearer(ADMIN_TOKEN)).statusCode());
    }

    @Test
    void aSessionsChangesNeedThePagesFormToken() throws Exception {
        String session = SignIn.session(http, base, "admin", adminPassword);
        String formToken = SignIn.pageToken(http, base, session);
        String body = "{\"username\":\"csrf-target\",\"role\":\"admin\"}";
        assertEquals(403, send("POST", "/api/v1/users", body, "Cookie", session).statusCode(), "no form token");
        assertEquals(403, send("POST", "/api/v1/users", body, "Cookie", session, WebApp.CSRF_HEADER, "guess").statusCode());
        assertEquals(201, send("POST", "/api/v1/users", body, "Cookie", session, WebApp.CSRF_HEADER, formToken).statusCode());
        // Sign-out is a form too.
        HttpResponse<String> forgedLogout = http.send(HttpRequest.newBuilder(base.resolve("/logout")).header("Cookie", session)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, forgedLogout.statusCode());
        assertEquals(200, send("GET", "/api/v1/whoami", null, "Cookie", session).statusCode(), "a forged sign-out ended the session");
    }

    @Test
    void signInNeedsTheFormsOwnToken() throws Exception {
        HttpResponse<String> forged = http.send(HttpRequest.newBuilder(base.resolve("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("csrf=x&username=admin&password=" + adminPassword)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, forged.statusCode());
        assertTrue(forged.headers().allValues("Set-Cookie").stream().noneMatch(c -> c.startsWith("fleetrec_session=")));
    }

    @Test
    void aDisabledUserIsSignedOutAndCannotSignIn() throws Exception {
        HttpResponse<String> user = send("POST", "/api/v1/users", "{\"username\":\"leaver\",\"password\":\"correct horse battery\"}",
                bearer(ADMIN_TOKEN));
        assertEquals(201, user.statusCode(), user.body());
        assertFalse(json(user).has("password"), "a password the admin chose is not echoed");
        String session = SignIn.session(http, base, "leaver", "correct horse battery");
        assertEquals(200, send("GET", "/api/v1/whoami", null, "Cookie", session).statusCode());
        assertEquals(200, send("DELETE", "/api/v1/users/leaver", null, bearer(ADMIN_TOKEN)).statusCode());
        assertEquals(401, send("GET", "/api/v1/whoami", null, "Cookie", session).statusCode());
        assertEquals(401, SignIn.post(http, base, "leaver", "correct horse battery").statusCode());
    }

    @Test
    void theAdminPageCreatesAndRevokesATokenThroughTheFormToken() throws Exception {
        try (Browser browser = Browser.signedIn(base, "admin", adminPassword)) {
            browser.open("/admin");
            browser.await("#users tbody tr", 1);
            browser.one("#token-name").sendKeys("from-the-page");
            browser.one("#token-form button[type=submit]").click();
            String shown = browser.await(() -> browser.one("#new-secret").getText().contains("from-the-page")
                    ? browser.one("#new-secret").getText() : null, "the new token shown once");
            String secret = shown.substring(shown.lastIndexOf(' ') + 1);
            assertEquals(200, send("GET", "/api/v1/search", null, bearer(secret)).statusCode(), "the page's token does not work");
            browser.await(() -> browser.all("#tokens tbody tr").stream()
                    .filter(r -> r.getText().contains("from-the-page")).findFirst().orElse(null), "the token listed")
                    .findElement(org.openqa.selenium.By.cssSelector("button")).click();
            browser.await(() -> browser.all("#tokens tbody tr").stream()
                    .anyMatch(r -> r.getText().contains("from-the-page") && r.getText().contains("revoked")) ? true : null,
                    "the token shown revoked");
            assertEquals(401, send("GET", "/api/v1/search", null, bearer(secret)).statusCode());
            browser.screenshot("admin-token-revoked");
            assertFalse(browser.alertShown());
        }
    }

    private static String[] bearer(String token) {
        return new String[]{"Authorization", "Bearer " + token};
    }

    private static HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) request.header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return EventCodec.mapper().readTree(response.body());
    }
}
