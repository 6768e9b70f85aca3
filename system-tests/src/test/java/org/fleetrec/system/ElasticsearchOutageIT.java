package org.fleetrec.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.fleetrec.agent.source.netlink.AuditStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * "Elasticsearch answering 429, or down for a while: no loss, no duplicate", with real parts: the
 * agent records real processes from the kernel while the stack's Elasticsearch is stopped or
 * refuses writes, and every process must then be found exactly once. The stack runs an
 * Elasticsearch of its own, so stopping it or making it refuse harms no other test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ElasticsearchOutageIT {
    private static final int PROCESSES = 100;
    private static final Duration ARRIVAL = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static RunningStack stack;
    private static AuditStatus auditBefore;
    private static volatile boolean failed;

    /** The work folder (logs, the stack's Elasticsearch) is kept when a test failed, to read why. */
    @RegisterExtension
    static final TestWatcher FAILURES = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            failed = true;
        }
    };

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(RunningStack.isRoot(), "the agent needs root (CAP_AUDIT_CONTROL) to record from the kernel");
        auditBefore = AuditRulesProbe.status();
        stack = RunningStack.upWithOwnElasticsearch(Duration.ofMinutes(5));
        assertFalse(stack.stackJson().path("externalElasticsearch").asBoolean(true),
                "the stack must run its own Elasticsearch: " + stack.stackJson().path("elasticsearch"));
    }

    @AfterAll
    static void down() throws Exception {
        if (stack == null) return;
        stack.close();
        if (failed) return;
        AuditRulesProbe.assertNoRulesWithKey("fleetrec");
        AuditRulesProbe.assertSameSettings(auditBefore, AuditRulesProbe.status());
        assertFalse(Files.exists(stack.work.resolve("stack.json")), "stack.json left behind after the stack stopped");
        RunningStack.deleteWorkFolder(stack.work);
    }

    /** Each test starts from a stack that writes, whatever the one before left. */
    @BeforeEach
    void ready() throws Exception {
        HttpResponse<String> ready = awaitReadyz(200, Duration.ofSeconds(90));
        assertEquals(200, ready.statusCode(), () -> "the ingest server is not ready: " + ready.body() + logs());
    }

    @Test
    @Order(1)
    void elasticsearchDownForAWhileLosesNothingAndDuplicatesNothing() throws Exception {
        long refusedBefore = ingestErrors("elasticsearch_unavailable", "elasticsearch_rejected", "not_ready");
        String tag = tag();
        RunningStack.CommandResult stop = stack.fleetrec("stop", "elasticsearch");
        assertEquals(0, stop.status(), stop.output());
        RunningStack.CommandResult start;
        try {
            assertTrue(stack.stackJson().path("pids").path("elasticsearch").isNull(), "stack.json still names Elasticsearch");
            runProcesses(tag);
            Thread.sleep(20_000); // the agent keeps offering its batches meanwhile
            // The server rechecks Elasticsearch every 15 s while ready: it may take that long to notice.
            HttpResponse<String> readyz = awaitReadyz(503, Duration.ofSeconds(15));
            assertEquals(503, readyz.statusCode(), "ready without Elasticsearch: " + readyz.body());
            long refused = ingestErrors("elasticsearch_unavailable", "elasticsearch_rejected", "not_ready");
            assertTrue(refused > refusedBefore, "no batch was refused during the outage, so it tested nothing: "
                    + refusedBefore + " → " + refused + "\n" + ingest("/metrics").body());
        } finally {
            start = stack.fleetrec("start", "elasticsearch");
        }
        assertEquals(0, start.status(), start.output());
        assertEachArrivedOnce(tag);
    }

    /**
     * Every HTTP request that carries a body counts against Elasticsearch's in-flight requests
     * breaker before it is handled, so with a one-byte limit each _bulk is answered 429
     * circuit_breaking_exception. Cluster health (no body) and the cluster settings API (which does
     * not trip the breaker) still answer, so the limit can be lifted again. Searches carry a body
     * too, which is why nothing is searched before the limit is lifted.
     */
    @Test
    @Order(2)
    void elasticsearchAnswering429LosesNothingAndDuplicatesNothing() throws Exception {
        URI elasticsearch = URI.create(stack.stackJson().path("elasticsearch").asText());
        long refusedBefore = ingestErrors("elasticsearch_unavailable", "elasticsearch_rejected", "backpressure");
        String tag = tag();
        HttpResponse<String> reset;
        try {
            HttpResponse<String> tiny = inflightRequestsLimit(elasticsearch, "\"1b\"");
            assertEquals(200, tiny.statusCode(), tiny.body());
            HttpResponse<String> probe = bulkProbe(elasticsearch);
            assertEquals(429, probe.statusCode(), "Elasticsearch still takes writes: " + probe.body());
            assertTrue(probe.body().contains("circuit_breaking_exception"), probe.body());

            runProcesses(tag);
            Thread.sleep(15_000); // the agent offers its batches, the server's writes are refused
            long refused = ingestErrors("elasticsearch_unavailable", "elasticsearch_rejected", "backpressure");
            assertTrue(refused > refusedBefore, "the ingest server counted no refused write during the 429s: "
                    + refusedBefore + " → " + refused + "\n" + ingest("/metrics").body());
        } finally {
            reset = inflightRequestsLimit(elasticsearch, "null");
        }
        assertEquals(200, reset.statusCode(), "the breaker limit could not be lifted: " + reset.body());
        assertEachArrivedOnce(tag);
    }

    /**
     * An ingest server (re)started while Elasticsearch is down: it serves, says it is not ready,
     * pushes the agent back, and once Elasticsearch comes installs its templates and takes it all.
     */
    @Test
    @Order(3)
    void ingestStartedWhileElasticsearchIsDownTakesEverythingOnceItComes() throws Exception {
        String tag = tag();
        RunningStack.CommandResult stop = stack.fleetrec("stop", "elasticsearch");
        assertEquals(0, stop.status(), stop.output());
        RunningStack.CommandResult start;
        try {
            RunningStack.CommandResult ingestDown = stack.fleetrec("stop", "ingest");
            assertEquals(0, ingestDown.status(), ingestDown.output());
            RunningStack.CommandResult ingestUp = stack.fleetrec("start", "ingest");
            assertEquals(0, ingestUp.status(), ingestUp.output());
            assertTrue(ingestUp.output().contains("not ready until Elasticsearch is started"), ingestUp.output());
            HttpResponse<String> readyz = ingest("/readyz");
            assertEquals(503, readyz.statusCode(), "ready without Elasticsearch: " + readyz.body());
            assertTrue(readyz.body().toLowerCase(java.util.Locale.ROOT).contains("elasticsearch"), readyz.body());
            runProcesses(tag);
            Thread.sleep(15_000); // the agent offers its batches to a server that cannot store them
            long refused = ingestErrors("elasticsearch_unavailable", "not_ready", "backpressure");
            assertTrue(refused > 0, "no batch was refused by the fresh server, so it tested nothing:\n" + ingest("/metrics").body());
        } finally {
            start = stack.fleetrec("start", "elasticsearch");
        }
        assertEquals(0, start.status(), start.output());
        assertEquals(200, awaitReadyz(200, Duration.ofSeconds(90)).statusCode(), "never ready after Elasticsearch came" + logs());
        assertEachArrivedOnce(tag);
    }

    private static String tag() {
        return "fleetrec" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static void runProcesses(String tag) throws Exception {
        for (int i = 0; i < PROCESSES; i++) {
            assertEquals(0, new ProcessBuilder("/bin/echo", tag + "-" + i).start().waitFor());
        }
    }

    /** Waits until every process is found, then checks that none is missing and none is there twice. */
    private static void assertEachArrivedOnce(String tag) throws Exception {
        String query = "event.action:executed AND process.name:echo AND process.args:" + tag + "-*";
        long started = System.nanoTime();
        long deadline = started + ARRIVAL.toNanos();
        JsonNode found = search(query);
        while ((found == null || found.path("total").asLong() < PROCESSES) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            found = search(query);
        }
        System.out.printf("%d processes recorded during the outage found %d ms after it ended%n", PROCESSES,
                (System.nanoTime() - started) / 1_000_000);
        // A copy written just after the last original would not be searchable yet (refresh is 1 s).
        Thread.sleep(3_000);
        JsonNode last = search(query);
        assertTrue(last != null, () -> "the search API does not answer" + logs());

        List<String> args = new ArrayList<>();
        last.path("hits").forEach(hit -> args.add(hit.path("process").path("args").path(1).asText()));
        Set<String> expected = IntStream.range(0, PROCESSES).mapToObj(i -> tag + "-" + i).collect(Collectors.toSet());
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(args);
        List<String> twice = args.stream().filter(a -> args.indexOf(a) != args.lastIndexOf(a)).distinct().toList();
        assertEquals(PROCESSES, last.path("total").asLong(), () -> "each process exactly once; missing " + missing
                + ", more than once " + twice + logs());
        assertEquals(expected, new HashSet<>(args), "the found processes are the ones that ran");
    }

    /** The search API's answer, or null while it cannot answer (Elasticsearch coming back). */
    private static JsonNode search(String query) throws Exception {
        HttpResponse<String> response = stack.get("/api/v1/search?size=" + 10 * PROCESSES + "&q="
                + URLEncoder.encode(query, StandardCharsets.UTF_8), stack.stackJson().path("apiToken").asText());
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    }

    private static HttpResponse<String> awaitReadyz(int status, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> response = ingest("/readyz");
        while (response.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(500);
            response = ingest("/readyz");
        }
        return response;
    }

    /** Requests the server refused, summed over the given reasons of fleetrec_ingest_errors_total. */
    private static long ingestErrors(String... reasons) throws Exception {
        String metrics = ingest("/metrics").body();
        long sum = 0;
        for (String reason : reasons) {
            Matcher counter = Pattern.compile("^fleetrec_ingest_errors_total\\{reason=\"" + reason + "\"} (\\d+)$",
                    Pattern.MULTILINE).matcher(metrics);
            if (counter.find()) sum += Long.parseLong(counter.group(1));
        }
        return sum;
    }

    private static HttpResponse<String> ingest(String path) throws Exception {
        return stack.getIngest(URI.create(stack.stackJson().path("ingest").asText()).resolve(path));
    }

    /** Transient, so that a restart of this stack's Elasticsearch would forget it too. */
    private static HttpResponse<String> inflightRequestsLimit(URI elasticsearch, String limit) throws Exception {
        String body = "{\"transient\":{\"network.breaker.inflight_requests.limit\":" + limit + "}}";
        return HTTP.send(HttpRequest.newBuilder(elasticsearch.resolve("/_cluster/settings")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A write of the kind the ingest server sends, straight to Elasticsearch. */
    private static HttpResponse<String> bulkProbe(URI elasticsearch) throws Exception {
        String body = "{\"create\":{\"_index\":\"fleet-outage-probe\"}}\n{\"probe\":true}\n";
        return HTTP.send(HttpRequest.newBuilder(elasticsearch.resolve("/_bulk")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String logs() {
        try {
            return RunningStack.logs(stack.work);
        } catch (java.io.IOException e) {
            return "\n(logs unreadable: " + e + ")";
        }
    }
}
