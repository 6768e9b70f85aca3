package org.fleetrec.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.fleetrec.detection.rules.RuleSource;
import org.fleetrec.detection.rules.ShippedRules;
import org.fleetrec.detection.sigma.SigmaParser;
import org.fleetrec.detection.sigma.SigmaRule;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.fleetrec.web.Browser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The seed examples done for real on this host, recorded by the real agent from the kernel,
 * with nothing configured but a C2 address list and a webhook: a scanner named nmap is run, cat reads
 * /etc/shadow, bash connects to a listed address on loopback, and a runtime client runs inside a
 * container's cgroup. Each must become an alert of the shipped rule set, listed by the alerts API and
 * page and delivered once to the webhook receiver this test runs.
 */
@ExtendWith(ElasticsearchExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeedDetectionIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Loopback holds all of 127/8 on Linux: a listener here is real and reaches nobody else. */
    private static final String C2_ADDRESS = "127.66.0." + ThreadLocalRandom.current().nextInt(2, 250);
    private static final Duration ALERT_WAIT = Duration.ofSeconds(90);

    private static RunningStack stack;
    private static org.fleetrec.agent.source.netlink.AuditStatus auditBefore;
    private static HttpServer webhook;
    private static final List<JsonNode> delivered = new CopyOnWriteArrayList<>();
    private static Path scratch;
    private static Path addressList;
    private static Map<String, String> ruleIds;
    private static volatile boolean failed;

    @org.junit.jupiter.api.extension.RegisterExtension
    static final org.junit.jupiter.api.extension.TestWatcher FAILURES = new org.junit.jupiter.api.extension.TestWatcher() {
        @Override
        public void testFailed(org.junit.jupiter.api.extension.ExtensionContext context, Throwable cause) {
            failed = true;
        }
    };

    @BeforeAll
    static void up(TestElasticsearch es) throws Exception {
        assumeTrue(RunningStack.isRoot(), "the agent needs root (CAP_AUDIT_CONTROL) to record from the kernel");
        auditBefore = AuditRulesProbe.status();
        scratch = Files.createTempDirectory("fleetrec-seed");
        addressList = scratch.resolve("c2-addresses.txt");
        Files.writeString(addressList, "# addresses of a command-and-control server seen in an intrusion\n" + C2_ADDRESS + "\n");
        webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        webhook.createContext("/alerts", exchange -> {
            try (exchange) {
                delivered.add(JSON.readTree(exchange.getRequestBody()));
                exchange.sendResponseHeaders(204, -1);
            }
        });
        webhook.start();
        ruleIds = shippedRuleIds();
        stack = RunningStack.up(es.url(), Duration.ofMinutes(5), "seed", Map.of(
                ShippedRules.C2_ADDRESSES, addressList.toString(),
                "FLEETREC_ALERT_WEBHOOK_URL", "http://127.0.0.1:" + webhook.getAddress().getPort() + "/alerts",
                "FLEETREC_ALERT_WEBHOOK_MIN_LEVEL", "low"));
    }

    @AfterAll
    static void down() throws Exception {
        if (webhook != null) webhook.stop(0);
        if (stack != null) {
            stack.close();
            if (!failed) {
                AuditRulesProbe.assertNoRulesWithKey("fleetrec");
                AuditRulesProbe.assertSameSettings(auditBefore, AuditRulesProbe.status());
                RunningStack.deleteWorkFolder(stack.work);
            }
        }
        if (scratch != null) RunningStack.deleteWorkFolder(scratch);
    }

    /** The shipped rules' ids by title, read from the same sources the ingest server loads. */
    private static Map<String, String> shippedRuleIds() throws Exception {
        Map<String, String> ids = new java.util.HashMap<>();
        for (RuleSource source : ShippedRules.sources(Map.of(ShippedRules.C2_ADDRESSES, addressList.toString()))) {
            SigmaRule rule = SigmaParser.parse(source.name(), source.yaml());
            ids.put(rule.title(), rule.id());
        }
        return ids;
    }

    private static String ruleId(String titleStart) {
        return ruleIds.entrySet().stream().filter(e -> e.getKey().startsWith(titleStart)).map(Map.Entry::getValue)
                .findFirst().orElseThrow(() -> new AssertionError("no shipped rule titled " + titleStart + "…: " + ruleIds.keySet()));
    }

    @Test
    @Order(1)
    void aScannerNamedNmapRaisesAReconAlert() throws Exception {
        Path bin = Files.createDirectories(scratch.resolve("bin"));
        // A binary named so: this host has no nmap, and the rule looks at the image, not its content.
        Path nmap = Files.copy(Path.of("/bin/true"), bin.resolve("nmap"), StandardCopyOption.REPLACE_EXISTING);
        String tag = "seed" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Process scan = new ProcessBuilder(nmap.toString(), "-sT", "-p", "22", "127.0.0.1", "--reason", tag).start();
        assertEquals(0, scan.waitFor());
        JsonNode alert = awaitAlert(ruleId("Network Reconnaissance Tool"), scan.pid());
        assertTrue(alert.path("process").path("command_line").asText().endsWith(tag), alert.toString());
        assertEquals(nmap.toString(), alert.path("process").path("executable").asText());
        assertTrue(alert.path("threat").toString().contains("T1046"), "ATT&CK technique: " + alert.path("threat"));
        assertDelivered(alert);
        assertListedOnThePage(alert);
    }

    @Test
    @Order(2)
    void catReadingShadowRaisesACredentialAccessAlert() throws Exception {
        Process cat = new ProcessBuilder("cat", "/etc/shadow").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertEquals(0, cat.waitFor());
        JsonNode alert = awaitAlert(ruleId("Credential File Read"), cat.pid());
        assertEquals("/etc/shadow", alert.path("file").path("path").asText(), alert.toString());
        assertEquals("cat", alert.path("process").path("name").asText());
        assertEquals("high", alert.path("rule").path("level").asText());
        assertDelivered(alert);
        assertListedOnThePage(alert);
    }

    @Test
    @Order(3)
    void aConnectionToAListedAddressRaisesAnAlert() throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getByName(C2_ADDRESS), 0));
            Thread accepter = new Thread(() -> {
                try (Socket s = listener.accept()) {
                    s.getInputStream().readAllBytes();
                } catch (IOException e) {
                    // the test is over
                }
            });
            accepter.start();
            // bash opens the connection itself (/dev/tcp), so the connect is the shell's, not a helper's.
            Process bash = new ProcessBuilder("bash", "-c", "exec 3<>/dev/tcp/" + C2_ADDRESS + "/" + listener.getLocalPort()
                    + " && echo beacon >&3 && sleep 1").start();
            assertEquals(0, bash.waitFor());
            accepter.join(5_000);
            JsonNode alert = awaitAlert(ruleId("Connection With a Listed"), bash.pid());
            assertEquals(C2_ADDRESS, alert.path("destination").path("ip").asText(), alert.toString());
            assertEquals(listener.getLocalPort(), alert.path("destination").path("port").asInt());
            assertDelivered(alert);
            assertListedOnThePage(alert);
        }
    }

    @Test
    @Order(4)
    void aRuntimeClientInsideAContainerRaisesAnAlert() throws Exception {
        Optional<Path> mount = cgroup2Mount();
        assumeTrue(mount.isPresent(), "no cgroup2 mount on this machine: cannot place a process in a container's cgroup");
        byte[] random = new byte[32];
        ThreadLocalRandom.current().nextBytes(random);
        String id = HexFormat.of().formatHex(random);
        Path parent = Files.createDirectory(mount.get().resolve("fleetrec-seed-" + id.substring(0, 8)));
        Path scope = Files.createDirectory(parent.resolve("docker-" + id + ".scope"));
        Path docker = Files.copy(Path.of("/bin/sleep"), Files.createDirectories(scratch.resolve("cbin")).resolve("docker"),
                StandardCopyOption.REPLACE_EXISTING);
        try {
            // The shell moves itself into the container's cgroup, then becomes the client, as a runtime's exec does.
            Process client = new ProcessBuilder("sh", "-c", "echo $$ > " + scope.resolve("cgroup.procs") + " && exec "
                    + docker + " 2").start();
            assertEquals(0, client.waitFor());
            JsonNode alert = awaitAlert(ruleId("Container Runtime Client"), client.pid());
            assertEquals(docker.toString(), alert.path("process").path("executable").asText(), alert.toString());
            assertEquals(id, alert.path("container").path("id").asText(), "the alert names the container");
            assertDelivered(alert);
            assertListedOnThePage(alert);
        } finally {
            Files.deleteIfExists(scope);
            Files.deleteIfExists(parent);
        }
    }

    @Test
    @Order(5)
    void theStacksOwnProcessesRaisedNothing() throws Exception {
        JsonNode pids = stack.stackJson().path("pids");
        JsonNode all = alerts("size=200");
        for (JsonNode alert : all.path("alerts")) {
            long pid = alert.path("process").path("pid").asLong(-1);
            long parentPid = alert.path("process").path("parent").path("pid").asLong(-1);
            pids.forEach(part -> assertFalse(part.asLong() == pid || part.asLong() == parentPid,
                    "an alert from a part of the stack itself: " + alert));
        }
    }

    /** Polls the alerts API for the rule's alert of one process. */
    private static JsonNode awaitAlert(String ruleId, long pid) throws Exception {
        long deadline = System.nanoTime() + ALERT_WAIT.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = alerts("rule=" + URLEncoder.encode(ruleId, StandardCharsets.UTF_8) + "&status=open&size=100");
            for (JsonNode alert : last.path("alerts")) {
                if (alert.path("process").path("pid").asLong() == pid) return alert;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no alert of rule " + ruleId + " for pid " + pid + " within " + ALERT_WAIT + "; last answer "
                + last + RunningStack.logs(stack.work));
    }

    private static JsonNode alerts(String query) throws Exception {
        var response = stack.get("/api/v1/alerts?" + query, stack.stackJson().path("apiToken").asText());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    /** The webhook got the alert, once. */
    private static void assertDelivered(JsonNode alert) throws Exception {
        String id = alert.path("fleet").path("alert").path("id").asText();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && deliveries(id) == 0) Thread.sleep(200);
        Thread.sleep(1_000); // room for a second delivery, were there one
        assertEquals(1, deliveries(id), "webhook deliveries of alert " + id + ": " + delivered);
    }

    private static long deliveries(String alertId) {
        return delivered.stream().filter(d -> d.toString().contains(alertId)).count();
    }

    /** The alerts page, signed in through the real form, lists the alert under its rule. */
    private static void assertListedOnThePage(JsonNode alert) throws Exception {
        JsonNode admin = stack.stackJson().path("admin");
        try (Browser browser = Browser.signedIn(java.net.URI.create(stack.stackJson().path("web").asText()),
                admin.path("user").asText(), admin.path("password").asText())) {
            String id = alert.path("fleet").path("alert").path("id").asText();
            browser.open("/alerts?rule=" + URLEncoder.encode(alert.path("rule").path("id").asText(), StandardCharsets.UTF_8));
            browser.await("#alerts tbody tr[data-alert-id='" + id + "']", 1);
            String row = browser.one("#alerts tbody tr[data-alert-id='" + id + "']").getText();
            assertTrue(row.contains(alert.path("rule").path("name").asText()), row);
            assertTrue(row.contains(alert.path("host").path("name").asText()), row);
        }
    }

    private static Optional<Path> cgroup2Mount() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] fields = line.split(" ");
            if (fields.length > 2 && fields[2].equals("cgroup2")) return Optional.of(Path.of(fields[1]));
        }
        return Optional.empty();
    }
}
