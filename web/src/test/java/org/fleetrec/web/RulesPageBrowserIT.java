package org.fleetrec.web;

import org.fleetrec.detection.rules.CatalogRules;
import org.fleetrec.detection.rules.LocalRules;
import org.fleetrec.detection.rules.RuleCatalog;
import org.fleetrec.detection.rules.RuleSource;
import org.fleetrec.detection.rules.RuleState;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules page in a real (headless) browser: the catalogue with refused rules and their reasons,
 * disable and retire buttons that change it, a rule added through the form, a refusal shown, and
 * rule titles and reasons (attacker-controllable) shown as text; a viewer sees no controls.
 */
@ExtendWith(ElasticsearchExtension.class)
class RulesPageBrowserIT {
    private static final String HOSTILE = "\"><img src=x onerror=alert(1)><script>alert(2)</script>";
    private static WebTestHarness harness;
    private static RuleCatalog catalog;
    private static String shipped;
    private static String refused;

    @BeforeAll
    static void start(TestElasticsearch es) throws Exception {
        Browser.assumeInstalled();
        harness = new WebTestHarness(es);
        catalog = new RuleCatalog(harness.client);
        shipped = UUID.randomUUID().toString();
        refused = UUID.randomUUID().toString();
        new CatalogRules(catalog, new LocalRules(List.of(
                new RuleSource(RuleCatalog.SHIPPED, "linux/shell.yml", rule(shipped, "Shell from a web server", "/bin/sh")),
                // A refused rule whose title and reason both carry markup.
                new RuleSource(RuleCatalog.SHIPPED, "linux/hostile.yml", rule(refused, HOSTILE, "/x")
                        .replace("condition: selection", "condition: 'selection | count() > 5 <img src=x onerror=alert(3)>'"))),
                List.of()), "ingest-server@browser").publish();
    }

    @AfterAll
    static void stop() {
        if (harness != null) harness.close();
    }

    static String rule(String id, String title, String image) {
        return """
                title: '%s'
                id: %s
                level: high
                logsource: {product: linux, category: process_creation}
                detection:
                  selection:
                    Image|endswith: '%s'
                  condition: selection
                """.formatted(title.replace("'", "''"), id, image);
    }

    private static WebElement row(Browser browser, String key) throws InterruptedException {
        return browser.await(() -> rowNow(browser, key), "the row of " + key);
    }

    private static WebElement rowNow(Browser browser, String key) {
        return browser.all("#rules tbody tr[data-key='" + key + "']").stream().findFirst().orElse(null);
    }

    /** Waits until the rule's row shows {@code state}. */
    private static void awaitState(Browser browser, String key, String state) throws InterruptedException {
        browser.await(() -> {
            WebElement r = rowNow(browser, key);
            return r != null && cell(r, 1).equals(state) ? true : null;
        }, key + " " + state);
    }

    private static String cell(WebElement row, int column) {
        return row.findElement(By.cssSelector("td:nth-child(" + column + ")")).getText();
    }

    @Test
    void anAdminSeesRefusedRulesAsTextDisablesAddsAndRetires() throws Exception {
        try (Browser browser = Browser.signedIn(harness.base, "admin", harness.adminPassword)) {
            browser.open("/rules");
            WebElement hostile = row(browser, refused);
            assertEquals(HOSTILE, cell(hostile, 4), "the title is shown as text");
            assertTrue(cell(hostile, 6).contains("unsupported: aggregation") && cell(hostile, 6).contains("<img src=x onerror=alert(3)>"),
                    cell(hostile, 6));
            assertFalse(browser.alertShown(), "a rule title ran as script");
            assertFalse(browser.markupInjected(), "a rule title became markup");
            browser.screenshot("rules-page");

            WebElement shell = row(browser, shipped);
            assertEquals("enabled", cell(shell, 1));
            assertEquals("shipped", cell(shell, 2));
            assertTrue(shell.findElements(By.xpath(".//button[text()='Retire']")).isEmpty(), "a shipped rule is disabled, not retired");
            shell.findElement(By.xpath(".//button[text()='Disable']")).click();
            awaitState(browser, shipped, "disabled");
            assertEquals(RuleState.DISABLED, catalog.get(shipped).orElseThrow().state());
            assertEquals("web:admin", catalog.get(shipped).orElseThrow().changed().by());

            // Refused through the form: the reason is shown, nothing is added.
            browser.one("#rule-add-yaml").sendKeys(rule("not/an/id", "No usable id", "/x"));
            browser.one("#rule-add-submit").click();
            browser.await(() -> browser.one("#rules-status").getText().contains("needs an id") ? true : null, "the refusal");

            String added = UUID.randomUUID().toString();
            browser.one("#rule-add-yaml").clear();
            browser.one("#rule-add-yaml").sendKeys(rule(added, "<b>Added</b> " + HOSTILE, "/ncat"));
            browser.one("#rule-add-submit").click();
            WebElement mine = row(browser, added);
            assertEquals("<b>Added</b> " + HOSTILE, cell(mine, 4));
            assertEquals("api", cell(mine, 2));
            assertFalse(browser.alertShown() || browser.markupInjected());
            mine.findElement(By.xpath(".//button[text()='YAML']")).click();
            browser.await(() -> browser.one("#rule-yaml").getText().contains("Image|endswith: '/ncat'") ? true : null, "the YAML");

            row(browser, added).findElement(By.xpath(".//button[text()='Retire']")).click();
            awaitState(browser, added, "retired");
            assertTrue(row(browser, added).findElements(By.xpath(".//button[text()='Enable' or text()='Disable']")).isEmpty(),
                    "a retired rule has no state to change");

            browser.driver().findElement(By.xpath("//select[@id='rules-state']/option[text()='retired']")).click();
            browser.one("#rules-filter button[type=submit]").click();
            browser.await(() -> browser.all("#rules tbody tr").stream().allMatch(r -> cell(r, 1).equals("retired"))
                    && !browser.all("#rules tbody tr[data-key='" + added + "']").isEmpty() ? true : null, "only retired rules");
            assertFalse(browser.alertShown() || browser.markupInjected());
        }
    }

    @Test
    void aViewerSeesTheRulesButNoControls() throws Exception {
        String name = "rule-viewer-" + UUID.randomUUID().toString().substring(0, 8);
        String password = harness.web.credentials().createUser(name, Principal.VIEWER, null).orElseThrow();
        try (Browser browser = Browser.signedIn(harness.base, name, password)) {
            browser.open("/rules");
            WebElement hostile = row(browser, refused);
            assertEquals(HOSTILE, cell(hostile, 4));
            assertTrue(browser.one("#rule-add-section").getAttribute("hidden") != null, "no add form for a viewer");
            assertTrue(browser.all("#rules button").stream().allMatch(b -> b.getText().equals("YAML")), "only the YAML button");
        }
    }
}
