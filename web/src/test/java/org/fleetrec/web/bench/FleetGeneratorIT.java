package org.fleetrec.web.bench;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventDocument;
import org.fleetrec.model.IndexNames;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.fleetrec.templates.ElasticsearchClients;
import org.fleetrec.templates.ElasticsearchSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small generated fleet checked with plain Elasticsearch queries: the fixtures are what they
 * claim, connections pair up across hosts, counts, ids and sequences are the agent's, and every
 * document would pass the ingest server's checks.
 */
@ExtendWith(ElasticsearchExtension.class)
class FleetGeneratorIT {
    private static final int HOSTS = 20;
    private static final long EVENTS = 20_000;
    private static final Instant END = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    private static ElasticsearchClient client;
    private static Path fixtureFile;
    private static FleetFixtures fixtures;
    private static ByteArrayOutputStream output;
    /** Every event document, read once. */
    private static List<Hit<ObjectNode>> events;
    private static Map<String, JsonNode> hostsById;

    @BeforeAll
    static void generate(TestElasticsearch es) throws Exception {
        client = ElasticsearchClients.create(new ElasticsearchSettings(es.url(), null, es.username(), es.password(), null));
        fixtureFile = Files.createTempDirectory("fleet-generator").resolve("bench/fleet.json");
        fixtures = generator().generate(fixtureFile);
        events = scan(Query.of(q -> q.matchAll(m -> m)));
        hostsById = new HashMap<>();
        for (Hit<ObjectNode> hit : scan(IndexNames.HOSTS, Query.of(q -> q.matchAll(m -> m)))) hostsById.put(hit.id(), hit.source());
    }

    private static FleetGenerator generator() {
        output = new ByteArrayOutputStream();
        return new FleetGenerator(client, new FleetGenerator.Options(HOSTS, EVENTS, 7, 7, END, 2), new PrintStream(output, true));
    }

    @AfterAll
    static void close() {
        if (client != null) ElasticsearchClients.close(client);
    }

    @Test
    void deepTreeIsTwentyLevelsWithOverAThousandDescendants() throws Exception {
        FleetFixtures.DeepTree tree = fixtures.deepTree();
        List<Set<String>> levels = new ArrayList<>();
        Set<String> current = Set.of(tree.rootEntityId());
        while (!current.isEmpty() && levels.size() <= 25) {
            List<FieldValue> parents = current.stream().map(FieldValue::of).toList();
            current = scan(Query.of(q -> q.bool(b -> b
                    .filter(f -> f.terms(t -> t.field("process.parent.entity_id").terms(v -> v.value(parents))))
                    .filter(f -> f.term(t -> t.field(Ecs.EVENT_ACTION).value("executed"))))))
                    .stream().map(hit -> hit.source().path("process").path("entity_id").asText()).collect(Collectors.toSet());
            if (!current.isEmpty()) levels.add(current);
        }
        assertEquals(20, levels.size(), "levels below the root");
        int descendants = levels.stream().mapToInt(Set::size).sum();
        assertEquals(tree.descendants(), descendants);
        assertTrue(descendants >= 1_000, "descendants: " + descendants);
        assertTrue(levels.get(19).contains(tree.leafEntityId()), "the leaf is at the deepest level");

        // Up from the leaf: 20 parents to the root, then bash, the runner, systemd.
        List<String> ancestors = new ArrayList<>();
        String id = tree.leafEntityId();
        while (true) {
            String entity = id;
            List<Hit<ObjectNode>> found = scan(Query.of(q -> q.bool(b -> b
                    .filter(f -> f.term(t -> t.field("process.entity_id").value(entity)))
                    .filter(f -> f.terms(t -> t.field(Ecs.EVENT_ACTION).terms(v -> v.value(
                            List.of(FieldValue.of("executed"), FieldValue.of("already-running")))))))));
            assertEquals(1, found.size(), "one start for " + entity);
            JsonNode parent = found.get(0).source().path("process").path("parent").path("entity_id");
            if (parent.isMissingNode()) break;
            ancestors.add(parent.asText());
            id = parent.asText();
        }
        assertEquals(tree.rootEntityId(), ancestors.get(19));
        assertEquals(20 + tree.rootAncestors(), ancestors.size());
        assertEquals(fixtures.deepTree().hostId(), hostOf(tree.rootEntityId()));
    }

