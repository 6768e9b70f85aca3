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
    private static Browser browser;
    private static String web;

    @BeforeAll
    static void up(TestElasticsearch es) throws Exception {
        assumeTrue(RunningStack.isRoot(), "the agent needs root (CAP_AUDIT_CONTROL) to record from the kernel");
        Browser.assumeInstalled();
        stack = RunningStack.up(es.url(), Duration.ofMinutes(5));
        web = stack.stackJson().path("web").asText();
        // Processes whose command lines are attacks on the page that shows them.
        for (String hostile : List.of(SCRIPT, IMG)) {
            assertEquals(0, new ProcessBuilder("/bin/echo", TAG, hostile).start().waitFor());
        }
        awaitSearchable("process.args:" + TAG + " AND event.action:executed", 2);
        browser = Browser.open(java.net.URI.create(web));
    }

    @AfterAll
    static void down() throws Exception {
        if (browser != null) browser.close();
        if (stack != null) stack.close();
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
