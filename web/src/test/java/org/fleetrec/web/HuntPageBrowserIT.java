package org.fleetrec.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hunt page in a real (headless) browser: a rule typed in, results listed like alerts, hostile text shown as text. */
@ExtendWith(ElasticsearchExtension.class)
class HuntPageBrowserIT {
    private static final String HOSTILE = "arp -a \"><img src=x onerror=alert(1)><script>alert(2)</script>";
    private static final String RULE = """
            title: Remote system discovery <b>bold</b>
            id: 5b0a3f0e-1d55-4c40-a3f4-2a1d7c0e9b21
            logsource:
              product: linux
              category: process_creation
            detection:
              selection:
                Image|endswith: /arp
              condition: selection
            level: low
            """;
    private static WebTestHarness harness;
    private static Browser browser;

    @BeforeAll
    static void start(TestElasticsearch es) throws Exception {
        Browser.assumeInstalled();
        harness = new WebTestHarness(es);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<Map.Entry<String, Map.Entry<String, ObjectNode>>> docs = new ArrayList<>();
        docs.add(RuleTestApiIT.exec("1", now.minus(Duration.ofHours(30)), "h-a", "web-a", "e-hostile", "/usr/sbin/arp", HOSTILE));
        docs.add(RuleTestApiIT.exec("2", now.minus(Duration.ofHours(2)), "h-b", "web-b", "e-plain", "/usr/sbin/arp", "arp -n"));
        docs.add(RuleTestApiIT.exec("3", now.minus(Duration.ofHours(3)), "h-b", "web-b", "e-ls", "/usr/bin/ls", "ls -l"));
        harness.bulk(docs);
        browser = Browser.signedIn(harness.base, "admin", harness.adminPassword);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) browser.close();
        if (harness != null) harness.close();
    }

    private static void run(String rule, String from, String host) {
        browser.open("/hunt");
        browser.one("#hunt-rule").sendKeys(rule);
        WebElement fromInput = browser.one("#hunt-from");
        fromInput.clear();
        fromInput.sendKeys(from);
        if (host != null) browser.one("#hunt-host").sendKeys(host);
        browser.one("#hunt-run").click();
    }

    @Test
    void aHuntListsItsResultsLikeAlertsWithHostileTextShownAsText() throws Exception {
        run(RULE, "now-3d", null);
        List<WebElement> rows = browser.await("#hunt-results tbody tr", 2);
        assertEquals(2, rows.size());
        String summary = browser.one("#hunt-summary").getText();
        assertTrue(summary.startsWith("2 result(s) from 2 matching event(s) (2 found by the query, 2 read)"), summary);
        assertTrue(browser.one("#hunt-translation").getText().contains("exact query"));

        List<WebElement> oldest = rows.get(1).findElements(org.openqa.selenium.By.tagName("td"));
        assertEquals("low", oldest.get(1).getText());
        assertEquals("Remote system discovery <b>bold</b>", oldest.get(2).getText(), "the rule's title is text");
        assertEquals("web-a", oldest.get(3).getText());
        assertEquals(HOSTILE, oldest.get(4).getText(), "the command line is text");
        assertEquals("root", oldest.get(5).getText());
        assertEquals("1", oldest.get(6).getText());
        WebElement tree = oldest.get(4).findElement(org.openqa.selenium.By.tagName("a"));
        assertTrue(tree.getAttribute("href").endsWith("/process?id=e-hostile"), tree.getAttribute("href"));
        assertFalse(browser.markupInjected(), "nothing hostile became markup");
        assertFalse(browser.alertShown());
        assertEquals("web-b", rows.get(0).findElements(org.openqa.selenium.By.tagName("td")).get(3).getText(), "newest first");
        assertEquals("page", browser.one("#nav a[href='/hunt']").getAttribute("aria-current"));
        browser.screenshot("hunt-results");

        tree.click();
        browser.await(() -> browser.driver().getCurrentUrl().contains("/process?id=e-hostile") ? true : null, "the process page");
    }

    @Test
    void theHostNarrowsAndARefusedRuleSaysWhy() throws Exception {
        run(RULE, "now-3d", "web-b");
        browser.await(() -> browser.one("#hunt-summary").getText().startsWith("1 result(s)") ? true : null, "one result on web-b");
        assertEquals(1, browser.all("#hunt-results tbody tr").size());
        assertTrue(browser.one("#hunt-summary").getText().contains("on web-b"));

        run(RULE.replace("product: linux", "product: plan9"), "now-3d", null);
        String reason = browser.await(() -> {
            WebElement summary = browser.one("#hunt-summary");
            return "error".equals(summary.getAttribute("class")) ? summary.getText() : null;
        }, "the refusal");
        assertTrue(reason.contains("plan9"), reason);
        assertFalse(browser.one("#hunt-results").isDisplayed());

        run(RULE, "now-200d", null);
        String tooLong = browser.await(() -> {
            WebElement summary = browser.one("#hunt-summary");
            return "error".equals(summary.getAttribute("class")) ? summary.getText() : null;
        }, "the refusal of a long range");
        assertTrue(tooLong.contains("90 days"), tooLong);
    }
}
