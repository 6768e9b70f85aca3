package org.fleetrec.agent.sysmon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Winlogbeat collection files mapped here against the ECS documents the sysmon ingest pipeline
 * made of them: every field of the expected output is either equal or listed below with the
 * reason it differs on purpose.
 */
class SysmonGoldenTest {
    private static final String GOLDEN = "windows-sysmon/winlogbeat-golden/";

    /** Field (or field prefix ending in '.') → why this project's document differs from the pipeline's. */
    static final Map<String, String> DELIBERATE = new LinkedHashMap<>();

    static {
        DELIBERATE.put("process.entity_id", "braces stripped and lower-cased: one spelling for every input shape (SysmonIds)");
        DELIBERATE.put("process.parent.entity_id", "as process.entity_id");
        DELIBERATE.put("event.action", "the project's action vocabulary (executed, modified-registry-value, dns-query...), see SysmonKind");
        DELIBERATE.put("user.id", "the pipeline copies the SID Sysmon itself runs as (S-1-5-18), not the process's user; left out");
        DELIBERATE.put("message", "the rendered message is never trusted (it can be misaligned with event_data); not produced");
        DELIBERATE.put("ecs.version", "the project does not stamp an ECS version per document");
        DELIBERATE.put("log.level", "Windows record header, not carried by SysmonEvent");
        DELIBERATE.put("winlog.opcode", "Windows record header, not carried by SysmonEvent");
        DELIBERATE.put("winlog.process.", "Windows record header (Sysmon's own pid/thread), not carried by SysmonEvent");
        DELIBERATE.put("winlog.provider_guid", "Windows record header, not carried by SysmonEvent");
        DELIBERATE.put("winlog.task", "Windows record header, not carried by SysmonEvent");
        DELIBERATE.put("winlog.user.", "the account Sysmon runs as, not the process's user; not carried");
        DELIBERATE.put("winlog.version", "Windows record header, not carried by SysmonEvent");
        DELIBERATE.put("winlog.api", "collector detail, not carried");
        DELIBERATE.put("winlog.event_data.Company", "moved to process.pe.company, not copied (only unused fields stay in event_data)");
        DELIBERATE.put("winlog.event_data.Description", "moved to process.pe.description, not copied");
        DELIBERATE.put("winlog.event_data.FileVersion", "moved to process.pe.file_version, not copied");
        DELIBERATE.put("winlog.event_data.Product", "moved to process.pe.product, not copied");
        DELIBERATE.put("dns.question.registered_domain", "needs the public suffix list, which the agent does not carry");
        DELIBERATE.put("dns.question.subdomain", "needs the public suffix list");
        DELIBERATE.put("dns.question.top_level_domain", "needs the public suffix list");
    }

    @Test
    void processCreate() throws IOException {
        compare("sysmon-12-processcreate.evtx.golden.json", "sysmon-12-processcreate.golden.json");
    }

    @Test
    void registryValueSet() throws IOException {
        compare("sysmon-11-registry.evtx.golden.json", "sysmon-11-registry.golden.json");
    }

    /** The DNS pair is a reference, not an exact pair (older pipeline input): compared all the same. */
    @Test
    void dnsQuery() throws IOException {
        compare("sysmon-10.2-dns.evtx.golden.EXCERPT-first3.json", "sysmon-10.2-dns.golden.EXCERPT-first3.json");
    }

    @Test
    void deliberateEntityIdSpelling() throws IOException {
        List<EventDocument> docs = SysmonTestData.mapped(SysmonTestData.shared(GOLDEN + "collection/sysmon-12-processcreate.evtx.golden.json"));
        assertEquals("9f32b55f-7c4e-5f98-5803-000000000500", docs.get(0).text("process.entity_id"));
        assertEquals("9f32b55f-6fdf-5f98-7000-000000000500", docs.get(0).text("process.parent.entity_id"));
        assertEquals("executed", docs.get(0).text("event.action"));
    }

    private static void compare(String collection, String ingest) throws IOException {
        List<EventDocument> docs = SysmonTestData.mapped(SysmonTestData.shared(GOLDEN + "collection/" + collection));
        JsonNode expected = new ObjectMapper().readTree(Files.readString(SysmonTestData.shared(GOLDEN + "ingest/" + ingest)));
        assertEquals(expected.size(), docs.size(), "documents");
        List<String> differences = new ArrayList<>();
        TreeSet<String> compared = new TreeSet<>();
        for (int i = 0; i < docs.size(); i++) {
            Map<String, JsonNode> want = flatten(expected.get(i));
            Map<String, JsonNode> got = flatten(docs.get(i).json());
            for (Map.Entry<String, JsonNode> field : want.entrySet()) {
                if (deliberate(field.getKey())) continue;
                compared.add(field.getKey());
                JsonNode mine = got.get(field.getKey());
                if (mine == null || !same(field.getValue(), mine)) {
                    differences.add("#" + i + " " + field.getKey() + ": expected " + field.getValue() + " but was " + mine);
                }
            }
        }
        assertEquals(List.of(), differences, ingest);
        assertTrue(compared.size() > 10, "compared " + compared);
        System.out.println("sysmon golden " + ingest + ": equal fields " + compared);
    }

    private static boolean deliberate(String field) {
        for (String key : DELIBERATE.keySet()) {
            if (key.endsWith(".") ? field.startsWith(key) : field.equals(key)) return true;
        }
        return false;
    }

    /** Numbers compare by value and arrays by their elements' text: 3616 and "3616" differ only in JSON type. */
    private static boolean same(JsonNode a, JsonNode b) {
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) return false;
            for (int i = 0; i < a.size(); i++) if (!same(a.get(i), b.get(i))) return false;
            return true;
        }
        if (a.isObject() && b.isObject()) return flatten(a).keySet().equals(flatten(b).keySet())
                && flatten(a).entrySet().stream().allMatch(e -> same(e.getValue(), flatten(b).get(e.getKey())));
        if (a.isContainerNode() || b.isContainerNode()) return false;
        return a.asText().equals(b.asText());
    }

    private static Map<String, JsonNode> flatten(JsonNode node) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        flatten("", node, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, JsonNode> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), out);
            }
        } else {
            out.put(prefix, node);
        }
    }
}
