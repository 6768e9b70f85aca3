package org.fleetrec.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.IndexNames;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.fleetrec.web.WebTestHarness.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The search, hosts and host pages in a real (headless) browser: paging, links, and hostile text shown as text. */
@ExtendWith(ElasticsearchExtension.class)
class SearchPagesBrowserIT {
    private static final String HOSTILE = "\"><img src=x onerror=alert(1)><script>alert(2)</script>";
    private static final int EVENTS = 250;
    private static WebTestHarness harness;
    private static Browser signedIn;
    private static WebDriver browser;

    @BeforeAll
    static void start(TestElasticsearch es) throws Exception {
        Browser.assumeInstalled();
        harness = new WebTestHarness(es);
        Instant now = Instant.now();
        List<Map.Entry<String, Map.Entry<String, ObjectNode>>> docs = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            Instant time = now.minusSeconds(60 + i);
            ObjectNode doc = parse("""
                    {"@timestamp":"%s","event":{"dataset":"process","action":"exec","sequence":%d},"host":{"id":"h-web","name":"web-a"},
                     "agent":{"id":"ag","version":"0.1.0"},"process":{"pid":%d,"name":"sh","executable":"/bin/sh"},"user":{"name":"root"}}"""
                    .formatted(time, i, 100 + i));
            ((ObjectNode) doc.path("process")).put("command_line", i == 0 ? HOSTILE : "/bin/sh -c job" + i);
            docs.add(Map.entry(IndexNames.events(Dataset.PROCESS, time), Map.entry("ag:" + i, doc)));
        }
        ObjectNode host = parse("""
                {"host":{"id":"h-web","name":"web-a","hostname":"web-a.example.org","ip":["10.0.0.5"]},
                 "agent":{"id":"ag","version":"0.1.0"},"last_seen":"%s","health":{"kernel_lost":2}}""".formatted(now));
        docs.add(Map.entry(IndexNames.HOSTS, Map.entry("h-web", host)));
        harness.bulk(docs);

        signedIn = Browser.signedIn(harness.base, "admin", harness.adminPassword);
        browser = signedIn.driver();
    }

    @AfterAll
    static void stop() throws Exception {
        if (signedIn != null) signedIn.close();
        if (harness != null) harness.close();
    }

    /** Polls the page until {@code condition} holds; the pages fill themselves asynchronously. */
    private static void await(Predicate<WebDriver> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                if (condition.test(browser)) return;
            } catch (org.openqa.selenium.WebDriverException notYet) {
                // element not there yet
            }
            if (System.nanoTime() > deadline) throw new AssertionError("page did not get there: " + browser.getPageSource());
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static int rows(String table) {
        return browser.findElements(By.cssSelector(table + " tbody tr")).size();
    }

    @Test
    void searchPageTakesTheHostFromTheUrlAndPagesWithMore() {
        browser.get(harness.base + "/?host=h-web");
        await(d -> rows("#results") == 200);
        assertEquals("h-web", browser.findElement(By.id("host")).getAttribute("value"));
        assertTrue(browser.findElement(By.id("summary")).getText().startsWith(EVENTS + " events"));
        WebElement more = browser.findElement(By.id("more"));
        assertTrue(more.isDisplayed());
        String csv = browser.findElement(By.id("export-csv")).getAttribute("href");
        assertTrue(csv.contains("/api/v1/search/export?") && csv.contains("host=h-web") && csv.contains("format=csv"), csv);
        assertTrue(browser.findElement(By.id("export-ndjson")).getAttribute("href").contains("format=ndjson"));

        more.click();
        await(d -> rows("#results") == EVENTS);
        await(d -> !d.findElement(By.id("more")).isDisplayed());

        List<WebElement> cells = browser.findElements(By.cssSelector("#results tbody td:last-child"));
        assertEquals(HOSTILE, cells.get(0).getText(), "shown as text");
        assertTrue(browser.findElements(By.cssSelector("#results img, #results script")).isEmpty(), "never parsed as HTML");
        WebElement hostLink = browser.findElement(By.cssSelector("#results tbody tr td:nth-child(2) a"));
        assertTrue(hostLink.getAttribute("href").endsWith("/host?id=h-web"));
    }

    @Test
    void hostsAndHostPagesShowTheDirectoryAndActivity() {
        browser.get(harness.base + "/hosts");
        await(d -> rows("#hosts-table") == 1);
        String row = browser.findElement(By.cssSelector("#hosts-table tbody tr")).getText();
        assertTrue(row.contains("web-a") && row.contains("web-a.example.org") && row.contains(String.valueOf(EVENTS)), row);
        assertTrue(browser.findElement(By.cssSelector("#hosts-table tbody td.warn")).getText().contains("kernel_lost=2"));

        browser.findElement(By.linkText("web-a")).click();
        await(d -> !d.findElements(By.cssSelector("#host-timeline svg rect")).isEmpty());
        assertEquals("Host web-a", browser.findElement(By.id("host-title")).getText());
        await(d -> rows("#top-executables") == 1);
        assertTrue(browser.findElement(By.cssSelector("#top-executables tbody tr")).getText().contains("/bin/sh"));
        assertTrue(browser.findElement(By.id("host-search-link")).getAttribute("href").contains("/?host=h-web"));
    }
}
