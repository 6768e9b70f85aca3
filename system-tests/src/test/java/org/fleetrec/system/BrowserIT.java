package org.fleetrec.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.fleetrec.web.Browser;
import org.openqa.selenium.WebElement;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The investigation pages in a real headless Chromium, over what the real agent recorded on
 * this host: sign in, search, and hostile command lines that must show as text everywhere.
 */
@ExtendWith(ElasticsearchExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserIT {
    private static final String SCRIPT = "<script>alert(1)</script>";
    private static final String IMG = "\"><img src=x onerror=alert(document.domain)>";
    private static final String TAG = "fleetrec" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    private static RunningStack stack;
    private static org.fleetrec.agent.source.netlink.AuditStatus auditBefore;
    private static volatile boolean failed;

    /** The work folder (logs) is kept when a test failed, to read why. */
    @org.junit.jupiter.api.extension.RegisterExtension
    static final org.junit.jupiter.api.extension.TestWatcher FAILURES = new org.junit.jupiter.api.extension.TestWatcher() {
        @Override
        public void testFailed(org.junit.jupiter.api.extension.ExtensionContext context, Throwable cause) {
            failed = true;
        }
    };
    private static Browser browser;
    private static String web;

    @BeforeAll
    static void up(TestElasticsearch es) throws Exception {
        assumeTrue(RunningStack.isRoot(), "the agent needs root (CAP_AUDIT_CONTROL) to record from the kernel");
        Browser.assumeInstalled();
        auditBefore = AuditRulesProbe.status();
        stack = RunningStack.up(es.url(), Duration.ofMinutes(5), "browser");
        web = stack.stackJson().path("web").asText();
        // Processes whose command lines are attacks on the page that shows them.
        for (String hostile : List.of(SCRIPT, IMG)) {
            assertEquals(0, new ProcessBuilder("/bin/echo", TAG, hostile).start().waitFor());
        }
        awaitSearchable("process.args:" + TAG + " AND event.action:executed", 2);
        browser = Browser.open(java.net.URI.create(web));
        // Signed in through the real form once; later tests reuse the session.
    }

    @AfterAll
    static void down() throws Exception {
        if (browser != null) browser.close();
        if (stack == null) return;
        stack.close();
        if (failed) return;
        AuditRulesProbe.assertNoRulesWithKey("fleetrec");
        AuditRulesProbe.assertSameSettings(auditBefore, AuditRulesProbe.status());
        RunningStack.deleteWorkFolder(stack.work);
    }

    @Test
    @Order(1)
    void signInThenSearchShowsHostileCommandLinesAsText() throws Exception {
        JsonNode admin = stack.stackJson().path("admin");
        browser.open("/");
        browser.await(() -> browser.driver().getCurrentUrl().endsWith("/login") ? true : null, "the sign-in page");
        browser.one("input[name=username]").sendKeys(admin.path("user").asText());
        browser.one("input[name=password]").sendKeys(admin.path("password").asText());
        browser.one("form[action='/login'] button[type=submit]").click();
        browser.await(() -> browser.driver().getCurrentUrl().endsWith("/login") ? null : true, "signed in");

        browser.one("#q").clear();
        browser.one("#q").sendKeys("process.args:" + TAG + " AND event.action:executed");
        browser.one("#q").submit();
        List<WebElement> rows = browser.await("#results tbody tr", 2);
        browser.screenshot("search-hostile-command-lines");
        String table = browser.one("#results").getText();
        // The agent quotes arguments in a command line; the hostile text itself must be there, as text.
        assertTrue(table.contains(SCRIPT), table);
        assertTrue(table.contains(IMG), table);
        assertEquals(2, rows.size(), table);
        assertNoInjection();
    }

    /**
     * The acceptance chain: {@code sh -c 'sh -c "/bin/echo leaf; <connect to a loopback listener>"'}
     * as the agent recorded it. From the leaf the tree reaches both shells; from the outer shell the
     * descendants reach the leaf; correlation by the listener's port joins the connecting process to
     * the accepting one (this test's JVM); and the pages draw both.
     */
    @Test
    @Order(2)
    void aShellChainIsOneTreeAndItsLoopbackConnectionIsJoined() throws Exception {
        String leafWord = TAG + "-leaf";
        int port;
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            port = listener.getLocalPort();
            // Both ends stay open a few seconds: the agent reads a socket's local end from the
            // process's open descriptors, which a connection closed at once no longer has.
            Thread acceptor = new Thread(() -> {
                try (java.net.Socket accepted = listener.accept()) {
                    accepted.getInputStream().read();
                    Thread.sleep(3_000);
                    accepted.getOutputStream().write("bye\n".getBytes(StandardCharsets.US_ASCII));
                } catch (java.io.IOException | InterruptedException e) {
                    // the assertions below say what is missing
                }
            });
            acceptor.start();
            String inner = "/bin/echo " + leafWord + "; bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + port + "; echo hi >&3; read -t 10 answer <&3'";
            assertEquals(0, new ProcessBuilder("/bin/sh", "-c", "sh -c \"" + inner + "\"").start().waitFor());
            acceptor.join(15_000);
        }
        awaitSearchable("process.args:" + leafWord + " AND event.action:executed", 1);
        String token = stack.stackJson().path("apiToken").asText();
        JsonNode leafHit = api("/api/v1/search?q=" + enc("process.args:" + leafWord + " AND event.action:executed"), token)
                .path("hits").get(0);
        String leaf = leafHit.path("process").path("entity_id").asText();
        assertFalse(leaf.isEmpty(), leafHit.toString());

        JsonNode up = api("/api/v1/processes/" + enc(leaf) + "/tree?ancestors=50&descendants=0", token);
        // Matched on their arguments: the command line quotes them as a shell would.
        JsonNode innerShell = node(up, n -> n.path("args").path(0).asText().equals("sh")
                && n.path("args").path(2).asText().startsWith("/bin/echo " + leafWord));
        JsonNode outerShell = node(up, n -> n.path("args").path(0).asText().equals("/bin/sh")
                && n.path("args").path(2).asText().startsWith("sh -c \"/bin/echo " + leafWord));
        assertTrue(innerShell != null && outerShell != null, "both shells above the leaf: " + brief(up));
        assertTrue(innerShell.path("command_line").asText().contains(leafWord), innerShell.toString());
        assertTrue(outerShell.path("command_line").asText().contains(leafWord), outerShell.toString());
        assertTrue(edge(up, outerShell.path("entity_id").asText(), innerShell.path("entity_id").asText()), brief(up));
        assertTrue(edge(up, innerShell.path("entity_id").asText(), leaf), brief(up));

        JsonNode down = api("/api/v1/processes/" + enc(outerShell.path("entity_id").asText()) + "/tree?ancestors=0&descendants=5", token);
        assertTrue(node(down, n -> n.path("entity_id").asText().equals(leaf)) != null, "the leaf below the outer shell: " + brief(down));

        JsonNode chain = awaitChain(port, token);
        assertEquals("bash", chain.path("client").path("process").path("name").asText(), chain.toString());
        assertEquals("java", chain.path("server").path("process").path("name").asText(), chain.toString());
        assertFalse(chain.path("community_id").asText().isEmpty(), chain.toString());

        browser.open("/process?id=" + enc(leaf));
        browser.await("#tree canvas", 1);
        browser.await(() -> browser.one("#tree").getAttribute("data-nodes") != null
                && Integer.parseInt(browser.one("#tree").getAttribute("data-nodes")) >= 3 ? true : null, "the tree drawn");
        browser.screenshot("process-tree-of-the-leaf");
        assertNoInjection();
        browser.open("/network?port=" + port);
        browser.await(() -> browser.one("#chains").getText().contains("bash") && browser.one("#chains").getText().contains("java")
                ? true : null, "the chain bash → java on the page");
        browser.screenshot("correlation-by-port");
        assertNoInjection();
    }

    private static JsonNode awaitChain(int port, String token) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode answer = null;
        while (System.nanoTime() < deadline) {
            answer = api("/api/v1/network/correlate?port=" + port + "&from=now-1h", token);
            for (JsonNode chain : answer.path("chains")) {
                if (!chain.path("client").path("process").isMissingNode() && !chain.path("server").path("process").isMissingNode()) {
                    return chain;
                }
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("no joined chain for port " + port + ": " + answer);
    }

    /** A tree as name ← parent lines, short enough for a failure message. */
    private static String brief(JsonNode tree) {
        StringBuilder text = new StringBuilder();
        tree.path("nodes").forEach(n -> text.append('\n').append(n.path("entity_id").asText()).append(' ')
                .append(n.path("name").asText()).append(" ← ").append(n.path("parent_entity_id").asText()));
        return text.toString();
    }

    private static JsonNode node(JsonNode tree, java.util.function.Predicate<JsonNode> test) {
        for (JsonNode n : tree.path("nodes")) {
            if (test.test(n)) return n;
        }
        return null;
    }

    private static boolean edge(JsonNode tree, String parent, String child) {
        for (JsonNode e : tree.path("edges")) {
            if (e.path("parent").asText().equals(parent) && e.path("child").asText().equals(child)) return true;
        }
        return false;
    }

    private static JsonNode api(String pathAndQuery, String token) throws Exception {
        var response = stack.get(pathAndQuery, token);
        assertEquals(200, response.statusCode(), pathAndQuery + " → " + response.body());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** Nothing hostile became markup or ran: no element it names, no dialog. */
    private static void assertNoInjection() {
        assertFalse(browser.alertShown(), "a hostile command line ran as script");
        assertFalse(browser.markupInjected(), "a hostile command line became markup");
    }

    private static void awaitSearchable(String query, int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String token = stack.stackJson().path("apiToken").asText();
        while (System.nanoTime() < deadline) {
            var response = stack.get("/api/v1/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8), token);
            if (response.statusCode() == 200
                    && new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).path("total").asInt() >= count) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the agent's events never became searchable: " + query);
    }
}
