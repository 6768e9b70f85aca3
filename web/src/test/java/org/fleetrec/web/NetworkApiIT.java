package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.CommunityId;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.EventDocument;
import org.fleetrec.model.IndexNames;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two hosts, alpha (10.1.0.10) and bravo (10.1.0.20): alpha's ssh connects twice to bravo's sshd,
 * which later starts a shell. Charlie talks to itself over loopback. Alpha resolves and contacts a
 * C2 domain. Delta is known only from the host directory.
 */
@ExtendWith(ElasticsearchExtension.class)
class NetworkApiIT {
    private static final String TOKEN = "net-token-" + System.nanoTime();
    private static final String SCRIPT = "<script>alert(1)</script>";
    private static final String IMG = "\"><img src=x onerror=alert(1)>";
    private static final Instant NOW = Instant.now();
    private static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static ElasticsearchClient client;
    private static WebTestHarness harness;
    private static WebApp web;
    private static URI base;
    private static String flow1;
    private static String flow2;
    private static String loopbackFlow;
    private static long sequence;
    private static String adminPassword;

    @BeforeAll
    static void start(TestElasticsearch es) throws Exception {
        harness = new WebTestHarness(es);
        client = harness.client;
        web = harness.web;
        web.credentials().ensureApiToken(TOKEN, "test", Principal.VIEWER);
        adminPassword = harness.adminPassword;
        base = harness.base;

        flow1 = CommunityId.v1(CommunityId.TCP, ip("10.1.0.10"), 50001, ip("10.1.0.20"), 22);
        flow2 = CommunityId.v1(CommunityId.TCP, ip("10.1.0.10"), 50002, ip("10.1.0.20"), 22);
        loopbackFlow = CommunityId.v1(CommunityId.TCP, ip("127.0.0.1"), 40000, ip("127.0.0.1"), 8080);
        List<EventDocument> events = new ArrayList<>();
        // alpha's ssh client, twice to bravo; bravo's sshd accepts both and later starts a shell
        events.add(connect("host-a", "alpha", "a-ssh", "ssh", "/usr/bin/ssh deploy@10.1.0.20 '" + SCRIPT + "'",
                ago(20), "10.1.0.10", 50002, "10.1.0.20", 22, flow2));
        events.add(connect("host-a", "alpha", "a-ssh", "ssh", "/usr/bin/ssh deploy@10.1.0.20 '" + SCRIPT + "'",
                ago(10), "10.1.0.10", 50001, "10.1.0.20", 22, flow1));
        events.add(accept("host-b", "bravo", "b-sshd", "sshd", "/usr/sbin/sshd -D", ago(20).plusSeconds(1),
                "10.1.0.10", 50002, "10.1.0.20", 22, flow2));
        events.add(accept("host-b", "bravo", "b-sshd", "sshd", "/usr/sbin/sshd -D", ago(10).plusSeconds(1),
                "10.1.0.10", 50001, "10.1.0.20", 22, flow1));
        events.add(network("host-b", "bravo", "b-sshd", "sshd", "/usr/sbin/sshd -D", ago(120), "listen-on-socket", "listening")
                .put("source.ip", "0.0.0.0").put("source.port", 22).put("network.transport", "tcp"));
        events.add(exec("host-b", "bravo", "b-bash", "bash", "bash -c '" + IMG + "'", "b-sshd", ago(9)));
        events.add(exec("host-b", "bravo", "b-old", "sshd", "sshd: deploy [priv]", "b-sshd", ago(180)));
        events.add(exec("host-b", "bravo", "b-other", "cron", "/usr/sbin/cron", "b-init", ago(5)));
        // an older connection, outside the default seven days
        events.add(connect("host-a", "alpha", "a-ssh-old", "ssh", "/usr/bin/ssh 10.1.0.20", NOW.minus(Duration.ofDays(10)),
                "10.1.0.10", 40404, "10.1.0.20", 22, CommunityId.v1(CommunityId.TCP, ip("10.1.0.10"), 40404, ip("10.1.0.20"), 22)));
        // bravo asks a public resolver: nothing to do with alpha
        events.add(connect("host-b", "bravo", "b-resolved", "systemd-resolved", "/lib/systemd/systemd-resolved", ago(30),
                "10.1.0.20", 53000, "198.51.100.1", 53, null).put("network.transport", "udp"));
        // charlie: curl to a local web server over loopback, which then runs a shell
        events.add(connect("host-c", "charlie", "c-curl", "curl", "curl http://127.0.0.1:8080/" + SCRIPT, ago(15),
                "127.0.0.1", 40000, "127.0.0.1", 8080, loopbackFlow));
        events.add(accept("host-c", "charlie", "c-http", "python3", "python3 -m http.server 8080", ago(15),
                "127.0.0.1", 40000, "127.0.0.1", 8080, loopbackFlow));
        events.add(exec("host-c", "charlie", "c-sh", "sh", "sh -c id", "c-http", ago(14)));
        // alpha resolves a C2 domain, then connects to the address it got; another tool names the domain itself
        events.add(dns("host-a", "alpha", "a-curl", "curl", "curl https://c2.example.net/" + IMG, ago(6), "c2.example.net",
                "203.0.113.7", "cdn.c2.example.net"));
        events.add(connect("host-a", "alpha", "a-curl", "curl", "curl https://c2.example.net/" + IMG, ago(6),
                "10.1.0.10", 51000, "203.0.113.7", 443, null));
        events.add(connect("host-a", "alpha", "a-wget", "wget", "wget http://c2.example.net/x", ago(4),
                "10.1.0.10", 51001, "203.0.113.8", 80, null).put("destination.domain", "c2.example.net"));
        // delta is only known from the host directory
        events.add(connect("host-a", "alpha", "a-nc", "nc", "nc 10.1.0.40 443", ago(3), "10.1.0.10", 51002, "10.1.0.40", 443, null));
        bulk(events);

        host("host-a", "alpha", List.of("10.1.0.10", "fe80::1"), "10.9.9.9");
        host("host-b", "bravo", List.of(), "192.0.2.20");
        host("host-d", "delta", List.of("10.1.0.40"), null);
        client.indices().refresh(r -> r.index("fleet-*"));
    }

