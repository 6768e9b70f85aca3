package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.EntityIds;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.EventDocument;
import org.fleetrec.model.IndexNames;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A host's history as the agent writes it: init and sshd found running at agent start, a login
 * shell, a build fanning out to 60 compiler runs, a 25-level chain of shells, processes with
 * hostile command lines and their network/file activity, two processes whose parent's exec was
 * lost, and a second agent start that snapshots the processes still alive.
 */
@ExtendWith(ElasticsearchExtension.class)
class ProcessApiIT {
    private static final String TOKEN = "process-test-token-" + System.nanoTime();
    private static final String SCRIPT = "<script>alert(1)</script>";
    private static final String IMG = "\"><img src=x onerror=alert(1)>";
    private static final String HOST_ID = "9f1c2e4b7a6d4c0e8b3a5f7d1e2c4b6a";
    private static final String HOST = "web-1";
    private static final String OTHER_HOST_ID = "0a7e5c3b1d2f4e6a8c9b0d1e2f3a4b5c";
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    /** The agent started 30 h ago (outside the default 24 h window) and again 30 minutes ago. */
    private static final Instant FIRST_START = NOW.minus(30, ChronoUnit.HOURS);
    private static final Instant RESTART = NOW.minus(30, ChronoUnit.MINUTES);
    private static final Instant LOGIN = NOW.minus(2, ChronoUnit.HOURS);

    private static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static final Map<String, String> ids = new LinkedHashMap<>();
    private static final List<BulkOperation> operations = new ArrayList<>();
    private static final Map<String, Long> sequences = new HashMap<>();
    private static final Map<String, Started> started = new HashMap<>();
    private static ElasticsearchClient client;
    private static WebTestHarness harness;
    private static WebApp web;
    private static URI base;
    private static String adminPassword;

    /** What a later snapshot of a live process repeats about it. */
    private record Started(String parentKey, long pid, String executable, List<String> args, Instant start) {
    }

    @BeforeAll
    static void start(TestElasticsearch es) throws Exception {
        harness = new WebTestHarness(es);
        client = harness.client;
        web = harness.web;
        adminPassword = harness.adminPassword;
        web.credentials().ensureApiToken(TOKEN, "test", Principal.VIEWER);
        base = harness.base;
        history();
        BulkResponse bulk = client.bulk(b -> b.operations(operations));
        assertFalse(bulk.errors(), () -> bulk.items().stream().filter(i -> i.error() != null)
                .map(i -> i.error().reason()).findFirst().orElse(""));
        client.indices().refresh(r -> r.index("fleet-events-*"));
    }

    @AfterAll
    static void stop() {
        if (harness != null) harness.close();
    }

