package org.fleetrec.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.fleetrec.web.WebTestHarness.enc;
import static org.fleetrec.web.WebTestHarness.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(ElasticsearchExtension.class)
class SearchApiIT {
    /** Many more events than one page, on few distinct timestamps: ties must not repeat or lose events across pages. */
    private static final int TOOL_EVENTS = 2_600;
    private static final String TOOL = "q=" + enc("process.executable:\"/usr/bin/tool\"");
    private static final String FORMULA = "=cmd|' /C calc'!A0";
    private static final String SCRIPT = "<script>alert(1)</script>";
    private static final String IMG = "\"><img src=x onerror=alert(1)>";
    private static final String COMMA_QUOTE = "sh -c \"echo a, b\"\nnext line";
    private static WebTestHarness harness;
    private static Instant now;

    @BeforeAll
    static void start(TestElasticsearch es) throws Exception {
        harness = new WebTestHarness(es);
        now = Instant.now();
        List<Map.Entry<String, Map.Entry<String, ObjectNode>>> docs = new ArrayList<>();
        for (int i = 0; i < TOOL_EVENTS; i++) {
            // Two daily indices, 50 distinct times: most events tie with 51 others on @timestamp.
            Instant time = now.minusSeconds((i % 2 == 0 ? 3_600 : 90_000) + i % 25);
            docs.add(event(time, i, "tool", "/usr/bin/tool", "/usr/bin/tool n" + i, "root"));
        }
        docs.add(event(now.minusSeconds(10), 100_001, "evil", "/tmp/evil", FORMULA, "-2+3"));
        docs.add(event(now.minusSeconds(11), 100_002, "evil", "/tmp/evil", SCRIPT, "@admin"));
        docs.add(event(now.minusSeconds(12), 100_003, "evil", "/tmp/evil", IMG, "+bob"));
        docs.add(event(now.minusSeconds(13), 100_004, "evil", "/tmp/evil", COMMA_QUOTE, "alice"));
        harness.bulk(docs);
    }

    @AfterAll
    static void stop() {
        if (harness != null) harness.close();
    }

    private static Map.Entry<String, Map.Entry<String, ObjectNode>> event(Instant time, int sequence, String name,
                                                                           String executable, String commandLine, String user) {
        ObjectNode doc = parse("""
                {"@timestamp":"%s","event":{"dataset":"process","action":"exec","category":["process"],"type":["start"],"sequence":%d},
                 "host":{"id":"h-1","name":"web-a"},"agent":{"id":"agent-1","version":"0.1.0"},
                 "process":{"entity_id":"e%d","pid":%d,"name":"%s","executable":"%s","parent":{"entity_id":"p1","pid":1}},
                 "user":{"name":null}}""".formatted(time, sequence, sequence, sequence % 30_000 + 2, name, executable));
        ((ObjectNode) doc.path("user")).put("name", user);
        ObjectNode process = (ObjectNode) doc.path("process");
        process.put("command_line", commandLine);
        process.putArray("args").add(executable).add(commandLine.substring(commandLine.indexOf(' ') + 1));
        return Map.entry(IndexNames.events(Dataset.PROCESS, time), Map.entry("agent-1:" + sequence, doc));
    }