    @Test
    void everyConnectionToAFleetHostHasOneIngressOnThatHost() {
        Map<String, String> hostIdByIp = new HashMap<>();
        hostsById.forEach((hostId, doc) -> doc.path("host").path("ip").forEach(ip -> hostIdByIp.put(ip.asText(), hostId)));
        assertEquals(HOSTS, hostIdByIp.size());
        Map<String, List<JsonNode>> ingressByCommunity = new HashMap<>();
        List<JsonNode> egressToFleet = new ArrayList<>();
        for (Hit<ObjectNode> hit : events) {
            JsonNode doc = hit.source();
            if (!"network".equals(doc.path("event").path("dataset").asText())) continue;
            String direction = doc.path("network").path("direction").asText();
            if (direction.equals("ingress")) {
                ingressByCommunity.computeIfAbsent(doc.path("network").path("community_id").asText(), k -> new ArrayList<>()).add(doc);
            } else if (direction.equals("egress") && hostIdByIp.containsKey(doc.path("destination").path("ip").asText())) {
                egressToFleet.add(doc);
            }
        }
        assertTrue(egressToFleet.size() > 500, "connections between fleet hosts: " + egressToFleet.size());
        Set<String> chainHosts = new HashSet<>();
        for (JsonNode egress : egressToFleet) {
            String community = egress.path("network").path("community_id").asText();
            List<JsonNode> ingress = ingressByCommunity.getOrDefault(community, List.of());
            assertEquals(1, ingress.size(), "ingress events for " + egress);
            JsonNode accepted = ingress.get(0);
            assertEquals(hostIdByIp.get(egress.path("destination").path("ip").asText()), accepted.path("host").path("id").asText());
            assertEquals(egress.path("source").path("port").asInt(), accepted.path("source").path("port").asInt());
            assertEquals(egress.path("host").path("id").asText(), hostIdByIp.get(accepted.path("source").path("ip").asText()));
            assertTrue(!Instant.parse(accepted.path("@timestamp").asText()).isBefore(Instant.parse(egress.path("@timestamp").asText())));
            chainHosts.add(egress.path("host").path("name").asText() + ">" + accepted.path("host").path("name").asText());
        }
        // Requests travel web → app → db, and admins hop from the bastion.
        assertTrue(chainHosts.stream().anyMatch(c -> c.startsWith("web-") && c.contains(">app-")), chainHosts.toString());
        assertTrue(chainHosts.stream().anyMatch(c -> c.startsWith("app-") && c.endsWith(">db-001")), chainHosts.toString());
        assertTrue(chainHosts.stream().anyMatch(c -> c.startsWith("bastion-")), chainHosts.toString());
        long hotClients = egressToFleet.stream()
                .filter(e -> e.path("destination").path("ip").asText().equals(fixtures.hotServer().ip())
                        && e.path("destination").path("port").asInt() == fixtures.hotServer().port())
                .map(e -> e.path("host").path("name").asText()).distinct().count();
        assertEquals(fixtures.hotServer().clients(), hotClients);
        assertTrue(hotClients >= 8, "hosts connecting to the hot server: " + hotClients);
    }

    @Test
    void countsIdsAndSequencesAreTheAgents() {
        assertEquals(fixtures.events(), events.size());
        assertTrue(Math.abs(events.size() - EVENTS) <= EVENTS * 0.05, "events: " + events.size());
        Map<String, TreeMap<Long, Instant>> sequences = new HashMap<>();
        for (Hit<ObjectNode> hit : events) {
            JsonNode doc = hit.source();
            String agentId = doc.path("agent").path("id").asText();
            long sequence = doc.path("event").path("sequence").asLong();
            assertEquals(IndexNames.documentId(agentId, sequence), hit.id());
            Instant previous = sequences.computeIfAbsent(agentId, k -> new TreeMap<>())
                    .put(sequence, Instant.parse(doc.path("@timestamp").asText()));
            assertEquals(null, previous, "sequence used twice: " + hit.id());
        }
        assertEquals(HOSTS, sequences.size());
        double mean = (double) events.size() / HOSTS;
        for (Map.Entry<String, TreeMap<Long, Instant>> host : sequences.entrySet()) {
            TreeMap<Long, Instant> bySequence = host.getValue();
            assertEquals(1L, bySequence.firstKey());
            assertEquals(bySequence.size(), bySequence.lastKey(), "no gaps in " + host.getKey());
            assertTrue(bySequence.size() >= mean * 0.2, host.getKey() + " has " + bySequence.size() + " events, mean " + mean);
            Instant last = Instant.MIN;
            for (Instant time : bySequence.values()) {
                assertFalse(time.isBefore(last), "time goes back in " + host.getKey());
                last = time;
            }
        }
        assertEquals(fixtures.agentIds().stream().sorted().toList(), sequences.keySet().stream().sorted().toList());
    }