    private static void history() {
        Instant weekAgo = NOW.minus(7, ChronoUnit.DAYS);
        snapshot("init", null, 1, "/usr/lib/systemd/systemd", List.of("/sbin/init", "splash"), FIRST_START, weekAgo);
        snapshot("sshd", "init", 812, "/usr/sbin/sshd", List.of("sshd: /usr/sbin/sshd -D"), FIRST_START, weekAgo);
        snapshot("kthreadd", null, 2, null, List.of(), NOW.minus(3, ChronoUnit.HOURS), weekAgo);

        exec("bash", "sshd", 4100, "/usr/bin/bash", List.of("-bash"), LOGIN);
        exec("make", "bash", 4200, "/usr/bin/make", List.of("make", "-j4"), LOGIN.plusSeconds(60));
        for (int i = 0; i < 60; i++) {
            String tool = i < 40 ? "cc" : "ld";
            exec("make-child-" + i, "make", 5000 + i, "/usr/bin/" + tool, List.of(tool, "-c", "unit" + i + ".c"),
                    LOGIN.plusSeconds(120 + i));
        }
        String parent = "bash";
        for (int level = 1; level <= 25; level++) {
            exec("chain-" + level, parent, 6000 + level, "/usr/bin/sh", List.of("sh", "-c", "level " + level),
                    LOGIN.plusSeconds(300 + level));
            parent = "chain-" + level;
        }
        exit("chain-5", 2, LOGIN.plusSeconds(400));
        exec("hostile", "bash", 7000, "/tmp/" + SCRIPT, List.of("/tmp/" + SCRIPT, IMG), LOGIN.plusSeconds(500));
        exec("hostile-2", "bash", 7001, "/usr/bin/curl", List.of("curl", IMG), LOGIN.plusSeconds(510));
        for (int i = 0; i < 2; i++) {
            activity("hostile", Dataset.NETWORK, "connection_attempted", LOGIN.plusSeconds(520 + i),
                    doc -> doc.put("destination.ip", "203.0.113.7").put("destination.port", 443L));
        }
        for (int i = 0; i < 3; i++) {
            int n = i;
            activity("hostile", Dataset.FILE, "created", LOGIN.plusSeconds(530 + i),
                    doc -> doc.put("file.path", "/tmp/" + IMG + n));
        }
        activity("bash", Dataset.LIBRARY, "loaded", LOGIN.plusSeconds(1),
                doc -> doc.put("dll.path", "/usr/lib/x86_64-linux-gnu/libtinfo.so.6"));

        // cron's exec was lost: its children carry what they know of it.
        ids.put("cron", EntityIds.process(HOST_ID, "boot-1", 4242, 1000, 0));
        for (int i = 1; i <= 2; i++) {
            EventDocument doc = base(LOGIN.plusSeconds(600 + i), Dataset.PROCESS, "executed", HOST_ID, HOST);
            String key = "orphan-" + i;
            ids.put(key, EntityIds.process(HOST_ID, "boot-1", 8000 + i, 2000 + i, 0));
            doc.put("process.entity_id", ids.get(key)).put("process.pid", 8000L + i).put("process.name", "backup.sh")
                    .put("process.executable", "/usr/local/bin/backup.sh")
                    .putAll("process.args", List.of("/usr/local/bin/backup.sh", "--part", String.valueOf(i)))
                    .put("process.command_line", "/usr/local/bin/backup.sh --part " + i)
                    .put("process.parent.entity_id", ids.get("cron")).put("process.parent.pid", 4242L)
                    .put("process.parent.name", "cron").put("process.parent.executable", "/usr/sbin/cron")
                    .put("process.parent.command_line", "/usr/sbin/cron -f " + SCRIPT)
                    .put("user.id", "0").put("user.name", "root");
            add(Dataset.PROCESS, doc);
        }

        // The agent restarts: everything still alive is snapshotted again.
        for (String alive : List.of("init", "sshd", "bash", "hostile")) {
            Started process = started.get(alive);
            EventDocument doc = processDoc(alive, process.parentKey(), process.pid(), process.executable(), process.args(),
                    RESTART, "already-running");
            doc.put("process.start", process.start().toString());
            add(Dataset.PROCESS, doc);
        }

        EventDocument other = base(LOGIN, Dataset.PROCESS, "executed", OTHER_HOST_ID, "db-2");
        other.put("process.entity_id", EntityIds.process(OTHER_HOST_ID, "boot-9", 99, 1, 0)).put("process.pid", 99L)
                .put("process.name", "postgres").put("process.command_line", "postgres -D /var/lib/postgresql");
        add(Dataset.PROCESS, other);
    }

    private static void snapshot(String key, String parentKey, long pid, String executable, List<String> args,
                                 Instant time, Instant startedAt) {
        EventDocument doc = processDoc(key, parentKey, pid, executable, args, time, "already-running");
        doc.put("process.start", startedAt.toString());
        started.put(key, new Started(parentKey, pid, executable, args, startedAt));
        add(Dataset.PROCESS, doc);
    }

    private static void exec(String key, String parentKey, long pid, String executable, List<String> args, Instant time) {
        EventDocument doc = processDoc(key, parentKey, pid, executable, args, time, "executed");
        doc.put("process.start", time.toString()).put("user.id", "1000").put("user.name", "alice")
                .put("user.audit.id", "1000").put("user.audit.name", "alice");
        add(Dataset.PROCESS, doc);
    }

    private static EventDocument processDoc(String key, String parentKey, long pid, String executable, List<String> args,
                                            Instant time, String action) {
        ids.computeIfAbsent(key, k -> EntityIds.process(HOST_ID, "boot-1", pid, time.getEpochSecond(), 0));
        started.putIfAbsent(key, new Started(parentKey, pid, executable, args,
                "already-running".equals(action) ? null : time));
        EventDocument doc = base(time, Dataset.PROCESS, action, HOST_ID, HOST)
                .put("process.entity_id", ids.get(key)).put("process.pid", pid)
                .put("process.executable", executable)
                .put("process.name", executable == null ? key : executable.substring(executable.lastIndexOf('/') + 1))
                .putAll("process.args", args).put("process.command_line", String.join(" ", args));
        if (parentKey != null) {
            doc.put("process.parent.entity_id", ids.get(parentKey)).put("process.parent.pid", 1L);
        } else {
            doc.put("process.parent.pid", 0L);
        }
        return doc;
    }

