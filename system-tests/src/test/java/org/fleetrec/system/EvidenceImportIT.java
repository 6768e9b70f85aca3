package org.fleetrec.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.fleetrec.agent.sysmon.SysmonEvent;
import org.fleetrec.agent.sysmon.SysmonIds;
import org.fleetrec.agent.sysmon.SysmonItem;
import org.fleetrec.agent.sysmon.SysmonReader;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Evidence from the shared public attack data imported into a whole stack with {@code ./fleetrec
 * agent import}, then investigated through the web API exactly as live data is: every raw parent
 * link is in the process tree, the two-host OTRF connections are stitched by community id, and a
 * second import stores nothing twice.
 */
@ExtendWith(ElasticsearchExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EvidenceImportIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DATA = RunningStack.root().resolve("../shared/data").normalize();
    private static final List<String> SYSMON = List.of("windows-sysmon/evtx-attack-samples", "windows-sysmon/otrf-security-datasets",
            "windows-sysmon/winlogbeat-golden/collection", "windows-sysmon/windows-rendered-xml", "sysmon-linux/otrf-log4shell");
    private static final String TRACE = "linux-audit/laurel/testdata/shell-proc-trace.txt";

    private static RunningStack stack;
    private static String token;
    private static JsonNode firstImport;

    @BeforeAll
    static void up(TestElasticsearch es) throws Exception {
        assumeTrue(Files.isDirectory(DATA.resolve("windows-sysmon")), "shared reference data not present at " + DATA
                + " (see its README); skipping");
        assumeTrue(RunningStack.isRoot(), "the stack's agent needs root (CAP_AUDIT_CONTROL) to record from the kernel");
        stack = RunningStack.up(es.url(), Duration.ofMinutes(5), "evidence");
        token = stack.stackJson().path("apiToken").asText();
        firstImport = importAll();
        awaitSearchable(firstImport.path("stored").asLong());
    }

    /** Stored means acknowledged; searchable follows at the next refresh. */
    private static void awaitSearchable(long stored) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        long seen = -1;
        while (System.nanoTime() < deadline) {
            seen = api("/api/v1/search?size=1&from=1990-01-01T00:00:00Z&q=" + enc("agent.type:fleetrec-import")).path("total").asLong();
            if (seen >= stored) return;
            Thread.sleep(500);
        }
        throw new AssertionError(stored + " imported documents stored, but only " + seen + " searchable");
    }

    @AfterAll
    static void down() throws Exception {
        if (stack == null) return;
        stack.close();
        RunningStack.deleteWorkFolder(stack.work);
    }

    /** Text exports of every Sysmon folder, and one audit trace that names no host. */
    private static List<String> inputs() throws Exception {
        List<String> args = new ArrayList<>(List.of("agent", "import", "--json", "--host", "trace-host"));
        for (String folder : SYSMON) {
            try (Stream<Path> files = Files.walk(DATA.resolve(folder))) {
                // The .evtx files hold the same records as their XML renderings (a test of their own).
                files.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".evtx")).sorted()
                        .forEach(p -> args.add(p.toString()));
            }
        }
        args.add(DATA.resolve(TRACE).toString());
        return args;
    }

    private static JsonNode importAll() throws Exception {
        RunningStack.CommandResult result = stack.fleetrec(inputs().toArray(String[]::new));
        String output = result.output();
        JsonNode summary = JSON.readTree(output.substring(output.indexOf('{')));
        assertEquals(0, result.status(), output);
        return summary;
    }

    @Test
    @Order(1)
    void everyRecordIsStoredOrSkippedForAStatedReason() {
        assertEquals(0, firstImport.path("failed").size(), firstImport.toPrettyString());
        assertEquals(0, firstImport.path("rejected").size(), firstImport.toPrettyString());
        firstImport.path("skipped").fieldNames().forEachRemaining(reason -> assertTrue(
                reason.startsWith("not a Sysmon event (channel ") || reason.startsWith("a local IPC socket"), reason));
        long documents = firstImport.path("documents").asLong();
        // Log4Shell's syslog JSON and its DERIVED XML are the same 93 records: the second copy is known.
        assertEquals(documents - 93, firstImport.path("stored").asLong(), firstImport.toPrettyString());
        assertEquals(93, firstImport.path("already_stored").asLong());
        assertTrue(firstImport.path("hosts").has("WORKSTATION5.theshire.local"), firstImport.path("hosts").toString());
        assertTrue(firstImport.path("hosts").has("trace-host"), firstImport.path("hosts").toString());
    }

    @Test
    @Order(2)
    void everyRawParentLinkIsInTheProcessTree() throws Exception {
        Map<String, Integer> linksByFile = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        for (String folder : SYSMON) {
            try (Stream<Path> files = Files.walk(DATA.resolve(folder))) {
                for (Path file : files.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".evtx")).sorted().toList()) {
                    for (String[] link : rawLinks(file)) {
                        linksByFile.merge(DATA.relativize(file).toString(), 1, Integer::sum);
                        JsonNode tree = api("/api/v1/processes/" + enc(link[1]) + "/tree?ancestors=1&descendants=0");
                        boolean found = false;
                        for (JsonNode edge : tree.path("edges")) {
                            found |= edge.path("parent").asText().equals(link[0]) && edge.path("child").asText().equals(link[1]);
                        }
                        if (!found) missing.add(DATA.relativize(file) + ": " + link[0] + " -> " + link[1]);
                    }
                }
            }
        }
        System.out.println("evidence tree links checked per file: " + linksByFile);
        assertTrue(linksByFile.size() >= 14, "every dataset with process creations: " + linksByFile.keySet());
        assertEquals(List.of(), missing);
    }

    /** ProcessGuid → ParentProcessGuid of every process creation, as the raw data has them. */
    private static List<String[]> rawLinks(Path file) throws Exception {
        List<String[]> links = new ArrayList<>();
        try (Stream<SysmonItem> items = SysmonReader.items(file)) {
            for (SysmonItem item : items.toList()) {
                if (!(item instanceof SysmonItem.Event e) || e.event().eventId() != 1 || !e.event().isSysmon()) continue;
                SysmonEvent event = e.event();
                String child = SysmonIds.entityId(event, "ProcessGuid", "ProcessId");
                String parent = SysmonIds.entityId(event, "ParentProcessGuid", "ParentProcessId");
                if (child != null && parent != null) links.add(new String[]{parent, child});
            }
        }
        return links;
    }

    /** README B2: both ends of these connections were recorded, each on its own machine. */
    @Test
    @Order(3)
    void connectionsSeenFromBothHostsAreStitched() throws Exception {
        expectChain("2020-08-06", 55275, 52419);
        expectChain("2020-08-06", 55274, 135);
        expectChain("2020-12-19", 56587, 135);
        expectChain("2020-12-19", 56588, 49671);
    }

    private static void expectChain(String day, int clientPort, int serverPort) throws Exception {
        JsonNode answer = api("/api/v1/network/correlate?port=" + serverPort + "&size=5000&from=" + day
                + "T00:00:00Z&to=" + day + "T23:59:59Z");
        for (JsonNode chain : answer.path("chains")) {
            if (chain.path("client").path("port").asInt() == clientPort && chain.path("server").path("port").asInt() == serverPort) {
                assertTrue(chain.path("client").path("host").path("name").asText().startsWith("WORKSTATION5"), chain.toString());
                assertTrue(chain.path("server").path("host").path("name").asText().startsWith("WORKSTATION6"), chain.toString());
                assertEquals("172.18.39.5", chain.path("client").path("ip").asText());
                return;
            }
        }
        throw new AssertionError("no chain 172.18.39.5:" + clientPort + " -> 172.18.39.6:" + serverPort + " in " + answer.path("chains"));
    }

    @Test
    @Order(4)
    void importingAgainStoresNothingTwice() throws Exception {
        JsonNode again = importAll();
        assertEquals(firstImport.path("documents").asLong(), again.path("documents").asLong());
        assertEquals(0, again.path("stored").asLong(), again.toPrettyString());
        assertEquals(again.path("documents").asLong(), again.path("already_stored").asLong());
    }

    private static JsonNode api(String pathAndQuery) throws Exception {
        HttpResponse<String> response = stack.get(pathAndQuery, token);
        assertEquals(200, response.statusCode(), pathAndQuery + ": " + response.body());
        return JSON.readTree(response.body());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
