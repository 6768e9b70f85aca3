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

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One real event from the kernel to a REST search: kernel audit over netlink → agent →
 * gzip NDJSON over HTTP → ingest server → Elasticsearch → web REST API, all started by the
 * launcher as separate processes, exactly as ./fleetrec up does.
 */
@ExtendWith(ElasticsearchExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndIT {
    private static RunningStack stack;
    private static org.fleetrec.agent.source.netlink.AuditStatus auditBefore;
    private static final List<Long> partPids = new ArrayList<>();

    @BeforeAll
    static void up(TestElasticsearch es) throws Exception {
        assumeTrue(RunningStack.isRoot(), "the agent needs root (CAP_AUDIT_CONTROL) to record from the kernel");
        auditBefore = AuditRulesProbe.status();
        stack = RunningStack.up(es.url(), Duration.ofMinutes(5));
        stack.stackJson().path("pids").forEach(pid -> {
            if (pid.canConvertToLong()) partPids.add(pid.asLong());
        });
    }

    @AfterAll
    static void down() throws Exception {
        if (stack != null) stack.close();
    }

    @Test
    @Order(1)
    void stackJsonHoldsTheContract() throws Exception {
        JsonNode json = stack.stackJson();
        for (String key : List.of("web", "ingest", "ingestCa", "elasticsearch", "apiToken", "enrollmentSecret")) {
            assertFalse(json.path(key).asText("").isEmpty(), key + " missing from stack.json: " + json);
        }
        assertTrue(json.path("ingest").asText().startsWith("https://"), "agents ship over TLS: " + json.path("ingest"));
        assertTrue(Files.isReadable(Path.of(json.path("ingestCa").asText())), "the CA file agents trust exists");
        for (String part : List.of("ingest", "web", "agent")) {
            assertTrue(json.path("pids").path(part).canConvertToLong(), "pid of " + part + " missing: " + json);
            assertTrue(ProcessHandle.of(json.path("pids").path(part).asLong()).isPresent(), part + " is not running");
        }
    }

    @Test
    @Order(2)
    void anExecutedProcessIsFoundThroughTheRestApi() throws Exception {
        String word = "fleetrec" + UUID.randomUUID().toString().replace("-", "");
        Process echo = new ProcessBuilder("/bin/echo", word).start();
        long pid = echo.pid();
        assertEquals(0, echo.waitFor());
        long started = System.nanoTime();

        JsonNode result = stack.searchUntilFound("event.action:executed AND process.args:" + word, Duration.ofSeconds(60));
        System.out.printf("exec found through the REST API %d ms after it ran%n", (System.nanoTime() - started) / 1_000_000);
        assertEquals(1, result.path("total").asLong(), "exactly one document for one exec: " + result);
        JsonNode doc = result.path("hits").get(0);
        JsonNode process = doc.path("process");
        assertEquals(pid, process.path("pid").asLong());
        assertEquals("/bin/echo " + word, process.path("command_line").asText());
        assertEquals(Path.of("/bin/echo").toRealPath(), Path.of(process.path("executable").asText()).toRealPath());
        assertEquals("echo", process.path("name").asText());
        assertEquals("root", doc.path("user").path("name").asText());
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), doc.path("host").path("name").asText());
        assertEquals("process", doc.path("event").path("dataset").asText());
        assertFalse(process.path("entity_id").asText("").isEmpty(), "entity id missing: " + doc);

        // The parent link points at this test JVM, which the agent saw in its /proc snapshot.
        String parentEntity = process.path("parent").path("entity_id").asText("");
        assertFalse(parentEntity.isEmpty(), "parent entity id missing: " + doc);
        assertEquals(ProcessHandle.current().pid(), process.path("parent").path("pid").asLong());
        JsonNode parent = stack.searchUntilFound("process.entity_id:\"" + parentEntity + "\" AND process.pid:"
                + ProcessHandle.current().pid(), Duration.ofSeconds(30));
        assertEquals(ProcessHandle.current().pid(), parent.path("hits").get(0).path("process").path("pid").asLong());
        assertNotEquals(parentEntity, process.path("entity_id").asText());
    }

    /**
     * The recorder's acceptance scenario on the real kernel: a shell writes, renames and deletes a
     * file and connects to a listener in this JVM. bash stands in for sh because Debian's sh (dash)
     * cannot open TCP connections by itself; mv and rm are programs of their own, children of bash.
     */
    @Test
    @Order(3)
    void fileAndNetworkActivityAreTiedToTheProcessThatDidIt() throws Exception {
        String tag = "fleetrec" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String file = "/tmp/" + tag;
        long jvm = ProcessHandle.current().pid();
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            int port = listener.getLocalPort();
            // The accepted socket stays open like a server's would, until the test is done with it.
            java.util.concurrent.CompletableFuture<java.net.Socket> accepted = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            return listener.accept();
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            Process shell = new ProcessBuilder("bash", "-c", "echo x > " + file + "; exec 3<>/dev/tcp/127.0.0.1/" + port
                    + "; mv " + file + " " + file + "2; rm " + file + "2").start();
            assertEquals(0, shell.waitFor());
            try (java.net.Socket connection = accepted.get(10, java.util.concurrent.TimeUnit.SECONDS)) {
                assertTrue(connection.isConnected());

            String jvmEntity = stack.searchUntilFound("process.pid:" + jvm + " AND event.action:already-running",
                    Duration.ofSeconds(30)).path("hits").get(0).path("process").path("entity_id").asText();
            JsonNode bash = hit("process.name:bash AND event.action:executed AND process.command_line.text:" + tag);
            assertEquals(jvmEntity, bash.path("process").path("parent").path("entity_id").asText(), "bash's parent is this JVM");
            String bashEntity = bash.path("process").path("entity_id").asText();
            long bashPid = bash.path("process").path("pid").asLong();

            JsonNode created = hit("event.action:created AND file.path:\"" + file + "\"");
            assertEquals(bashEntity, created.path("process").path("entity_id").asText(), "the file was created by bash");
            JsonNode renamed = hit("event.action:renamed AND file.target_path:\"" + file + "2\"");
            assertEquals(file, renamed.path("file").path("path").asText());
            assertEquals("mv", renamed.path("process").path("name").asText());
            assertEquals(bashEntity, renamed.path("process").path("parent").path("entity_id").asText());
            JsonNode deleted = hit("event.action:deleted AND file.path:\"" + file + "2\"");
            assertEquals("rm", deleted.path("process").path("name").asText());
            boolean execdInPlace = deleted.path("process").path("pid").asLong() == bashPid
                    && jvmEntity.equals(deleted.path("process").path("parent").path("entity_id").asText());
            assertTrue(execdInPlace || bashEntity.equals(deleted.path("process").path("parent").path("entity_id").asText()),
                    "rm ran from bash: " + deleted);

            JsonNode egress = hit("event.action:connected-to AND destination.port:" + port);
            assertEquals(bashEntity, egress.path("process").path("entity_id").asText(), "bash made the connection");
            assertEquals("egress", egress.path("network").path("direction").asText());
            assertEquals("127.0.0.1", egress.path("source").path("ip").asText(), "the local end comes from the socket");
            assertTrue(egress.path("source").path("port").asInt() > 0);
            JsonNode ingress = hit("event.action:accepted-connection-from AND destination.port:" + port);
            assertEquals(jvm, ingress.path("process").path("pid").asLong());
            assertEquals(egress.path("source").path("port").asInt(), ingress.path("source").path("port").asInt());
            String communityId = egress.path("network").path("community_id").asText("");
            assertFalse(communityId.isEmpty(), "egress without community id: " + egress);
            assertEquals(communityId, ingress.path("network").path("community_id").asText(), "both ends join on one id");
            }
        }
    }

    private static JsonNode hit(String query) throws Exception {
        JsonNode result = stack.searchUntilFound(query, Duration.ofSeconds(30));
        assertEquals(1, result.path("total").asLong(), "exactly one event for " + query + ": " + result);
        return result.path("hits").get(0);
    }

    @Test
    @Order(4)
    void theRestApiRefusesMissingAndWrongTokens() throws Exception {
        assertEquals(401, stack.get("/api/v1/search?q=*", null).statusCode());
        assertEquals(401, stack.get("/api/v1/search?q=*", "not-a-token").statusCode());
        assertEquals(400, stack.get("/api/v1/search?q=process.pid:%5B1%20TO", stack.stackJson().path("apiToken").asText()).statusCode());
    }

    @Test
    @Order(5)
    void onePartStopsAndStartsWhileTheRestRuns() throws Exception {
        long oldPid = stack.stackJson().path("pids").path("ingest").asLong();
        RunningStack.CommandResult stop = stack.fleetrec("stop", "ingest");
        assertEquals(0, stop.status(), stop.output());
        assertTrue(stack.stackJson().path("pids").path("ingest").isNull(), "stack.json still names the stopped ingest");
        assertFalse(ProcessHandle.of(oldPid).map(ProcessHandle::isAlive).orElse(false), "ingest still runs");
        RunningStack.CommandResult status = stack.fleetrec("status");
        assertEquals(3, status.status(), status.output());
        assertTrue(status.output().matches("(?s).*ingest\\s+stopped.*"), status.output());

        // Recorded while the ingest server is down: the agent must deliver them once the server is back.
        String word = "fleetrec" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        int processes = 200;
        for (int i = 0; i < processes; i++) {
            assertEquals(0, new ProcessBuilder("/bin/echo", word + "-" + i).start().waitFor());
        }

        RunningStack.CommandResult start = stack.fleetrec("start", "ingest");
        assertEquals(0, start.status(), start.output());
        long newPid = stack.stackJson().path("pids").path("ingest").asLong();
        assertNotEquals(oldPid, newPid);
        partPids.add(newPid);
        assertEquals(0, stack.fleetrec("status").status());
        long started = System.nanoTime();
        assertEquals(processes, countEventually("event.action:executed AND process.name:echo AND process.args:" + word + "-*",
                processes, Duration.ofSeconds(60)), "all 200, each once, within a minute of the server's return");
        System.out.printf("200 processes recorded while ingest was down arrived %d ms after it was back%n",
                (System.nanoTime() - started) / 1_000_000);
    }

    private static long countEventually(String query, long expected, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long total = stack.searchUntilFound(query, timeout).path("total").asLong();
        while (total < expected && System.nanoTime() < deadline) {
            Thread.sleep(500);
            total = stack.searchUntilFound(query, Duration.ofSeconds(10)).path("total").asLong();
        }
        return total;
    }

    /**
     * Store and forward under the worst stop: with the ingest server down, processes run and the
     * agent is killed with SIGKILL; once both are back, every process arrives exactly once.
     */
    @Test
    @Order(6)
    void anAgentKilledWhileTheServerIsDownLosesNothingAndDuplicatesNothing() throws Exception {
        assertEquals(0, stack.fleetrec("stop", "ingest").status());
        String tag = "fleetrec" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        int processes = 50;
        for (int i = 0; i < processes; i++) {
            assertEquals(0, new ProcessBuilder("/bin/echo", tag + "-" + i).start().waitFor());
        }
        Thread.sleep(2_000); // recorded and committed to monitor.db, not yet shipped
        long agent = stack.stackJson().path("pids").path("agent").asLong();
        ProcessHandle.of(agent).orElseThrow().destroyForcibly();
        assertTrue(ProcessHandle.of(agent).orElseThrow().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS) != null);

        RunningStack.CommandResult startAgent = stack.fleetrec("start", "agent");
        assertEquals(0, startAgent.status(), startAgent.output());
        partPids.add(stack.stackJson().path("pids").path("agent").asLong());
        RunningStack.CommandResult startIngest = stack.fleetrec("start", "ingest");
        assertEquals(0, startIngest.status(), startIngest.output());
        partPids.add(stack.stackJson().path("pids").path("ingest").asLong());

        String query = "event.action:executed AND process.name:echo AND process.args:" + tag + "*";
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonNode found = stack.searchUntilFound(query, Duration.ofSeconds(90));
        while (found.path("total").asLong() < processes && System.nanoTime() < deadline) {
            Thread.sleep(500);
            found = stack.searchUntilFound(query, Duration.ofSeconds(30));
        }
        assertEquals(processes, found.path("total").asLong(), "each process once: " + found.path("total"));
        java.util.Set<String> args = new java.util.HashSet<>();
        found.path("hits").forEach(h -> args.add(h.path("process").path("args").get(1).asText()));
        assertEquals(processes, args.size(), "no duplicates and none missing");
    }

    /**
     * A second agent, following an audit log instead of the kernel, is given a dead ingest URL
     * first and the real one second: it must enroll and ship through the one that answers.
     */
    @Test
    @Order(7)
    void anAgentFailsOverToTheIngestServerThatAnswers() throws Exception {
        Path work = Files.createDirectories(stack.work.resolve("failover-agent"));
        Path log = Files.createFile(work.resolve("audit.log"));
        Process agent = logAgent(work, log, "http://127.0.0.1:" + deadPort() + "," + stack.stackJson().path("ingest").asText(),
                stack.stackJson().path("enrollmentSecret").asText());
        try {
            awaitReady(work, agent);
            String agentId = agentId(work);
            // Its /proc snapshot and health, shipped through the second URL.
            JsonNode shipped = stack.searchUntilFound("agent.id:\"" + agentId + "\" AND event.action:already-running",
                    Duration.ofSeconds(60));
            assertTrue(shipped.path("total").asLong() > 10, "the snapshot arrived: " + shipped.path("total"));
            JsonNode health = stack.searchUntilFound("agent.id:\"" + agentId + "\" AND fleet.health.source_mode:log",
                    Duration.ofSeconds(30));
            assertEquals(1, health.path("total").asLong());
        } finally {
            stop(agent);
        }
    }

    /**
     * Scale-out: a second ingest server beside the stack's, on the same Elasticsearch; an agent given
     * both fails over when the first is stopped mid-stream, and every event is stored once.
     */
    @Test
    @Order(8)
    void twoIngestServersServeTheSameAgentsAndOneMayStop() throws Exception {
        Path work = Files.createDirectories(stack.work.resolve("scale-out"));
        JsonNode json = stack.stackJson();
        Path second = work.resolve("ingest-2.out");
        ProcessBuilder builder = new ProcessBuilder(RunningStack.java(), "-jar",
                stack.root.resolve("ingest-server/target/ingest-server-" + RunningStack.VERSION + "-all.jar").toString())
                .redirectErrorStream(true).redirectOutput(second.toFile());
        builder.environment().putAll(java.util.Map.of("FLEETREC_ES_URL", json.path("elasticsearch").asText(),
                "FLEETREC_ENROLLMENT_SECRET", json.path("enrollmentSecret").asText(), "FLEETREC_INGEST_PORT", "0",
                "FLEETREC_INGEST_TLS_DIR", Path.of(json.path("ingestCa").asText()).getParent().toString()));
        Process ingest2 = builder.start();
        Process agent = null;
        try {
            String url2 = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (url2 == null) {
                url2 = Files.readString(second).lines().filter(l -> l.startsWith("FLEETREC_READY ingest "))
                        .map(l -> l.substring("FLEETREC_READY ingest ".length()).strip()).findFirst().orElse(null);
                assertTrue(ingest2.isAlive() && System.nanoTime() < deadline, Files.readString(second));
                Thread.sleep(200);
            }
            Path log = Files.createFile(work.resolve("audit.log"));
            agent = logAgent(work, log, json.path("ingest").asText() + "," + url2, json.path("enrollmentSecret").asText());
            awaitReady(work, agent);
            String agentId = agentId(work);
            Files.writeString(log, execLines("scaleout", 1, 300), java.nio.file.StandardOpenOption.APPEND);
            stack.searchUntilFound("agent.id:\"" + agentId + "\" AND process.executable:\"/usr/bin/scaleout-300\"", Duration.ofSeconds(60));
            assertEquals(0, stack.fleetrec("stop", "ingest").status());
            Files.writeString(log, execLines("scaleout", 301, 600), java.nio.file.StandardOpenOption.APPEND);
            String query = "agent.id:\"" + agentId + "\" AND process.executable:\\/usr\\/bin\\/scaleout*";
            String token = json.path("apiToken").asText();
            long total = 0;
            deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (total < 600 && System.nanoTime() < deadline) {
                Thread.sleep(1_000);
                total = search(query, 0, token).path("total").asLong();
            }
            assertEquals(600, total, "each event once, through whichever server answered");
            String metrics = stack.getIngest(URI.create(url2 + "/metrics")).body();
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("fleetrec_ingest_batches_total ") && !l.endsWith(" 0")),
                    "the second server took batches after the failover:\n" + metrics);
        } finally {
            if (agent != null) stop(agent);
            ingest2.destroy();
            if (!ingest2.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) ingest2.destroyForcibly();
            RunningStack.CommandResult restart = stack.fleetrec("start", "ingest");
            assertEquals(0, restart.status(), restart.output());
            partPids.add(stack.stackJson().path("pids").path("ingest").asLong());
        }
    }

    private static final long QUOTA = 4L << 20;

    /**
     * The quota while the server is away: an agent that cannot ship keeps recording within its
     * quota and keeps the newest events; once it can ship, gap events say how many it dropped, and
     * every event is either in Elasticsearch or counted in a gap.
     */
    @Test
    @Order(9)
    void aFullStoreKeepsTheNewestAndReportsTheGap() throws Exception {
        Path work = Files.createDirectories(stack.work.resolve("quota-agent"));
        Path log = Files.createFile(work.resolve("audit.log"));
        String secret = stack.stackJson().path("enrollmentSecret").asText();
        String ingest = stack.stackJson().path("ingest").asText();
        Process agent = logAgent(work, log, ingest, secret); // enrolled while the server answers…
        awaitReady(work, agent);
        String agentId = agentId(work);
        stop(agent);
        int events = 8000;
        agent = logAgent(work, log, "http://127.0.0.1:" + deadPort(), secret); // …then cut off
        try {
            awaitReady(work, agent);
            Files.writeString(log, execLines("quota", 1, events), java.nio.file.StandardOpenOption.APPEND);
            // Wait until the agent has recorded the last event: it is then in monitor.db, or counted.
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!stored(work.resolve("state/monitor.db"), "/usr/bin/quota-" + events) && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            assertTrue(stored(work.resolve("state/monitor.db"), "/usr/bin/quota-" + events), "the last event was never stored");
            assertTrue(Files.readString(work.resolve("agent.out")).contains("store quota reached"), "no retention happened");
            long size = Files.size(work.resolve("state/monitor.db"));
            assertTrue(size <= QUOTA * 3 / 2, "the database stays within its quota and one batch: " + size);
        } finally {
            stop(agent);
        }
        agent = logAgent(work, log, ingest, secret); // the server is reachable again
        try {
            String token = stack.stackJson().path("apiToken").asText();
            JsonNode newest = stack.searchUntilFound("agent.id:\"" + agentId + "\" AND process.executable:\"/usr/bin/quota-"
                    + events + "\"", Duration.ofSeconds(60));
            assertEquals(1, newest.path("total").asLong(), "the newest event was kept and shipped");
            Thread.sleep(2_000); // what was shipped with it becomes searchable
            JsonNode gaps = search("agent.id:\"" + agentId + "\" AND event.action:gap", 1000, token);
            long dropped = 0;
            for (JsonNode hit : gaps.path("hits")) dropped += hit.path("fleet").path("gap").path("count").asLong();
            long kept = search("agent.id:\"" + agentId + "\" AND process.executable:\\/usr\\/bin\\/quota*", 0, token)
                    .path("total").asLong();
            assertTrue(dropped > 0 && kept > 0 && kept < events, "dropped " + dropped + ", kept " + kept);
            assertTrue(dropped + kept >= events && dropped + kept <= events + 400,
                    "every event is in Elasticsearch or counted in a gap: dropped " + dropped + ", kept " + kept);
        } finally {
            stop(agent);
        }
    }

    /** Audit log text of execs of /usr/bin/NAME-i for i in [from, to], one serial each. */
    private static String execLines(String name, int from, int to) {
        long now = System.currentTimeMillis() / 1000;
        StringBuilder lines = new StringBuilder();
        for (int i = from; i <= to; i++) {
            String stamp = "audit(" + now + "." + String.format("%03d", i % 1000) + ":" + (900_000 + i) + "): ";
            lines.append("type=SYSCALL msg=").append(stamp).append("arch=c000003e syscall=59 success=yes exit=0 items=1 ")
                    .append("ppid=1 pid=").append(200_000 + i).append(" auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 ")
                    .append("sgid=0 fsgid=0 tty=(none) ses=1 comm=\"").append(name).append("\" exe=\"/usr/bin/").append(name)
                    .append("-").append(i).append("\" key=\"fleetrec\"\n")
                    .append("type=EXECVE msg=").append(stamp).append("argc=2 a0=\"").append(name).append("\" a1=\"")
                    .append("x".repeat(400)).append("\"\n").append("type=EOE msg=").append(stamp).append("\n");
        }
        return lines.toString();
    }

    private static boolean stored(Path db, String executable) throws Exception {
        try (var connection = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
             var query = connection.prepareStatement("SELECT count(*) FROM events WHERE executable = ?")) {
            query.setString(1, executable);
            try (var rs = query.executeQuery()) {
                return rs.next() && rs.getLong(1) > 0;
            }
        } catch (java.sql.SQLException e) {
            return false; // not created yet, or busy
        }
    }

    private static JsonNode search(String query, int size, String token) throws Exception {
        return com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(stack.get("/api/v1/search?size=" + size
                + "&q=" + java.net.URLEncoder.encode(query, java.nio.charset.StandardCharsets.UTF_8), token).body());
    }

    private static Process logAgent(Path work, Path log, String ingest, String secret) throws Exception {
        Files.writeString(work.resolve("agent.out"), "=== start\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        ProcessBuilder builder = new ProcessBuilder(RunningStack.java(), "-jar",
                stack.root.resolve("endpoint-agent/target/endpoint-agent-" + RunningStack.VERSION + "-all.jar").toString(), "run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("agent.out").toFile()));
        builder.environment().putAll(java.util.Map.of("FLEETREC_AUDIT_SOURCE", "log:" + log,
                "FLEETREC_AGENT_STATE", work.resolve("state").toString(), "FLEETREC_INGEST_URL", ingest,
                "FLEETREC_ENROLLMENT_SECRET", secret, "FLEETREC_STORE_QUOTA_BYTES", Long.toString(QUOTA),
                "FLEETREC_INGEST_CA", stack.stackJson().path("ingestCa").asText()));
        return builder.start();
    }

    private static void awaitReady(Path work, Process agent) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            String out = Files.readString(work.resolve("agent.out"));
            if (out.substring(out.lastIndexOf("=== start")).contains("FLEETREC_READY")) return;
            assertTrue(agent.isAlive() && System.nanoTime() < deadline, out);
            Thread.sleep(200);
        }
    }

    /** A loopback port nothing listens on: a server that is away. */
    private static int deadPort() throws Exception {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String agentId(Path work) throws Exception {
        return com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                .readTree(work.resolve("state/agent-token.json").toFile()).path("agent_id").asText();
    }

    private static void stop(Process agent) throws Exception {
        agent.destroy();
        if (!agent.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) agent.destroyForcibly();
    }

    @Test
    @Order(10)
    void stoppingTheLauncherLeavesNothingBehind() throws Exception {
        stack.close();
        assertFalse(stack.launcher.isAlive(), "the launcher did not stop");
        for (long pid : partPids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " still runs");
        }
        assertFalse(Files.exists(stack.work.resolve("stack.json")), "stack.json left behind after the stack stopped");
        AuditRulesProbe.assertNoRulesWithKey("fleetrec");
        AuditRulesProbe.assertSameSettings(auditBefore, AuditRulesProbe.status());
        RunningStack.deleteWorkFolder(stack.work); // kept only when something failed, for its logs
    }
}