    private static void exit(String key, int code, Instant time) {
        EventDocument doc = base(time, Dataset.PROCESS, "ended", HOST_ID, HOST)
                .put("process.entity_id", ids.get(key)).put("process.exit_code", code).put("process.end", time.toString());
        add(Dataset.PROCESS, doc);
    }

    private static void activity(String key, Dataset dataset, String action, Instant time,
                                 java.util.function.Consumer<EventDocument> fields) {
        EventDocument doc = base(time, dataset, action, HOST_ID, HOST).put("process.entity_id", ids.get(key))
                .put("process.pid", started.get(key).pid());
        fields.accept(doc);
        add(dataset, doc);
    }

    private static EventDocument base(Instant time, Dataset dataset, String action, String hostId, String hostName) {
        String agent = "agent-" + hostId.substring(0, 8);
        long sequence = sequences.merge(agent, 1L, Long::sum);
        return EventDocument.create().put("@timestamp", time.toString()).put("event.dataset", dataset.id())
                .put("event.action", action).put("event.kind", "event").putAll("event.category", List.of(dataset.id()))
                .putAll("event.type", List.of("info")).put("event.sequence", sequence)
                .put("host.id", hostId).put("host.name", hostName).put("agent.id", agent).put("agent.version", "0.1.0");
    }

    private static void add(Dataset dataset, EventDocument doc) {
        Instant time = Instant.parse(doc.text("@timestamp"));
        String id = IndexNames.documentId(doc.text("agent.id"), doc.get("event.sequence").asLong());
        operations.add(BulkOperation.of(o -> o.create(c -> c.index(IndexNames.events(dataset, time)).id(id).document(doc.json()))));
    }

    @Test
    void ancestorsFromALeafReachTheRootInOrder() throws Exception {
        JsonNode tree = tree("chain-25", "ancestors=50&descendants=0");
        List<String> expected = new ArrayList<>(List.of("init", "sshd", "bash"));
        for (int level = 1; level <= 25; level++) expected.add("chain-" + level);
        assertEquals(expected, keys(tree));
        assertEquals(ids.get("init"), tree.path("root").asText());
        assertEquals(ids.get("chain-25"), tree.path("focus").asText());
        assertFalse(tree.path("truncated").asBoolean());
        for (int i = 1; i < expected.size(); i++) {
            assertTrue(hasEdge(tree, expected.get(i - 1), expected.get(i)), "edge into " + expected.get(i));
        }
        assertEquals(expected.size() - 1, tree.path("edges").size());

        JsonNode init = node(tree, "init");
        // Found running: its start is the process's own, a week before the snapshot.
        assertEquals(NOW.minus(7, ChronoUnit.DAYS).toString(), init.path("start").asText());
        assertFalse(init.has("parent_entity_id"));
        JsonNode bash = node(tree, "bash");
        // Executed once, snapshotted again at the restart: one node, started at the exec.
        assertEquals(LOGIN.toString(), bash.path("start").asText());
        assertEquals("alice", bash.path("user").path("audit").path("name").asText());
        assertEquals(HOST, bash.path("host").path("name").asText());
        assertTrue(bash.path("has_more_children").asBoolean(), "bash has children besides the chain");
        assertFalse(node(tree, "sshd").path("has_more_children").asBoolean(), "bash is sshd's only child");
        assertEquals(2, node(tree, "chain-5").path("exit_code").asInt());
        assertEquals(LOGIN.plusSeconds(400).toString(), node(tree, "chain-5").path("end").asText());

        JsonNode limited = tree("chain-25", "ancestors=10&descendants=0");
        assertEquals(11, limited.path("nodes").size());
        assertEquals(ids.get("chain-15"), limited.path("root").asText());
        assertTrue(limited.path("truncated").asBoolean());
        assertEquals(ids.get("chain-14"), node(limited, "chain-15").path("parent_entity_id").asText());
    }