    @Test
    void everyDocumentPassesTheIngestShapeRules() {
        Instant now = Instant.now();
        Instant from = Instant.parse(fixtures.from());
        Set<String> datasets = new HashSet<>();
        for (Hit<ObjectNode> hit : events) {
            EventDocument doc = EventDocument.wrap(hit.source());
            for (String field : Ecs.REQUIRED) assertTrue(doc.has(field), field + " missing in " + hit.id());
            for (String object : List.of("agent", "host", "event")) assertTrue(hit.source().path(object).isObject(), object + " in " + hit.id());
            Instant time = Instant.parse(doc.text(Ecs.TIMESTAMP));
            assertTrue(!time.isBefore(from) && !time.isAfter(END), "time " + time + " of " + hit.id());
            assertTrue(time.isAfter(now.minus(Duration.ofDays(400))) && time.isBefore(now.plus(Duration.ofHours(24))));
            Instant ingested = Instant.parse(doc.text(Ecs.EVENT_INGESTED));
            assertFalse(ingested.isBefore(time), "ingested before it happened: " + hit.id());
            Dataset dataset = Dataset.fromId(doc.text(Ecs.EVENT_DATASET)).orElseThrow();
            assertEquals(IndexNames.events(dataset, time), hit.index());
            assertTrue(doc.get(Ecs.EVENT_SEQUENCE).canConvertToLong() && doc.get(Ecs.EVENT_SEQUENCE).asLong() >= 0);
            assertTrue(doc.get(Ecs.EVENT_CATEGORY).isArray() && doc.get(Ecs.EVENT_TYPE).isArray());
            String hostName = hostsById.get(doc.text(Ecs.HOST_ID)).path("host").path("name").asText();
            assertEquals(hostName, doc.text(Ecs.HOST_NAME));
            if (dataset == Dataset.PROCESS && !"already-running".equals(doc.text(Ecs.EVENT_ACTION))) {
                assertNotNull(doc.text("process.parent.entity_id"), "a process without its parent: " + hit.id());
            }
            datasets.add(dataset.id());
        }
        assertEquals(Set.of("process", "network", "file", "library", "auth"), datasets);
    }

    @Test
    void intrusionLeavesItsIndicatorsVerbatim() throws Exception {
        FleetFixtures.Iocs iocs = fixtures.iocs();
        Set<String> beaconing = scan(Query.of(q -> q.bool(b -> b
                .filter(f -> f.term(t -> t.field("destination.ip").value(iocs.ip())))
                .filter(f -> f.term(t -> t.field("destination.port").value(iocs.port()))))))
                .stream().map(h -> h.source().path("host").path("name").asText()).collect(Collectors.toSet());
        assertEquals(Set.copyOf(iocs.hosts()), beaconing);
        assertEquals(2, scan(Query.of(q -> q.term(t -> t.field("process.hash.sha256").value(iocs.sha256()))))
                .stream().filter(h -> "executed".equals(h.source().path("event").path("action").asText())).count());
        List<Hit<ObjectNode>> hostile = scan(Query.of(q -> q.term(t -> t.field("file.name").value("\"><img src=x onerror=alert(1)>.html"))));
        assertEquals(1, hostile.size());
        assertEquals("/tmp/.ICE-unix/.x", hostile.get(0).source().path("file").path("directory").asText());
        JsonNode process = hostile.get(0).source().path("process");
        assertEquals("echo '<script>alert(1)</script>' > '/tmp/.ICE-unix/.x/\"><img src=x onerror=alert(1)>.html'",
                process.path("args").get(2).asText());
        assertEquals("sh -c 'echo '\\''<script>alert(1)</script>'\\'' > '\\''/tmp/.ICE-unix/.x/\"><img src=x onerror=alert(1)>.html'\\'''",
                process.path("command_line").asText());
    }

    @Test
    void sameSeedGivesTheSameFleetAndReplacesTheOldOne() throws Exception {
        FleetFixtures again = generator().generate(fixtureFile);
        String printed = output.toString();
        assertTrue(printed.contains("removed the previous synthetic fleet: " + String.format("%,d", fixtures.events())), printed);
        assertEquals(fixtures.deepTree(), again.deepTree());
        assertEquals(fixtures.iocs(), again.iocs());
        assertEquals(fixtures.agentIds(), again.agentIds());
        assertEquals(fixtures.events(), again.events());
        long stored = client.count(c -> c.index(IndexNames.ALL_EVENTS)).count();
        assertEquals(fixtures.events(), stored, "the second run replaced the first, no duplicates");
        assertEquals(FleetFixtures.read(fixtureFile), again);
    }

    private static String hostOf(String entityId) throws IOException {
        return scan(Query.of(q -> q.term(t -> t.field("process.entity_id").value(entityId)))).get(0)
                .source().path("host").path("id").asText();
    }

    private static List<Hit<ObjectNode>> scan(Query query) throws IOException {
        return scan(IndexNames.ALL_EVENTS, query);
    }

    /** Every hit of {@code query}, through a point in time. */
    private static List<Hit<ObjectNode>> scan(String index, Query query) throws IOException {
        String pit = client.openPointInTime(p -> p.index(index).keepAlive(k -> k.time("1m"))).id();
        List<Hit<ObjectNode>> all = new ArrayList<>();
        try {
            List<FieldValue> after = null;
            while (true) {
                List<FieldValue> from = after;
                SearchResponse<ObjectNode> page = client.search(s -> {
                    s.pit(p -> p.id(pit)).size(10_000).query(query).sort(o -> o.field(f -> f.field("_shard_doc").order(SortOrder.Asc)));
                    if (from != null) s.searchAfter(from);
                    return s;
                }, ObjectNode.class);
                if (page.hits().hits().isEmpty()) return all;
                all.addAll(page.hits().hits());
                after = page.hits().hits().get(page.hits().hits().size() - 1).sort();
            }
        } finally {
            client.closePointInTime(c -> c.id(pit));
        }
    }
}