    @AfterAll
    static void stop() {
        if (harness != null) harness.close();
    }

    @Test
    void anAddressGivesWhoTalkedToItTheHostEdgeAndTheStitchedChains() throws Exception {
        JsonNode body = correlate("ip=10.1.0.20");
        assertEquals("now-7d", body.path("from").asText());
        assertFalse(body.path("truncated").asBoolean());
        JsonNode connections = body.path("connections");
        assertEquals(3, connections.size(), connections.toString());

        JsonNode client = row(connections, "host-a", "egress");
        assertEquals("alpha", client.path("host").path("name").asText());
        assertEquals("a-ssh", client.path("process").path("entity_id").asText());
        assertEquals("ssh", client.path("process").path("name").asText());
        assertEquals("/usr/bin/ssh", client.path("process").path("executable").asText());
        assertEquals("/usr/bin/ssh deploy@10.1.0.20 '" + SCRIPT + "'", client.path("process").path("command_line").asText());
        assertEquals("10.1.0.10", client.path("source").path("ip").asText());
        assertEquals("10.1.0.20", client.path("destination").path("ip").asText());
        assertEquals(22, client.path("destination").path("port").asInt());
        assertEquals("tcp", client.path("transport").asText());
        assertEquals(2, client.path("count").asLong());
        assertEquals(ago(20).toString(), Instant.parse(client.path("first_seen").asText()).toString());
        assertEquals(ago(10).toString(), Instant.parse(client.path("last_seen").asText()).toString());

        JsonNode server = row(connections, "host-b", "ingress");
        assertEquals("b-sshd", server.path("process").path("entity_id").asText());
        assertEquals(2, server.path("count").asLong());
        JsonNode resolver = row(connections, "host-b", "egress");
        assertEquals("198.51.100.1", resolver.path("destination").path("ip").asText(), "bravo's own address matches too");

        JsonNode edges = body.path("hosts_graph");
        assertEquals(1, edges.size(), edges.toString());
        JsonNode edge = edges.get(0);
        assertEquals("host-a", edge.path("from_host").path("id").asText());
        assertEquals("alpha", edge.path("from_host").path("name").asText());
        assertEquals("host-b", edge.path("to_host").path("id").asText());
        assertEquals("10.1.0.10", edge.path("from_ip").asText());
        assertEquals("10.1.0.20", edge.path("to_ip").asText());
        assertEquals(22, edge.path("port").asInt());
        assertEquals(2, edge.path("count").asLong(), "both ends saw the same two connections");

        JsonNode chains = body.path("chains");
        assertEquals(2, chains.size(), chains.toString());
        assertEquals(flow1, chains.get(0).path("community_id").asText(), "newest first");
        assertEquals(flow2, chains.get(1).path("community_id").asText());
        JsonNode chain = chains.get(0);
        assertEquals("alpha", chain.path("client").path("host").path("name").asText());
        assertEquals("a-ssh", chain.path("client").path("process").path("entity_id").asText());
        assertEquals("/usr/bin/ssh deploy@10.1.0.20 '" + SCRIPT + "'", chain.path("client").path("process").path("command_line").asText());
        assertEquals("10.1.0.10", chain.path("client").path("ip").asText());
        assertEquals(50001, chain.path("client").path("port").asInt());
        assertEquals("bravo", chain.path("server").path("host").path("name").asText());
        assertEquals("b-sshd", chain.path("server").path("process").path("entity_id").asText());
        assertEquals("/usr/sbin/sshd -D", chain.path("server").path("process").path("command_line").asText());
        assertEquals("10.1.0.20", chain.path("server").path("ip").asText());
        assertEquals(22, chain.path("server").path("port").asInt());
        assertEquals(ago(10).toString(), Instant.parse(chain.path("first_seen").asText()).toString());
        assertEquals(1, chain.path("count").asLong());
        assertFalse(chain.path("loopback").asBoolean());
        // The shell the accepting sshd started after the connection; not its child from hours before, nor another's.
        JsonNode children = chain.path("server_children");
        assertEquals(1, children.size(), children.toString());
        assertEquals("b-bash", children.get(0).path("entity_id").asText());
        assertEquals("bash", children.get(0).path("name").asText());
        assertEquals("bash -c '" + IMG + "'", children.get(0).path("command_line").asText());
    }