    @Test
    void descendantsStopAtTheRequestedDepth() throws Exception {
        JsonNode tree = tree("bash", "ancestors=0&descendants=3");
        List<String> keys = keys(tree);
        assertEquals("bash", keys.get(0));
        assertTrue(keys.containsAll(List.of("chain-1", "chain-2", "chain-3", "make", "hostile", "hostile-2")), keys.toString());
        assertFalse(keys.contains("chain-4"));
        assertFalse(keys.contains("sshd"), "ancestors=0 walks nowhere");
        assertTrue(node(tree, "chain-3").path("has_more_children").asBoolean());
        assertFalse(node(tree, "chain-2").path("has_more_children").asBoolean());
        assertFalse(node(tree, "make-child-0").path("has_more_children").asBoolean(), "a compiler run has no children");
        assertFalse(tree.path("truncated").asBoolean());
        assertEquals(ids.get("bash"), tree.path("root").asText());

        JsonNode deepest = tree("chain-1", "ancestors=0&descendants=20");
        List<String> chain = keys(deepest);
        assertEquals(21, chain.size());
        assertEquals("chain-21", chain.get(20));
        assertTrue(node(deepest, "chain-21").path("has_more_children").asBoolean());
        JsonNode leaf = tree("chain-25", "ancestors=0&descendants=5");
        assertEquals(List.of("chain-25"), keys(leaf));
        assertFalse(node(leaf, "chain-25").path("has_more_children").asBoolean());
    }

    @Test
    void wideFanOutIsSummarised() throws Exception {
        JsonNode tree = tree("make", "ancestors=0&descendants=2");
        List<String> children = new ArrayList<>();
        JsonNode summary = null;
        for (JsonNode edge : tree.path("edges")) {
            assertEquals(ids.get("make"), edge.path("parent").asText());
            children.add(edge.path("child").asText());
        }
        for (JsonNode node : tree.path("nodes")) {
            if (node.path("summary").asBoolean()) summary = node;
        }
        assertEquals(51, children.size(), "50 children and one summary");
        for (int i = 0; i < 50; i++) assertTrue(children.contains(ids.get("make-child-" + i)), "the earliest 50 are shown");
        assertFalse(children.contains(ids.get("make-child-50")));
        assertTrue(summary != null);
        assertEquals(ids.get("make"), summary.path("parent").asText());
        assertEquals(10, summary.path("more").asLong());
        assertEquals("cc", summary.path("top_names").get(0).asText());
        assertTrue(summary.path("top_names").toString().contains("\"ld\""));
        assertTrue(children.contains(summary.path("id").asText()), "the summary hangs from make");
        assertFalse(node(tree, "make").path("has_more_children").asBoolean(), "the summary stands for the rest");
    }

    @Test
    void aParentWithoutItsExecIsInferredFromTheChild() throws Exception {
        JsonNode tree = tree("orphan-1", "");
        assertEquals(List.of("cron", "orphan-1"), keys(tree));
        assertEquals(ids.get("cron"), tree.path("root").asText());
        JsonNode cron = node(tree, "cron");
        assertTrue(cron.path("inferred").asBoolean());
        assertEquals(4242, cron.path("pid").asLong());
        assertEquals("cron", cron.path("name").asText());
        assertEquals("/usr/sbin/cron", cron.path("executable").asText());
        assertEquals("/usr/sbin/cron -f " + SCRIPT, cron.path("command_line").asText());
        assertEquals(HOST_ID, cron.path("host").path("id").asText());
        assertTrue(cron.path("has_more_children").asBoolean(), "orphan-2 is a sibling not shown");
        assertFalse(node(tree, "orphan-1").path("inferred").asBoolean());
        assertTrue(hasEdge(tree, "cron", "orphan-1"));

        JsonNode expanded = tree("cron", "ancestors=0&descendants=1");
        assertEquals(List.of("cron", "orphan-1", "orphan-2"), keys(expanded));
        assertTrue(node(expanded, "cron").path("inferred").asBoolean());
    }

