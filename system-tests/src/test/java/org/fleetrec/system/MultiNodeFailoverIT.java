package org.fleetrec.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.agent.ship.Enrollment;
import org.fleetrec.agent.ship.Shipper;
import org.fleetrec.agent.store.EventStore;
import org.fleetrec.model.EventDocument;
import org.fleetrec.stack.elasticsearch.ClusterMembership;
import org.fleetrec.stack.elasticsearch.LocalElasticsearch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documented multi-node setup: a 2-node cluster on loopback (the first node master and data, the
 * second data only, so every index has its replica there) and two ingest servers, each told both
 * nodes. Losing the data node and one ingest server while an agent ships must lose nothing: the
 * agent fails over to the other server, the servers' client leaves the dead node, and Elasticsearch
 * promotes the replicas.
 */
class MultiNodeFailoverIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "multi-node-" + UUID.randomUUID();
    private static final int EVENTS = 6_000;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Path work;
    private static LocalElasticsearch master;
    private static LocalElasticsearch dataNode;
    private static final List<Process> ingests = new ArrayList<>();
    private static final List<URI> ingestUrls = new ArrayList<>();

    @BeforeAll
    static void up() throws Exception {
        work = RunningStack.root().resolve(".fleetrec").resolve("system-test-" + ProcessHandle.current().pid() + "-multinode");
        Files.createDirectories(work);
        master = LocalElasticsearch.start(work, "mn-a", ClusterMembership.first("mn"));
        dataNode = LocalElasticsearch.start(work, "mn-b", ClusterMembership.dataNode("mn", master.transportPort()));
        awaitHealth("wait_for_nodes=2&wait_for_status=green");
        // Each server names both nodes, in a different order: the client must leave whichever goes away.
        ingests.add(startIngest(master.url() + "," + dataNode.url()));
        ingests.add(startIngest(dataNode.url() + "," + master.url()));
    }

    @AfterAll
    static void down() throws Exception {
        for (Process ingest : ingests) stop(ingest);
        if (dataNode != null) dataNode.close();
        if (master != null) master.close();
        if (work != null) RunningStack.deleteWorkFolder(work);
    }

    @Test
    void losingOneNodeAndOneIngestServerLosesNothing() throws Exception {
        Path state = work.resolve("agent");
        Files.createDirectories(state);
        ObjectNode host = JSON.createObjectNode().put("id", "multinode-" + UUID.randomUUID()).put("name", "multinode.example");
        host.putObject("os").put("type", "linux");
        Enrollment.Credentials credentials = Enrollment.enroll(ingestUrls.get(0), SECRET, host, "live", HTTP);
        try (EventStore store = EventStore.open(new EventStore.Config(state.resolve("monitor.db"), 1L << 30, Duration.ofDays(30)));
             Shipper shipper = new Shipper(ingestUrls, credentials.token(), HTTP, Shipper.Limits.defaults(), store)) {
            for (int i = 1; i <= EVENTS; i++) {
                store.append(event(i));
                if (i % 100 == 0) {
                    store.flush();
                    Thread.sleep(50);
                }
                if (i == EVENTS / 3) {
                    awaitCursor(shipper, i - 500, Duration.ofMinutes(2)); // shipping is under way on both paths
                    awaitHealth("wait_for_status=green");
                    JsonNode shards = get(master.url() + "/_cat/shards/fleet-events-*?format=json");
                    long onDataNode = 0;
                    for (JsonNode shard : shards) if ("mn-b".equals(shard.path("node").asText())) onDataNode++;
                    assertTrue(onDataNode > 0, "the data node holds a copy of the events before it goes: " + shards);
                    dataNode.close();
                    stop(ingests.get(0)); // the agent's first server: it must fail over
                }
            }
            store.flush();
            awaitCursor(shipper, EVENTS, Duration.ofMinutes(5));
        }
        JsonNode health = get(master.url() + "/_cluster/health");
        assertEquals(1, health.path("number_of_nodes").asInt(), "the data node is gone: " + health);
        post(master.url() + "/fleet-events-*/_refresh");
        JsonNode count = get(master.url() + "/fleet-events-*/_count?q=agent.id:" + credentials.agentId());
        assertEquals(EVENTS, count.path("count").asLong(), "every event stored, once");
    }

    private static EventDocument event(long sequence) {
        return EventDocument.create()
                .put("@timestamp", Instant.now().toString())
                .put("event.dataset", "process").put("event.action", "executed").put("event.kind", "event")
                .putAll("event.category", List.of("process")).putAll("event.type", List.of("start"))
                .put("event.sequence", sequence)
                .put("process.pid", 1000 + sequence).put("process.name", "failover-" + sequence);
    }

    private static void awaitCursor(Shipper shipper, long sequence, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (shipper.cursor() < sequence) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the shipper reached " + shipper.cursor() + " of " + sequence + " in " + timeout);
            }
            Thread.sleep(100);
        }
    }

    private static Process startIngest(String elasticsearch) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = work.resolve("ingest-" + port + ".log");
        ProcessBuilder builder = new ProcessBuilder(RunningStack.java(), "-jar",
                RunningStack.root().resolve("ingest-server/target/ingest-server-" + RunningStack.VERSION + "-all.jar").toString(), "serve")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("FLEETREC_ES_URL", elasticsearch);
        builder.environment().put("FLEETREC_ENROLLMENT_SECRET", SECRET);
        builder.environment().put("FLEETREC_INGEST_PORT", Integer.toString(port));
        builder.environment().put("FLEETREC_INGEST_BIND", "127.0.0.1");
        builder.environment().put("FLEETREC_INGEST_TLS", "off");
        Process process = builder.start();
        URI url = URI.create("http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(url.resolve("/readyz")).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) break;
            } catch (IOException e) {
                // not listening yet
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new AssertionError("ingest server on " + url + " did not become ready:\n" + Files.readString(log));
            }
            Thread.sleep(250);
        }
        ingestUrls.add(url);
        return process;
    }

    /** SIGTERM by pid, as an operator's stop would. */
    private static void stop(Process process) throws InterruptedException {
        if (!process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(1, TimeUnit.MINUTES)) process.destroyForcibly();
    }

    private static void awaitHealth(String condition) throws Exception {
        JsonNode health = get(master.url() + "/_cluster/health?timeout=120s&" + condition);
        assertTrue(!health.path("timed_out").asBoolean(), "cluster never reached " + condition + ": " + health);
    }

    private static JsonNode get(String url) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(3)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static void post(String url) throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
    }
}
