package org.fleetrec.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.MalformedEventException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DocumentStamperTest {
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private static final DocumentStamper.Stamp STAMP =
            new DocumentStamper.Stamp("agent-1", "host-1", "name \"from\" token", "2026-11-21T10:00:01Z", false);
    private final DocumentStamper stamper = new DocumentStamper();

    private static String event(String extra) {
        return "{\"@timestamp\":\"2026-11-21T09:59:00.123Z\",\"event\":{\"dataset\":\"process\",\"action\":\"executed\","
                + "\"category\":[\"process\"],\"type\":[\"start\"],\"sequence\":7}" + extra + "}";
    }

    private DocumentStamper.Stamped stamp(String json) throws Exception {
        return stamper.stamp(json.getBytes(StandardCharsets.UTF_8), STAMP, NOW);
    }

    private static JsonNode tree(DocumentStamper.Stamped stamped) throws Exception {
        return EventCodec.mapper().readTree(stamped.json());
    }

    @Test
    void aPlainDocumentKeepsItsFieldsAndGainsTheStamp() throws Exception {
        String sent = event(",\"host\":{\"name\":\"web-1\",\"os\":{\"type\":\"linux\"}},\"agent\":{\"version\":\"0.1\"},"
                + "\"process\":{\"pid\":42,\"args\":[\"sh\",\"-c\",\"echo \\\"hi\\\"\"],\"exit_code\":null,\"ok\":true,\"ratio\":-1.5e3}");
        DocumentStamper.Stamped stamped = stamp(sent);
        ObjectNode expected = (ObjectNode) EventCodec.mapper().readTree(sent);
        ((ObjectNode) expected.get("host")).put("id", "host-1");
        ((ObjectNode) expected.get("agent")).put("id", "agent-1");
        ((ObjectNode) expected.get("event")).put("ingested", "2026-11-21T10:00:01Z");
        assertEquals(expected, tree(stamped));
        assertEquals(Dataset.PROCESS, stamped.dataset());
        assertEquals(7, stamped.sequence());
        assertEquals(Instant.parse("2026-11-21T09:59:00.123Z"), stamped.timestamp());
        assertFalse(stamped.health());
    }

    @Test
    void everySpellingOfAnotherIdentityIsOverwritten() throws Exception {
        String sent = "{ \"agent.id\" : \"evil-a\", \"host.id\":{\"deep\":[1,{\"x\":\"evil-h\"}]},"
                + "\"event.ingested\": 1999,\"@timestamp\":\"2026-11-21T09:59:00Z\","
                + "\"event\":{\"ingested\":\"1999-01-01T00:00:00Z\",\"dataset\":\"network\",\"action\":\"a\",\"category\":\"c\","
                + "\"type\":\"t\",\"sequence\":1},\"host\":{ \"id\" : null , \"name\":\"h\"},\"agent\":{\"id\":[\"evil-a\"]}}";
        DocumentStamper.Stamped stamped = stamp(sent);
        String out = new String(stamped.json(), StandardCharsets.UTF_8);
        assertFalse(out.contains("evil"), out);
        assertFalse(out.contains("1999"), out);
        JsonNode doc = tree(stamped);
        assertEquals("agent-1", doc.path("agent").path("id").asText());
        assertEquals("host-1", doc.path("host").path("id").asText());
        assertEquals("h", doc.path("host").path("name").asText());
        assertEquals("2026-11-21T10:00:01Z", doc.path("event").path("ingested").asText());
        // The dotted spellings hold the token's values too, so Elasticsearch sees one identity however it reads them.
        assertEquals("agent-1", doc.path("agent.id").asText());
        assertEquals("host-1", doc.path("host.id").asText());
        assertEquals("2026-11-21T10:00:01Z", doc.path("event.ingested").asText());
    }

    @Test
    void missingOrEmptyObjectsAreCreatedAndTheHostNameComesFromTheToken() throws Exception {
        String sent = "{\"@timestamp\":\"2026-11-21T09:59:00Z\",\"event.dataset\":\"file\",\"event.action\":\"a\","
                + "\"event.category\":[\"file\"],\"event.type\":[\"change\"],\"event.sequence\":0,\"agent\":{}}";
        JsonNode doc = tree(stamp(sent));
        assertEquals("agent-1", doc.path("agent").path("id").asText());
        assertEquals("host-1", doc.path("host").path("id").asText());
        assertEquals("name \"from\" token", doc.path("host").path("name").asText());
        assertEquals("2026-11-21T10:00:01Z", doc.path("event").path("ingested").asText());
        assertEquals("file", doc.path("event.dataset").asText());
    }

    @Test
    void aHostObjectWithoutANameGetsTheTokensUnlessTheTopLevelNamesIt() throws Exception {
        assertEquals("name \"from\" token", tree(stamp(event(",\"host\":{\"os\":{}}"))).path("host").path("name").asText());
        JsonNode named = tree(stamp(event(",\"host.name\":\"own\",\"host\":{}")));
        assertEquals("own", named.path("host.name").asText());
        assertFalse(named.path("host").has("name"));
    }

    @Test
    void healthReportsAreRecognised() throws Exception {
        assertTrue(stamp(event("").replace("\"executed\"", "\"health\"")).health());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "missing required field event.sequence|{\"@timestamp\":\"2026-11-21T09:59:00Z\",\"event\":{\"dataset\":\"process\",\"action\":\"a\",\"category\":[],\"type\":[]}}",
            "missing required field @timestamp|{\"@timestamp\":null,\"event\":{\"dataset\":\"process\",\"action\":\"a\",\"category\":[],\"type\":[],\"sequence\":1}}",
            "@timestamp is not an ISO-8601 instant|{\"@timestamp\":\"yesterday\",\"event\":{\"dataset\":\"process\",\"action\":\"a\",\"category\":[],\"type\":[],\"sequence\":1}}",
            "@timestamp is not an ISO-8601 instant|{\"@timestamp\":\"2026-02-30T00:00:00Z\",\"event\":{\"dataset\":\"process\",\"action\":\"a\",\"category\":[],\"type\":[],\"sequence\":1}}",
            "@timestamp is not an ISO-8601 instant|{\"@timestamp\":{\"a\":1},\"event\":{\"dataset\":\"process\",\"action\":\"a\",\"category\":[],\"type\":[],\"sequence\":1}}",
            "outside the accepted window|{\"@timestamp\":\"2024-01-01T00:00:00Z\",\"event\":{\"dataset\":\"process\",\"action\":\"a\",\"category\":[],\"type\":[],\"sequence\":1}}",
            "outside the accepted window|{\"@timestamp\":\"2026-11-23T00:00:00Z\",\"event\":{\"dataset\":\"process\",\"action\":\"a\",\"category\":[],\"type\":[],\"sequence\":1}}",
            "unknown event.dataset 'nope'|{\"@timestamp\":\"2026-11-21T09:59:00Z\",\"event\":{\"dataset\":\"nope\",\"action\":\"a\",\"category\":[],\"type\":[],\"sequence\":1}}",
            "event.sequence must be a non-negative integer|{\"@timestamp\":\"2026-11-21T09:59:00Z\",\"event\":{\"dataset\":\"process\",\"action\":\"a\",\"category\":[],\"type\":[],\"sequence\":-1}}",
            "event.sequence must be a non-negative integer|{\"@timestamp\":\"2026-11-21T09:59:00Z\",\"event\":{\"dataset\":\"process\",\"action\":\"a\",\"category\":[],\"type\":[],\"sequence\":1.5}}",
            "event.sequence must be a non-negative integer|{\"@timestamp\":\"2026-11-21T09:59:00Z\",\"event\":{\"dataset\":\"process\",\"action\":\"a\",\"category\":[],\"type\":[],\"sequence\":\"1\"}}",
            "event.sequence must be a non-negative integer|{\"@timestamp\":\"2026-11-21T09:59:00Z\",\"event\":{\"dataset\":\"process\",\"action\":\"a\",\"category\":[],\"type\":[],\"sequence\":99999999999999999999}}",
            "agent must be an object|{\"agent\":\"someone\",\"@timestamp\":\"2026-11-21T09:59:00Z\",\"event\":{\"dataset\":\"process\",\"action\":\"a\",\"category\":[],\"type\":[],\"sequence\":1}}",
            "event must be an object|{\"event\":[1]}",
    })
    void invalidDocumentsSayWhy(String caseText) {
        String[] parts = caseText.split("\\|", 2);
        DocumentStamper.Invalid invalid = assertThrows(DocumentStamper.Invalid.class, () -> stamp(parts[1]));
        assertTrue(invalid.getMessage().contains(parts[0]), invalid.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,2]", "\"text\"", "{\"a\":1} trailing", "{\"a\":1}{\"b\":2}", "{\"a\":", "{\"a\":\"unterminated}",
            "{\"a\":tru}", "{\"a\":\"\u0001\"}"})
    void malformedLinesAreNotJson(String line) {
        assertThrows(MalformedEventException.class, () -> stamp(line));
    }

    @Test
    void invalidUtf8IsMalformed() {
        byte[] line = event(",\"process\":{\"name\":\"X\"}").getBytes(StandardCharsets.UTF_8);
        int x = new String(line, StandardCharsets.UTF_8).indexOf("\"X\"") + 1;
        line[x] = (byte) 0xC3; // a lead byte followed by a quote: not UTF-8
        assertThrows(MalformedEventException.class, () -> stamper.stamp(line, STAMP, NOW));
    }

    @Test
    void theFastTimestampReaderAgreesWithTheJdk() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(0, 4_102_444_800L), random.nextInt(1_000_000_000));
            String text = t.truncatedTo(ChronoUnit.values()[random.nextInt(4)]).toString(); // nanos, micros, millis, seconds
            assertEquals(Instant.parse(text), DocumentStamper.parseInstant(text), text);
        }
        for (String other : new String[]{"2026-11-21T09:59:00.1Z", "2026-11-21T09:59:00.123456789Z", "+12026-01-01T00:00:00Z"}) {
            assertEquals(Instant.parse(other), DocumentStamper.parseInstant(other), other);
        }
        for (String bad : new String[]{"2026-13-01T00:00:00Z", "2026-11-21T25:00:00Z", "2026-11-21T09:61:00Z",
                "2026-11-21T09:59:00.1234567890Z", "2026-1x-21T09:59:00Z", "2026-11-21 09:59:00Z"}) {
            assertThrows(DocumentStamper.Invalid.class, () -> DocumentStamper.parseInstant(bad), bad);
        }
    }
}