    @Test
    void nodesCarryActivityCountsAndHostileTextVerbatim() throws Exception {
        JsonNode tree = tree("hostile", "ancestors=1&descendants=1");
        JsonNode hostile = node(tree, "hostile");
        assertEquals(2, hostile.path("counts").path("network").asLong());
        assertEquals(3, hostile.path("counts").path("file").asLong());
        assertEquals(0, hostile.path("counts").path("library").asLong());
        assertEquals("/tmp/" + SCRIPT + " " + IMG, hostile.path("command_line").asText());
        assertEquals(IMG, hostile.path("args").get(1).asText());
        assertEquals(1, node(tree, "bash").path("counts").path("library").asLong());
        assertEquals(0, node(tree, "bash").path("counts").path("network").asLong());
    }

    @Test
    void processEventsArePagedNewestFirst() throws Exception {
        JsonNode first = get200("/api/v1/processes/" + ids.get("hostile") + "?size=2");
        assertEquals(ids.get("hostile"), first.path("process").path("entity_id").asText());
        assertEquals("/tmp/" + SCRIPT + " " + IMG, first.path("process").path("command_line").asText());
        assertEquals(LOGIN.plusSeconds(500).toString(), first.path("process").path("start").asText());
        assertEquals(7, first.path("total").asLong(), "exec, restart snapshot, 2 network, 3 file");
        assertEquals(2, first.path("counts").path("process").asLong());
        assertEquals(2, first.path("counts").path("network").asLong());
        assertEquals(3, first.path("counts").path("file").asLong());

        List<String> times = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        JsonNode page = first;
        int pages = 0;
        while (true) {
            pages++;
            for (JsonNode event : page.path("events")) {
                times.add(event.path("@timestamp").asText());
                assertTrue(seen.add(event.path("agent").path("id").asText() + ":" + event.path("event").path("sequence").asLong()));
            }
            if (page.path("next").isNull()) break;
            page = get200("/api/v1/processes/" + ids.get("hostile") + "?size=2&search_after=" + enc(page.path("next").asText()));
        }
        assertEquals(4, pages);
        assertEquals(7, times.size());
        assertEquals(RESTART.toString(), times.get(0));
        assertEquals(LOGIN.plusSeconds(500).toString(), times.get(6));
        List<String> sorted = new ArrayList<>(times);
        sorted.sort(java.util.Comparator.reverseOrder());
        assertEquals(sorted, times);

        JsonNode chain5 = get200("/api/v1/processes/" + ids.get("chain-5"));
        assertEquals(2, chain5.path("process").path("exit_code").asInt());
        assertTrue(chain5.path("next").isNull());
        assertEquals(2, chain5.path("events").size());
    }

    @Test
    void rootProcessesOfAHostInAWindow() throws Exception {
        JsonNode lastDay = get200("/api/v1/processes?host=" + HOST);
        Map<String, String> reasons = roots(lastDay);
        // sshd and init were snapshotted again at the restart, so bash hangs below them inside the window.
        assertEquals(Map.of("init", "no-parent-recorded", "kthreadd", "no-parent-recorded",
                "orphan-1", "parent-exec-not-stored", "orphan-2", "parent-exec-not-stored"), reasons);
        assertEquals(4, lastDay.path("total").asLong());
        assertFalse(lastDay.path("truncated").asBoolean());
        assertEquals(List.of("kthreadd", "orphan-1", "orphan-2", "init"), rootKeys(lastDay), "oldest first");
        JsonNode orphan = lastDay.path("roots").get(1);
        assertEquals("cron", orphan.path("parent").path("name").asText());
        assertEquals("/usr/sbin/cron -f " + SCRIPT, orphan.path("parent").path("command_line").asText());

        String window = "&from=" + enc(LOGIN.minusSeconds(60).toString()) + "&to=" + enc(LOGIN.plusSeconds(1000).toString());
        JsonNode beforeRestart = get200("/api/v1/processes?host=" + HOST_ID + window);
        assertEquals(Map.of("bash", "parent-outside-window", "orphan-1", "parent-exec-not-stored",
                "orphan-2", "parent-exec-not-stored"), roots(beforeRestart));

        JsonNode one = get200("/api/v1/processes?host=" + HOST + window + "&size=1");
        assertEquals(List.of("bash"), rootKeys(one));
        assertEquals(3, one.path("total").asLong());

        JsonNode other = get200("/api/v1/processes?host=db-2");
        assertEquals(1, other.path("roots").size());
        assertEquals("postgres", other.path("roots").get(0).path("name").asText());
        assertEquals(0, get200("/api/v1/processes?host=nowhere").path("roots").size());
    }