    @Test
    void aBlockMatchesItsAddressesAndLoopbackIsAChainOnOneHost() throws Exception {
        JsonNode lan = correlate("cidr=" + enc("10.1.0.0/24"));
        Set<String> lanProcesses = new TreeSet<>();
        lan.path("connections").forEach(c -> lanProcesses.add(c.path("process").path("entity_id").asText()));
        assertEquals(Set.of("a-ssh", "b-sshd", "b-resolved", "a-curl", "a-wget", "a-nc"), lanProcesses);
        assertEquals(Set.of("host-a>host-b", "host-a>host-d"), edges(lan));
        JsonNode toDelta = edge(lan, "host-d");
        assertEquals("delta", toDelta.path("to_host").path("name").asText());
        assertEquals(443, toDelta.path("port").asInt());
        assertEquals(1, toDelta.path("count").asLong());
        assertEquals(2, lan.path("chains").size());

        JsonNode loopback = correlate("cidr=" + enc("127.0.0.0/8"));
        assertEquals(2, loopback.path("connections").size());
        assertEquals(0, loopback.path("hosts_graph").size(), "loopback belongs to every host and so to none");
        JsonNode chain = loopback.path("chains").get(0);
        assertEquals(1, loopback.path("chains").size());
        assertEquals(loopbackFlow, chain.path("community_id").asText());
        assertTrue(chain.path("loopback").asBoolean());
        assertEquals("host-c", chain.path("client").path("host").path("id").asText());
        assertEquals("host-c", chain.path("server").path("host").path("id").asText());
        assertEquals("c-curl", chain.path("client").path("process").path("entity_id").asText());
        assertEquals("curl http://127.0.0.1:8080/" + SCRIPT, chain.path("client").path("process").path("command_line").asText());
        assertEquals("c-http", chain.path("server").path("process").path("entity_id").asText());
        assertEquals(8080, chain.path("server").path("port").asInt());
        assertEquals("c-sh", chain.path("server_children").get(0).path("entity_id").asText());
    }

