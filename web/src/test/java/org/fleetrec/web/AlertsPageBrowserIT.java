package org.fleetrec.web;

import org.fleetrec.detection.alert.Alert;
import org.fleetrec.detection.alert.Level;
import org.fleetrec.detection.alert.RuleRef;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.EventDocument;
import org.fleetrec.model.IndexNames;
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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alerts page in a real (headless) browser: hostile alert text shown as text, the level filter,
 * acknowledging an alert, and the way from an alert to its process tree.
 */
@ExtendWith(ElasticsearchExtension.class)
class AlertsPageBrowserIT {
    private static final String HOSTILE_COMMAND = "<img src=x onerror=alert(1)>";
    private static final String HOSTILE_TITLE = "\"><script>alert(2)</script> shell";
    private static final String HOSTILE_HOST = "<svg onload=alert(3)>";
    private static final RuleRef SHELL = new RuleRef("rule-shell", HOSTILE_TITLE, Level.HIGH, List.of("attack.t1059.004"));
    private static final RuleRef DISCOVERY = new RuleRef("rule-discovery", "System discovery", Level.LOW, List.of("attack.t1082"));

    private static WebTestHarness harness;
    private static Browser browser;
    private static Alert hostile;
    private static Alert discovery;

    @BeforeAll
    static void start(TestElasticsearch es) throws Exception {
        Browser.assumeInstalled();
        harness = new WebTestHarness(es);
        AlertWriter writer = new AlertWriter(harness.client, Duration.ofMinutes(10));
        Instant time = Instant.now().minus(2, ChronoUnit.HOURS);
        EventDocument shell = AlertWriter.exec("h-web", "entity-hostile", time, HOSTILE_COMMAND, "alice").put("host.name", HOSTILE_HOST);
        // The event itself is stored too, as the agent shipped it: the process tree is drawn from events.
        harness.bulk(List.of(Map.entry(IndexNames.events(Dataset.PROCESS, time), Map.entry("agent-h-web:1", shell.json()))));
        hostile = writer.match(SHELL, shell);
        discovery = writer.match(DISCOVERY, AlertWriter.exec("h-web", "entity-quiet", time.plusSeconds(60), "uname -a", "alice"));
        browser = Browser.signedIn(harness.base, "admin", harness.adminPassword);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) browser.close();
        if (harness != null) harness.close();
    }

    private static WebElement rowOf(Alert alert) {
        return browser.one("#alerts tbody tr[data-alert-id='" + alert.id() + "']");
    }

    @Test
    void listsHostileTextAsTextFiltersAcknowledgesAndLeadsToTheTree() throws Exception {
        browser.open("/alerts");
        browser.await("#alerts tbody tr", 2);
        assertEquals("2 alerts", browser.one("#alerts-summary").getText());
        WebElement row = rowOf(hostile);
        assertEquals(HOSTILE_COMMAND, row.findElement(org.openqa.selenium.By.cssSelector("td.command")).getText());
        assertTrue(row.getText().contains(HOSTILE_TITLE), row.getText());
        assertTrue(row.getText().contains(HOSTILE_HOST), row.getText());
        assertFalse(browser.markupInjected(), "hostile text became markup");
        assertFalse(browser.alertShown(), "hostile text ran as script");
        assertTrue(browser.one("#rule-facet-list").getText().contains(HOSTILE_TITLE + " (1)"), "the facet names the rule as text");
        assertEquals("(1)", browser.one("span.count[data-facet='level'][data-value='high']").getText());

        // Only high: the discovery alert goes.
        browser.one("#levels input[value='high']").click();
        browser.await(() -> browser.all("#alerts tbody tr").size() == 1 && browser.one("#alerts-summary").getText().equals("1 alert")
                ? true : null, "only the high alert listed");
        assertEquals(1, browser.all("#alerts tbody tr[data-alert-id='" + hostile.id() + "']").size());
        assertTrue(browser.driver().getCurrentUrl().contains("level=high"), "the URL carries the filter");

        rowOf(hostile).findElement(org.openqa.selenium.By.cssSelector("input.status-note")).sendKeys("on it");
        rowOf(hostile).findElement(org.openqa.selenium.By.cssSelector("button.set-acknowledged")).click();
        browser.await(() -> rowOf(hostile).getText().contains("acknowledged") ? true : null, "the row shows the new status");
        String status = rowOf(hostile).getText();
        assertTrue(status.contains("by admin") && status.contains("on it"), status);
        assertTrue(rowOf(hostile).findElements(org.openqa.selenium.By.cssSelector("button.set-acknowledged")).isEmpty(),
                "an acknowledged alert offers close and reopen only");
        browser.await(() -> browser.one("span.count[data-facet='status'][data-value='acknowledged']").getText().equals("(1)")
                ? true : null, "the status counts follow the change");
        var stored = harness.json("/api/v1/alerts/" + hostile.id()).path("fleet").path("alert");
        assertEquals("acknowledged", stored.path("status").asText());
        assertEquals("admin", stored.path("status_by").asText());
        assertEquals("open", harness.json("/api/v1/alerts/" + discovery.id()).path("fleet").path("alert").path("status").asText());
        browser.screenshot("alerts-acknowledged");

        WebElement network = rowOf(hostile).findElement(org.openqa.selenium.By.cssSelector("a.network-link"));
        assertTrue(network.getAttribute("href").contains("/network?entityId=entity-hostile"), network.getAttribute("href"));
        String networkHref = network.getAttribute("href");
        String treeHref = rowOf(hostile).findElement(org.openqa.selenium.By.cssSelector("a.tree-link")).getAttribute("href");
        assertTrue(treeHref.endsWith("/process?id=entity-hostile"), treeHref);

        // The correlation view opens on the alert's process, from before the alert.
        browser.driver().get(networkHref);
        browser.await(() -> browser.one("#correlate-summary").getText().contains("connection groups") ? true : null, "the correlation ran");
        assertEquals("entityId", browser.one("#selector-kind").getAttribute("value"));
        assertEquals("entity-hostile", browser.one("#selector-value").getAttribute("value"));

        // A range from a link that the list does not offer is added to it and used.
        browser.open("/alerts?from=now-5h");
        browser.await("#alerts tbody tr", 2);
        assertEquals("now-5h", browser.one("#range").getAttribute("value"));
        browser.open("/alerts?from=now-1h");
        browser.await(() -> browser.one("#alerts-summary").getText().equals("0 alerts") ? true : null,
                "nothing in the last hour: both alerts are two hours old");

        browser.open("/alerts?level=high");
        browser.await("#alerts tbody tr", 1);
        rowOf(hostile).findElement(org.openqa.selenium.By.cssSelector("a.tree-link")).click();
        browser.await(() -> browser.one("#tree-status").getText().endsWith("processes") ? true : null, "the tree drawn");
        assertEquals("entity-hostile", browser.one("#tree-id").getAttribute("value"));
        assertEquals("entity-hostile", browser.one("#details-entity-id").getText(), "the tree is focused on the alert's process");
        assertFalse(browser.markupInjected());
        assertFalse(browser.alertShown());
    }
}