    /** Every page of a search, following {@code next} until it is absent. */
    private static List<JsonNode> allPages(String query) throws Exception {
        List<JsonNode> pages = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = harness.json("/api/v1/search?" + query + (cursor == null ? "" : "&search_after=" + cursor));
            pages.add(page);
            cursor = page.path("next").isTextual() ? page.path("next").asText() : null;
            assertTrue(pages.size() < 20, "paging must end");
        } while (cursor != null);
        return pages;
    }

    private static List<String> ids(List<JsonNode> pages) {
        List<String> ids = new ArrayList<>();
        for (JsonNode page : pages) page.path("hits").forEach(hit -> ids.add(hit.path("_id").asText()));
        return ids;
    }

    @Test
    void pagesReturnEveryEventExactlyOnceInAStableOrder() throws Exception {
        List<JsonNode> pages = allPages(TOOL + "&size=1000");
        assertEquals(List.of(1000, 1000, 600), pages.stream().map(p -> p.path("hits").size()).toList());
        for (JsonNode page : pages) assertEquals(TOOL_EVENTS, page.path("total").asInt(), "total is exact on every page");
        assertFalse(pages.get(2).has("next"), "the last page has no next");
        List<String> ids = ids(pages);
        assertEquals(TOOL_EVENTS, new HashSet<>(ids).size(), "each event once");
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < TOOL_EVENTS; i++) expected.add("agent-1:" + i);
        assertEquals(expected, new HashSet<>(ids));
        String previous = null;
        for (JsonNode page : pages) {
            for (JsonNode hit : page.path("hits")) {
                String time = hit.path("@timestamp").asText();
                if (previous != null) assertTrue(time.compareTo(previous) <= 0, "newest first: " + time + " after " + previous);
                previous = time;
            }
        }

        // Again, with an event arriving between pages, older than all (so search_after alone would put it on
        // the last page): the point in time keeps the result set as it was when the search began.
        JsonNode first = harness.json("/api/v1/search?" + TOOL + "&size=1000");
        var late = event(now.minusSeconds(90_100), 200_000, "tool-late", "/usr/bin/tool", "/usr/bin/tool late", "root");
        harness.bulk(List.of(late));
        try {
            List<JsonNode> again = new ArrayList<>(List.of(first));
            again.addAll(allPagesFrom(first.path("next").asText()));
            List<String> againIds = ids(again);
            assertEquals(TOOL_EVENTS, againIds.size());
            assertEquals(expected, new HashSet<>(againIds), "nothing from after the first page, nothing twice");
            assertEquals(TOOL_EVENTS + 1, harness.json("/api/v1/search?" + TOOL + "&size=0").path("total").asInt());
        } finally {
            harness.client.delete(d -> d.index(late.getKey()).id(late.getValue().getKey())
                    .refresh(co.elastic.clients.elasticsearch._types.Refresh.True));
        }
    }

    private static List<JsonNode> allPagesFrom(String cursor) throws Exception {
        List<JsonNode> pages = new ArrayList<>();
        while (cursor != null) {
            JsonNode page = harness.json("/api/v1/search?" + TOOL + "&size=1000&search_after=" + cursor);
            pages.add(page);
            cursor = page.path("next").isTextual() ? page.path("next").asText() : null;
        }
        return pages;
    }

    @Test
    void aPostedFormPagesLikeAGet() throws Exception {
        JsonNode first = harness.json("/api/v1/search?" + TOOL + "&size=1000");
        HttpResponse<String> posted = harness.postForm("/api/v1/search", TOOL + "&size=1000&search_after="
                + enc(first.path("next").asText()), harness.viewerToken);
        assertEquals(200, posted.statusCode(), posted.body());
        JsonNode second = EventCodec.mapper().readTree(posted.body());
        assertEquals(1000, second.path("hits").size());
        Set<String> seen = new HashSet<>(ids(List.of(first)));
        for (String id : ids(List.of(second))) assertTrue(seen.add(id), "the second page goes on from the first: " + id);
        assertEquals(400, harness.postForm("/api/v1/search", "q=" + enc("process.pid:[1 TO"), harness.viewerToken).statusCode());
    }

    @Test
    void sortsByAnotherFieldAcrossPages() throws Exception {
        List<JsonNode> pages = allPages(TOOL + "&size=1000&sort=" + enc("event.sequence:asc"));
        List<Integer> sequences = new ArrayList<>();
        for (JsonNode page : pages) page.path("hits").forEach(hit -> sequences.add(hit.path("event").path("sequence").asInt()));
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < TOOL_EVENTS; i++) expected.add(i);
        assertEquals(expected, sequences);

        JsonNode byUserDesc = harness.json("/api/v1/search?q=process.name:evil&sort=" + enc("user.name:desc"));
        List<String> users = new ArrayList<>();
        byUserDesc.path("hits").forEach(hit -> users.add(hit.path("user").path("name").asText()));
        assertEquals(List.of("alice", "@admin", "-2+3", "+bob"), users);

        assertEquals(400, harness.get("/api/v1/search?sort=" + enc("process.command_line.text:asc"), harness.viewerToken).statusCode());
        assertEquals(400, harness.get("/api/v1/search?sort=" + enc("no.such.field:asc"), harness.viewerToken).statusCode());
        assertEquals(400, harness.get("/api/v1/search?sort=" + enc("event.sequence:up"), harness.viewerToken).statusCode());
    }

    @Test
    void hitsNameTheirIndexAndIdNextToTheDocument() throws Exception {
        JsonNode hit = harness.json("/api/v1/search?q=" + enc("process.name:evil AND user.name:alice")).path("hits").get(0);
        assertTrue(hit.path("_index").asText().startsWith("fleet-events-process-"), hit.toString());
        assertEquals("agent-1:100004", hit.path("_id").asText());
        assertEquals("/tmp/evil", hit.path("process").path("args").get(0).asText());

        HttpResponse<String> raw = harness.get("/api/v1/search?q=process.name:evil&size=10", harness.viewerToken);
        Set<String> lines = new HashSet<>();
        EventCodec.mapper().readTree(raw.body()).path("hits").forEach(h -> lines.add(h.path("process").path("command_line").asText()));
        assertEquals(Set.of(FORMULA, SCRIPT, IMG, COMMA_QUOTE), lines, "hostile text comes back verbatim as JSON data");
        assertFalse(EventCodec.mapper().readTree(raw.body()).has("next"), "one page holds them all");
    }

    @Test
    void badCursorsAreRefusedClearly() throws Exception {
        HttpResponse<String> garbage = harness.get("/api/v1/search?" + TOOL + "&search_after=not-a-cursor!", harness.viewerToken);
        assertEquals(400, garbage.statusCode());
        assertTrue(garbage.body().contains("search_after"), garbage.body());
        assertEquals(400, harness.get("/api/v1/search?" + TOOL + "&search_after=AAAA", harness.viewerToken).statusCode());

        String next = harness.json("/api/v1/search?" + TOOL + "&size=10").path("next").asText();
        HttpResponse<String> otherQuery = harness.get("/api/v1/search?q=process.name:evil&size=10&search_after=" + next, harness.viewerToken);
        assertEquals(400, otherQuery.statusCode());
        assertTrue(otherQuery.body().contains("another search"), otherQuery.body());
        assertEquals(400, harness.get("/api/v1/search?" + TOOL + "&size=10&sort=" + enc("event.sequence:asc")
                + "&search_after=" + next, harness.viewerToken).statusCode());

        // Once the point in time is gone, the cursor says so instead of answering from nothing.
        harness.client.closePointInTime(c -> c.id(SearchCursor.decode(next).pitId()));
        HttpResponse<String> expired = harness.get("/api/v1/search?" + TOOL + "&size=10&search_after=" + next, harness.viewerToken);
        assertEquals(410, expired.statusCode(), expired.body());
        assertTrue(expired.body().contains("expired"), expired.body());
    }

    @Test
    void exportStreamsEveryMatchAsNdjson() throws Exception {
        HttpResponse<String> response = harness.get("/api/v1/search/export?" + TOOL + "&format=ndjson", harness.viewerToken);
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/x-ndjson"));
        String disposition = response.headers().firstValue("Content-Disposition").orElse("");
        assertTrue(disposition.startsWith("attachment;") && disposition.contains(".ndjson"), disposition);
        String[] lines = response.body().split("\n");
        assertEquals(TOOL_EVENTS, lines.length);
        Set<Integer> sequences = new HashSet<>();
        for (String line : lines) sequences.add(EventCodec.mapper().readTree(line).path("event").path("sequence").asInt());
        assertEquals(TOOL_EVENTS, sequences.size(), "every event once");

        String[] chosen = harness.get("/api/v1/search/export?q=process.name:evil&fields=" + enc("_id,process.pid"),
                harness.viewerToken).body().split("\n");
        assertEquals(4, chosen.length);
        JsonNode one = EventCodec.mapper().readTree(chosen[0]);
        assertEquals(Set.of("_id", "process"), fieldNames(one));
        assertEquals(Set.of("pid"), fieldNames(one.path("process")));
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void csvExportQuotesAndDefusesHostileCells() throws Exception {
        HttpResponse<String> response = harness.get("/api/v1/search/export?format=csv&q=process.name:evil", harness.viewerToken);
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
        assertTrue(response.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment;"));
        List<List<String>> rows = Rfc4180.parse(response.body());
        assertEquals(String.join(",", SearchExport.DEFAULT_CSV_FIELDS), response.body().substring(0, response.body().indexOf("\r\n")));
        assertEquals(5, rows.size());
        int commandLine = SearchExport.DEFAULT_CSV_FIELDS.indexOf("process.command_line");
        int user = SearchExport.DEFAULT_CSV_FIELDS.indexOf("user.name");
        int pid = SearchExport.DEFAULT_CSV_FIELDS.indexOf("process.pid");
        Map<String, List<String>> byCommandLine = new java.util.HashMap<>();
        for (List<String> row : rows.subList(1, rows.size())) byCommandLine.put(row.get(commandLine), row);
        assertEquals(Set.of("'" + FORMULA, SCRIPT, IMG, COMMA_QUOTE), byCommandLine.keySet());
        assertEquals("'-2+3", byCommandLine.get("'" + FORMULA).get(user));
        assertEquals("'@admin", byCommandLine.get(SCRIPT).get(user));
        assertEquals("'+bob", byCommandLine.get(IMG).get(user));
        assertEquals(String.valueOf(100_004 % 30_000 + 2), byCommandLine.get(COMMA_QUOTE).get(pid));
        assertTrue(response.body().contains("\"sh -c \"\"echo a, b\"\"\nnext line\""), "RFC 4180 quoting of quotes, commas and line breaks");

        List<List<String>> chosen = Rfc4180.parse(harness.get("/api/v1/search/export?format=csv&q=" + enc("user.name:alice")
                + "&fields=" + enc("_id,process.args,host.name"), harness.viewerToken).body());
        assertEquals(List.of(List.of("_id", "process.args", "host.name"),
                List.of("agent-1:100004", "[\"/tmp/evil\",\"-c \\\"echo a, b\\\"\\nnext line\"]", "web-a")), chosen);

        assertEquals(400, harness.get("/api/v1/search/export?format=xml", harness.viewerToken).statusCode());
        assertEquals(400, harness.get("/api/v1/search/export?format=csv&fields=" + enc("a=b"), harness.viewerToken).statusCode());
        HttpResponse<String> badQuery = harness.get("/api/v1/search/export?q=" + enc("process.pid:[1 TO"), harness.viewerToken);
        assertEquals(400, badQuery.statusCode());
        assertTrue(badQuery.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals(401, harness.get("/api/v1/search/export", null).statusCode());
    }

    @Test
    void csvCellsFollowRfc4180() {
        assertEquals("a,\"b,c\",\"d\"\"e\",\"f\r\ng\",'=1+2,'-x,-1\r\n", CsvCells.row(List.of("a", "b,c", "d\"e", "f\r\ng",
                CsvCells.cell(EventCodec.mapper().getNodeFactory().textNode("=1+2")),
                CsvCells.cell(EventCodec.mapper().getNodeFactory().textNode("-x")),
                CsvCells.cell(EventCodec.mapper().getNodeFactory().numberNode(-1)))));
        assertNotNull(CsvCells.cell(null));
    }

    /** A strict reader of RFC 4180, to check the export round-trips. */
    static final class Rfc4180 {
        static List<List<String>> parse(String text) {
            List<List<String>> rows = new ArrayList<>();
            List<String> row = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        cell.append('"');
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        cell.append(c);
                    }
                } else if (c == '"' && cell.isEmpty()) {
                    quoted = true;
                } else if (c == ',') {
                    row.add(cell.toString());
                    cell.setLength(0);
                } else if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    row.add(cell.toString());
                    cell.setLength(0);
                    rows.add(row);
                    row = new ArrayList<>();
                    i++;
                } else {
                    if (c == '"' || c == '\n' || c == '\r') throw new IllegalArgumentException("unquoted " + (int) c + " at " + i);
                    cell.append(c);
                }
            }
            if (quoted || !cell.isEmpty() || !row.isEmpty()) throw new IllegalArgumentException("the last row does not end with CRLF");
            return rows;
        }
    }
}
