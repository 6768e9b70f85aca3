package org.fleetrec.stack.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Real Elasticsearch, no mocks. Each start takes 15-60 s on a small machine, so starts are kept few. */
class LocalElasticsearchTest {

    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    /** {@code <fleetrec.root or repo root>/.fleetrec}, shared with the launcher (one unpacked install). */
    static Path workDir() {
        String root = System.getProperty("fleetrec.root");
        Path base = root != null && !root.isBlank() ? Path.of(root)
                : Path.of("").toAbsolutePath().getParent();
        return base.resolve(".fleetrec").toAbsolutePath().normalize();
    }

    static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(URI url, String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static int uidOf(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
            }
        }
        throw new IllegalStateException("no Uid line for " + pid);
    }

    @Test
    void startIndexFetchAndClose() throws Exception {
        Path workDir = workDir();
        LocalElasticsearch es = LocalElasticsearch.start(workDir, "unit");
        long pid = es.pid();
        try {
            assertEquals(workDir.toRealPath().resolve("es-unit"), es.nodeDir());
            assertEquals("127.0.0.1", es.url().getHost());
            assertEquals(Optional.of(pid), LocalElasticsearch.runningPid(workDir, "unit"));
            assertEquals(Optional.of(es.url()), LocalElasticsearch.runningUrl(workDir, "unit"));
            assertEquals(pid + "", Files.readString(workDir.resolve("es-unit").resolve("pid")).trim());

            HttpResponse<String> health = get(es.url(), "/_cluster/health");
            assertEquals(200, health.statusCode(), health.body());
            JsonNode h = JSON.readTree(health.body());
            assertEquals("fleetrec-unit", h.path("cluster_name").asText());
            assertTrue(List.of("green", "yellow").contains(h.path("status").asText()), health.body());

            if (Posix.isRoot()) {
                assertEquals(65534, uidOf(pid), "Elasticsearch must run as nobody when we are root");
            }
            List<String> cmdline = Posix.cmdline(pid);
            assertTrue(cmdline.contains("-Xmx1g") || System.getenv("FLEETREC_ES_HEAP") != null, cmdline.toString());

            String doc = "{\"host\":\"unit-test\",\"n\":42}";
            HttpResponse<String> put = send(HttpRequest.newBuilder(URI.create(es.url() + "/fleet-unit/_doc/1?refresh=true"))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(doc)).build());
            assertTrue(put.statusCode() == 201 || put.statusCode() == 200, put.body());
            HttpResponse<String> fetched = get(es.url(), "/fleet-unit/_doc/1");
            assertEquals(200, fetched.statusCode(), fetched.body());
            JsonNode source = JSON.readTree(fetched.body()).path("_source");
            assertEquals("unit-test", source.path("host").asText());
            assertEquals(42, source.path("n").asInt());
        } finally {
            es.close();
        }
        assertFalse(alive(pid), "Elasticsearch pid " + pid + " must be gone after close()");
        es.close(); // idempotent
        assertFalse(Files.exists(workDir.resolve("es-unit").resolve("pid")), "pid file must be removed");
        assertEquals(Optional.empty(), LocalElasticsearch.runningPid(workDir, "unit"));
        assertFalse(LocalElasticsearch.stopRunning(workDir, "unit"));
        assertTrue(Files.size(es.nodeDir().resolve("logs").resolve("console.log")) > 0);

        // data survives a restart (the main job's node keeps its data)
        try (LocalElasticsearch again = LocalElasticsearch.start(workDir, "unit")) {
            HttpResponse<String> fetched = get(again.url(), "/fleet-unit/_doc/1");
            assertEquals(200, fetched.statusCode(), "document must survive a restart: " + fetched.body());
            pid = again.pid();
        }
        assertFalse(alive(pid));
        ElasticsearchDistribution.deleteTree(es.nodeDir()); // passed: nothing worth keeping
    }

    @Test
    void pidFileOfAnUnrelatedProcessIsNeverKilled() throws Exception {
        Path workDir = workDir();
        Path control = workDir.resolve("es-bogus");
        Files.createDirectories(control);
        Process sleeper = new ProcessBuilder("sleep", "300").start();
        try {
            Files.writeString(control.resolve("pid"), sleeper.pid() + "\n");
            Files.writeString(control.resolve("node.properties"), "launcherPid=" + sleeper.pid() + "\n");
            assertEquals(Optional.empty(), LocalElasticsearch.runningPid(workDir, "bogus"));
            assertFalse(LocalElasticsearch.stopRunning(workDir, "bogus"));
            assertTrue(sleeper.isAlive(), "an unrelated process must never be signalled");
        } finally {
            sleeper.destroyForcibly().waitFor();
            ElasticsearchDistribution.deleteTree(control);
        }
    }

    @Test
    void installIsCompleteIdempotentAndScriptsAreExecutable() throws Exception {
        Path first = ElasticsearchDistribution.install(workDir());
        Path second = ElasticsearchDistribution.install(workDir());
        assertEquals(first, second);
        assertTrue(first.endsWith(Path.of("elasticsearch", ElasticsearchDistribution.VERSION)), first.toString());
        assertTrue(Files.isExecutable(first.resolve("bin/elasticsearch")));
        assertTrue(Files.isExecutable(first.resolve("bin/elasticsearch-cli")));
        assertTrue(Files.isRegularFile(first.resolve("lib/elasticsearch-" + ElasticsearchDistribution.VERSION
                + ".jar")));
        assertTrue(Files.isRegularFile(ElasticsearchDistribution.resolveZip()));
        try (var siblings = Files.list(first.getParent())) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().startsWith(".unpack-")),
                    "no temporary unpack folder may be left behind");
        }
    }

    @Test
    void configOnlyNamesSettingsThisDistributionKnows() throws Exception {
        Path install = ElasticsearchDistribution.install(workDir());
        String yml = LocalElasticsearch.elasticsearchYml(install, "x", 1, 2, Path.of("/d"), Path.of("/l"));
        assertTrue(yml.contains("xpack.ml.enabled: false"));
        assertFalse(yml.contains("ingest.geoip"), "this zip has no ingest-geoip module, the setting would be fatal");
        assertTrue(yml.contains("xpack.security.enabled: false"));
        assertTrue(yml.contains("network.host: 127.0.0.1"));
    }

    @Test
    void aMemberJoinsItsClusterInsteadOfFormingOneOfItsOwn() throws Exception {
        Path install = ElasticsearchDistribution.install(workDir());
        String alone = LocalElasticsearch.elasticsearchYml(install, "x", 1, 2, Path.of("/d"), Path.of("/l"));
        assertTrue(alone.contains("discovery.type: single-node") && alone.contains("cluster.name: \"fleetrec-x\""));
        String first = LocalElasticsearch.elasticsearchYml(install, "a", 1, 2, Path.of("/d"), Path.of("/l"),
                ClusterMembership.first("mn"));
        assertTrue(first.contains("cluster.name: \"fleetrec-mn\"") && first.contains("cluster.initial_master_nodes: [ \"a\" ]")
                && first.contains("node.roles: [ master, data, ingest ]") && !first.contains("single-node"), first);
        String data = LocalElasticsearch.elasticsearchYml(install, "b", 3, 4, Path.of("/d"), Path.of("/l"),
                ClusterMembership.dataNode("mn", 2));
        assertTrue(data.contains("discovery.seed_hosts: [ \"127.0.0.1:2\" ]") && data.contains("node.roles: [ data, ingest ]")
                && !data.contains("initial_master_nodes") && data.contains("cluster.name: \"fleetrec-mn\""), data);
        assertThrows(IllegalArgumentException.class, () -> new ClusterMembership("mn", java.util.List.of(), false),
                "a cluster's first node must be able to become its master");
    }

    @Test
    void failedStartReportsTheConsoleTailAndLeavesNothingRunning() throws Exception {
        Path workDir = workDir();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> LocalElasticsearch.start(workDir, "broken", Duration.ofSeconds(120), "-Xms1x -Xmx1x"));
        assertTrue(e.getMessage().contains("exited with code"), e.getMessage());
        assertTrue(e.getMessage().contains("--- last lines of"), e.getMessage());
        assertTrue(e.getMessage().contains("1x"), "the tail should show the JVM complaint: " + e.getMessage());
        assertNothingRunsIn(workDir.toRealPath().resolve("es-broken"));
        assertFalse(Files.exists(workDir.resolve("es-broken").resolve("pid")));
        ElasticsearchDistribution.deleteTree(workDir.resolve("es-broken"));
    }

    @Test
    void startTimeoutStopsEverythingItStarted() throws Exception {
        Path workDir = workDir();
        LocalElasticsearch unexpected = null;
        IllegalStateException failure = null;
        try {
            unexpected = LocalElasticsearch.start(workDir, "slow", Duration.ofSeconds(2));
        } catch (IllegalStateException e) {
            failure = e;
        } finally {
            if (unexpected != null) {
                unexpected.close();
            }
        }
        assertNotNull(failure, "no Elasticsearch can be healthy within 2 s");
        assertTrue(failure.getMessage().contains("did not become healthy"), failure.getMessage());
        assertNothingRunsIn(workDir.toRealPath().resolve("es-slow"));
        assertEquals(Optional.empty(), LocalElasticsearch.runningPid(workDir, "slow"));
        ElasticsearchDistribution.deleteTree(workDir.resolve("es-slow"));
    }

    /** Read-only scan of /proc: no process may still mention the node folder on its command line. */
    static void assertNothingRunsIn(Path nodeDir) throws IOException {
        String marker = nodeDir + "/";
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .forEach(p -> {
                        long pid = Long.parseLong(p.getFileName().toString());
                        List<String> args = Posix.cmdline(pid);
                        assertTrue(args.stream().noneMatch(a -> a.contains(marker)),
                                "pid " + pid + " still runs for " + nodeDir + ": " + args);
                    });
        }
    }
}