    @Test
    void aProcessGivesItsConnectionsAndTheChainsThroughEitherEnd() throws Exception {
        JsonNode server = correlate("entityId=b-sshd");
        Set<String> directions = new TreeSet<>();
        server.path("connections").forEach(c -> {
            assertEquals("b-sshd", c.path("process").path("entity_id").asText());
            directions.add(c.path("direction").asText());
        });
        assertEquals(Set.of("ingress", "listening"), directions);
        assertEquals(2, server.path("chains").size());
        server.path("chains").forEach(c -> assertEquals("a-ssh", c.path("client").path("process").path("entity_id").asText()));

        JsonNode client = correlate("entityId=c-curl");
        assertEquals(1, client.path("connections").size());
        assertEquals(1, client.path("chains").size());
        assertEquals("c-http", client.path("chains").get(0).path("server").path("process").path("entity_id").asText());
    }

    @Test
    void aDomainIsFollowedThroughItsLookupsAndTheAddressesTheyReturned() throws Exception {
        for (String domain : List.of("c2.example.net", "C2.Example.NET.")) {
            JsonNode body = correlate("domain=" + enc(domain));
            JsonNode dns = body.path("dns");
            assertEquals(List.of("203.0.113.7"), strings(dns.path("resolved_ips")), "the CNAME is no address");
            assertEquals(1, dns.path("lookups").size());
            JsonNode lookup = dns.path("lookups").get(0);
            assertEquals("a-curl", lookup.path("process").path("entity_id").asText());
            assertEquals("curl https://c2.example.net/" + IMG, lookup.path("process").path("command_line").asText());
            assertEquals("c2.example.net", lookup.path("question").asText());
            Set<String> processes = new TreeSet<>();
            body.path("connections").forEach(c -> processes.add(c.path("process").path("entity_id").asText()
                    + ">" + c.path("destination").path("ip").asText()));
            assertEquals(Set.of("a-curl>203.0.113.7", "a-wget>203.0.113.8"), processes, domain);
        }
    }

    @Test
    void aPortMatchesConnectionsToItAndSocketsListeningOnIt() throws Exception {
        JsonNode body = correlate("port=22");
        Set<String> rows = new TreeSet<>();
        body.path("connections").forEach(c -> rows.add(c.path("host").path("id").asText() + " " + c.path("direction").asText()));
        assertEquals(Set.of("host-a egress", "host-b ingress", "host-b listening"), rows);
    }

    @Test
    void theWindowDefaultsToSevenDaysAndRowsAreCapped() throws Exception {
        assertEquals(2, row(correlate("ip=10.1.0.20").path("connections"), "host-a", "egress").path("count").asLong());
        JsonNode month = correlate("ip=10.1.0.20&from=now-30d");
        Set<String> processes = new TreeSet<>();
        month.path("connections").forEach(c -> processes.add(c.path("process").path("entity_id").asText()));
        assertTrue(processes.contains("a-ssh-old"), processes.toString());
        assertEquals(0, correlate("ip=10.1.0.20&from=now-30d&to=now-8d").path("chains").size());

        JsonNode capped = correlate("ip=10.1.0.20&size=1");
        assertEquals(1, capped.path("connections").size());
        assertTrue(capped.path("truncated").asBoolean());
    }

    @Test
    void badParametersAreRefused() throws Exception {
        for (String query : List.of("", "ip=10.1.0.20&port=22", "ip=999.1.1.1", "ip=example.com", "ip=10.1",
                "cidr=10.0.0.0/33", "cidr=10.0.0.1", "port=70000", "port=abc", "domain=" + enc("bad domain"),
                "entityId=" + enc("a\u0001b"), "ip=10.1.0.20&size=0", "ip=10.1.0.20&size=x", "ip=10.1.0.20&from=garbage")) {
            HttpResponse<String> response = get("/api/v1/network/correlate?" + query, TOKEN);
            assertEquals(400, response.statusCode(), query + " -> " + response.body());
            assertFalse(EventCodec.mapper().readTree(response.body()).path("error").path("reason").asText().isEmpty(), query);
        }
        assertEquals(401, get("/api/v1/network/correlate?ip=10.1.0.20", null).statusCode());
        HttpResponse<String> page = get("/network", null);
        assertEquals(302, page.statusCode());
        assertEquals("/login", page.headers().firstValue("Location").orElse(""));
    }