    @Test
    void unknownProcessesAndBadParametersAreRefused() throws Exception {
        String bash = ids.get("bash");
        assertEquals(404, get("/api/v1/processes/AAAAAAAAAAAAAAAAAAAAAA", TOKEN).statusCode());
        HttpResponse<String> missing = get("/api/v1/processes/AAAAAAAAAAAAAAAAAAAAAA/tree", TOKEN);
        assertEquals(404, missing.statusCode());
        assertEquals(404, EventCodec.mapper().readTree(missing.body()).path("error").path("status").asInt());
        for (String bad : List.of("ancestors=-1", "ancestors=201", "descendants=21", "descendants=abc", "ancestors=1.5")) {
            assertEquals(400, get("/api/v1/processes/" + bash + "/tree?" + bad, TOKEN).statusCode(), bad);
        }
        for (String bad : List.of("size=0", "size=1001", "search_after=not-a-cursor", "search_after=" + enc("WzEsMl0"))) {
            assertEquals(400, get("/api/v1/processes/" + bash + "?" + bad, TOKEN).statusCode(), bad);
        }
        assertEquals(400, get("/api/v1/processes", TOKEN).statusCode());
        assertEquals(400, get("/api/v1/processes?host=web-1&size=1001", TOKEN).statusCode());
        HttpResponse<String> badDate = get("/api/v1/processes?host=web-1&from=yesterday-ish", TOKEN);
        assertEquals(400, badDate.statusCode(), badDate.body());
        assertEquals(400, get("/api/v1/processes/" + "x".repeat(300), TOKEN).statusCode());
        assertEquals(401, get("/api/v1/processes/" + bash + "/tree", null).statusCode());
    }

    @Test
    void thePageNeedsASession() throws Exception {
        HttpResponse<String> anonymous = get("/process?id=" + ids.get("bash"), null);
        assertEquals(302, anonymous.statusCode());
        assertEquals("/login", anonymous.headers().firstValue("Location").orElse(""));
        String session = SignIn.session(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build(), base,
                "admin", adminPassword);
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(base.resolve("/process")).header("Cookie", session).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("id=\"tree\""));
        assertTrue(page.body().contains("/static/process.js"));
        assertEquals(200, get("/static/process.js", null).statusCode());
        assertEquals(200, get("/webjars/cytoscape/3.33.1/dist/cytoscape.min.js", null).statusCode());
    }

    private static Map<String, String> roots(JsonNode listing) {
        Map<String, String> reasons = new HashMap<>();
        for (JsonNode root : listing.path("roots")) reasons.put(key(root.path("entity_id").asText()), root.path("root_reason").asText());
        return reasons;
    }

    private static List<String> rootKeys(JsonNode listing) {
        List<String> keys = new ArrayList<>();
        for (JsonNode root : listing.path("roots")) keys.add(key(root.path("entity_id").asText()));
        return keys;
    }

    private static List<String> keys(JsonNode tree) {
        List<String> keys = new ArrayList<>();
        for (JsonNode node : tree.path("nodes")) {
            if (!node.path("summary").asBoolean()) keys.add(key(node.path("entity_id").asText()));
        }
        return keys;
    }

    private static String key(String entityId) {
        return ids.entrySet().stream().filter(e -> e.getValue().equals(entityId)).map(Map.Entry::getKey)
                .findFirst().orElse(entityId);
    }

    private static JsonNode node(JsonNode tree, String key) {
        for (JsonNode node : tree.path("nodes")) {
            if (ids.get(key).equals(node.path("entity_id").asText())) return node;
        }
        throw new AssertionError(key + " is not in the tree");
    }

    private static boolean hasEdge(JsonNode tree, String parent, String child) {
        for (JsonNode edge : tree.path("edges")) {
            if (edge.path("parent").asText().equals(ids.get(parent)) && edge.path("child").asText().equals(ids.get(child))) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode tree(String key, String query) throws Exception {
        return get200("/api/v1/processes/" + ids.get(key) + "/tree" + (query.isEmpty() ? "" : "?" + query));
    }

    private static JsonNode get200(String path) throws Exception {
        HttpResponse<String> response = get(path, TOKEN);
        assertEquals(200, response.statusCode(), response.body());
        return EventCodec.mapper().readTree(response.body());
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
        if (token != null) request.header("Authorization", "Bearer " + token);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