    @Test
    void thePageShowsHostileTextAsTextDrawsTheGraphAndLinksTheChain() throws Exception {
        try (Browser browser = Browser.signedIn(base, "admin", adminPassword)) {
            browser.open("/network?ip=10.1.0.20");
            browser.await("#connections tbody tr", 3);
            // Read as one text, retried if the page redraws the table meanwhile.
            browser.await(() -> browser.one("#connections").getText().contains("/usr/bin/ssh deploy@10.1.0.20 '" + SCRIPT + "'")
                    ? true : null, "the hostile command line shown as text in #connections");
            browser.await("#chains > li", 2);
            WebElement child = browser.one("#chains a[href='/process?id=b-bash']");
            assertEquals("bash", child.getText());
            assertTrue(browser.one("#chains").getText().contains("bash -c '" + IMG + "'"));
            assertEquals("ssh", browser.one("#chains a[href='/process?id=a-ssh']").getText());
            browser.await("#host-graph canvas", 1);
            assertEquals(1, browser.all("#host-edges tbody tr").size());
            assertTrue(browser.all("main img, main script").isEmpty(), "event text became markup");

            // The form asks the same endpoint for another selector, and shows its refusals.
            ((JavascriptExecutor) browser.driver()).executeScript("document.getElementById('selector-kind').value = 'port'");
            browser.one("#selector-value").clear();
            browser.one("#selector-value").sendKeys("22");
            browser.one("#correlate-submit").click();
            browser.await(() -> browser.all("#connections tbody tr").stream().anyMatch(r -> r.getText().contains("listening")) ? true : null,
                    "the listening socket of port 22");
            assertTrue(browser.driver().getCurrentUrl().endsWith("/network?port=22"), browser.driver().getCurrentUrl());
            ((JavascriptExecutor) browser.driver()).executeScript("document.getElementById('selector-kind').value = 'ip'");
            browser.one("#selector-value").clear();
            browser.one("#selector-value").sendKeys("999.1.1.1");
            browser.one("#correlate-submit").click();
            browser.await(() -> browser.one("#correlate-summary").getText().contains("ip must be an IPv4 or IPv6 address") ? true : null,
                    "the refusal of a bad address");
            assertEquals(0, browser.all("#connections tbody tr").size());
        }
    }

    // data

    private static Instant ago(int minutes) {
        return NOW.minus(Duration.ofMinutes(minutes)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    private static EventDocument base(String hostId, String hostName, String dataset, Instant time, String action) {
        return EventDocument.create().put("@timestamp", time.toString()).put("event.dataset", dataset)
                .put("event.action", action).put("event.kind", "event").put("event.sequence", ++sequence)
                .put("host.id", hostId).put("host.name", hostName).put("agent.id", "agent-" + hostId).put("agent.version", "0.1.0");
    }

    private static EventDocument withProcess(EventDocument doc, String entityId, String name, String commandLine) {
        String executable = commandLine.startsWith("/") ? commandLine.split(" ")[0] : "/usr/bin/" + name;
        return doc.put("process.entity_id", entityId).put("process.name", name).put("process.executable", executable)
                .put("process.command_line", commandLine).put("process.pid", 1000 + sequence);
    }

    private static EventDocument network(String hostId, String hostName, String entityId, String name, String commandLine,
                                         Instant time, String action, String direction) {
        EventDocument doc = withProcess(base(hostId, hostName, "network", time, action), entityId, name, commandLine);
        doc.putAll("event.category", List.of("network"));
        return doc.put("network.direction", direction);
    }

    private static EventDocument flow(EventDocument doc, String sourceIp, int sourcePort, String destinationIp, int destinationPort,
                                      String communityId) {
        doc.put("source.ip", sourceIp).put("source.port", sourcePort).put("destination.ip", destinationIp)
                .put("destination.port", destinationPort).put("network.transport", "tcp");
        return communityId == null ? doc : doc.put("network.community_id", communityId);
    }

    private static EventDocument connect(String hostId, String hostName, String entityId, String name, String commandLine,
                                         Instant time, String sourceIp, int sourcePort, String destinationIp, int destinationPort,
                                         String communityId) {
        return flow(network(hostId, hostName, entityId, name, commandLine, time, "connected-to", "egress"),
                sourceIp, sourcePort, destinationIp, destinationPort, communityId);
    }

    private static EventDocument accept(String hostId, String hostName, String entityId, String name, String commandLine,
                                        Instant time, String sourceIp, int sourcePort, String destinationIp, int destinationPort,
                                        String communityId) {
        return flow(network(hostId, hostName, entityId, name, commandLine, time, "accepted-connection-from", "ingress"),
                sourceIp, sourcePort, destinationIp, destinationPort, communityId);
    }

    private static EventDocument exec(String hostId, String hostName, String entityId, String name, String commandLine,
                                      String parentEntityId, Instant time) {
        EventDocument doc = withProcess(base(hostId, hostName, "process", time, "exec"), entityId, name, commandLine);
        doc.putAll("event.category", List.of("process"));
        return doc.put("process.parent.entity_id", parentEntityId).put("process.start", time.toString());
    }

    private static EventDocument dns(String hostId, String hostName, String entityId, String name, String commandLine,
                                     Instant time, String question, String address, String cname) {
        EventDocument doc = withProcess(base(hostId, hostName, "dns", time, "lookup"), entityId, name, commandLine);
        doc.put("dns.question.name", question).putAll("dns.resolved_ip", List.of(address));
        ObjectNode a = EventCodec.mapper().createObjectNode().put("data", address).put("type", "A");
        ObjectNode c = EventCodec.mapper().createObjectNode().put("data", cname).put("type", "CNAME");
        ((ObjectNode) doc.json().get("dns")).putArray("answers").add(c).add(a);
        return doc;
    }

    private static void bulk(List<EventDocument> events) throws Exception {
        BulkRequest.Builder bulk = new BulkRequest.Builder();
        for (EventDocument event : events) {
            Dataset dataset = Dataset.fromId(event.text("event.dataset")).orElseThrow();
            String index = IndexNames.events(dataset, Instant.parse(event.text("@timestamp")));
            String id = IndexNames.documentId(event.text("agent.id"), event.get("event.sequence").asLong());
            bulk.operations(o -> o.create(c -> c.index(index).id(id).document(event.json())));
        }
        var response = client.bulk(bulk.build());
        assertFalse(response.errors(), () -> response.items().stream().filter(i -> i.error() != null)
                .map(i -> i.error().reason()).toList().toString());
    }

    private static void host(String id, String name, List<String> addresses, String lastAddress) throws Exception {
        ObjectNode doc = EventCodec.mapper().createObjectNode();
        ObjectNode host = doc.putObject("host").put("id", id).put("name", name);
        if (!addresses.isEmpty()) addresses.forEach(host.putArray("ip")::add);
        if (lastAddress != null) doc.put("last_address", lastAddress);
        doc.put("last_seen", NOW.toString());
        client.index(i -> i.index(IndexNames.HOSTS).id(id).document(doc));
    }

    // requests and reading

    private static JsonNode correlate(String query) throws Exception {
        HttpResponse<String> response = get("/api/v1/network/correlate?" + query, TOKEN);
        assertEquals(200, response.statusCode(), query + " -> " + response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return EventCodec.mapper().readTree(response.body());
    }

    private static JsonNode row(JsonNode connections, String hostId, String direction) {
        List<JsonNode> rows = new ArrayList<>();
        connections.forEach(c -> {
            if (c.path("host").path("id").asText().equals(hostId) && c.path("direction").asText().equals(direction)) rows.add(c);
        });
        assertEquals(1, rows.size(), hostId + " " + direction + " in " + connections);
        return rows.get(0);
    }

    private static Set<String> edges(JsonNode body) {
        Set<String> edges = new TreeSet<>();
        body.path("hosts_graph").forEach(e -> edges.add(e.path("from_host").path("id").asText() + ">" + e.path("to_host").path("id").asText()));
        return edges;
    }

    private static JsonNode edge(JsonNode body, String toHost) {
        for (JsonNode edge : body.path("hosts_graph")) {
            if (edge.path("to_host").path("id").asText().equals(toHost)) return edge;
        }
        throw new AssertionError("no edge to " + toHost + " in " + body.path("hosts_graph"));
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
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
