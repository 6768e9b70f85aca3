package org.fleetrec.detection.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventDocument;
import org.fleetrec.model.IndexNames;
import org.fleetrec.templates.TemplateSet;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The alert document fits the strict {@code fleet-alerts} template: every field it can carry is
 * mapped, with a type its value takes. Without Elasticsearch; {@code AlertDocumentIT} checks the same
 * against a real one.
 */
class AlertTemplateTest {
    /** An alert with every field an alert can carry. */
    static Alert fullest() {
        RuleRef rule = new RuleRef("r-1", "Everything", Level.CRITICAL,
                List.of("attack.execution", "attack.t1059.004", "attack.g0032", "attack.s0002", "cve.2021-44228"));
        EventDocument event = Fixtures.exec("h1", "e1", Instant.parse("2026-03-04T10:00:00Z"), "bash -c id")
                .put("file.path", "/etc/shadow").put("source.ip", "10.1.2.3").put("source.port", 40000)
                .put("source.domain", "a.example").put("destination.ip", "fe80::1").put("destination.port", 22)
                .put("destination.domain", "b.example").put("network.community_id", "1:xyz=").put("network.transport", "tcp")
                .put("network.direction", "egress");
        Alert alert = Alert.open(new RuleMatch(rule, event, "fleet-events-process-2026.03.04", "agent:1"), Duration.ofMinutes(10),
                Instant.parse("2026-03-04T10:00:05Z"));
        return alert.withStatus(Alert.Status.ACKNOWLEDGED, "bob", Instant.parse("2026-03-04T11:00:00Z"))
                .grown(3, Instant.parse("2026-03-04T10:05:00Z"), List.of("agent:1", "agent:2"));
    }

    @Test
    void everyFieldOfTheFullestAlertIsMappedWithATypeItsValueTakes() {
        ObjectNode template = TemplateSet.indexTemplates().get("fleet-alerts");
        assertNotNull(template, "TemplateSet installs fleet-alerts");
        assertEquals(IndexNames.ALL_ALERTS, template.path("index_patterns").get(0).asText());
        JsonNode mappings = template.path("template").path("mappings");
        assertEquals("strict", mappings.path("dynamic").asText());
        Map<String, String> types = new TreeMap<>();
        collect("", mappings.path("properties"), types);

        Map<String, List<JsonNode>> leaves = new TreeMap<>();
        leaves("", fullest().document(), leaves);
        assertTrue(leaves.size() > 45, "the fullest alert names " + leaves.size() + " fields");
        for (Map.Entry<String, List<JsonNode>> leaf : leaves.entrySet()) {
            String type = types.get(leaf.getKey());
            if (type == null) fail(leaf.getKey() + " is not mapped: the strict alert index would refuse the document");
            for (JsonNode value : leaf.getValue()) {
                String where = leaf.getKey() + "=" + value + " as " + type;
                switch (type) {
                    case "long" -> assertTrue(value.isIntegralNumber(), where);
                    case "date" -> assertNotNull(Instant.parse(value.asText()), where);
                    case "ip" -> assertNotNull(AlertContext.ip(value.asText()), where);
                    case "keyword", "text" -> assertTrue(value.isTextual(), where);
                    default -> fail("unexpected type " + where);
                }
            }
        }
        // Command lines and paths are searchable by word, as in the event indices.
        for (String field : List.of("process.command_line", "process.parent.command_line", "file.path", "rule.name")) {
            assertEquals("text", types.get(field + ".text"), field);
        }
    }

    @Test
    void anAnalystsStatusChangeWithANoteFitsTheMappingAndIsBounded() {
        Map<String, String> types = new TreeMap<>();
        collect("", TemplateSet.indexTemplates().get("fleet-alerts").path("template").path("mappings").path("properties"), types);
        ObjectNode change = AlertDocument.statusChange(Alert.Status.CLOSED, "bob", Instant.parse("2026-03-04T11:00:00Z"), "backup job");
        Map<String, List<JsonNode>> leaves = new TreeMap<>();
        leaves("", change, leaves);
        assertEquals(List.of(AlertDocument.STATUS, AlertDocument.STATUS_AT, AlertDocument.STATUS_BY, AlertDocument.STATUS_NOTE),
                List.copyOf(leaves.keySet()), "the status fields and nothing a repeat writes");
        for (String field : leaves.keySet()) assertNotNull(types.get(field), field + " is mapped");
        assertEquals("text", types.get(AlertDocument.STATUS_NOTE + ".text"), "a note is searchable by word");
        // Without a note, the change clears the previous one rather than leaving it beside a status it did not explain.
        JsonNode cleared = AlertDocument.statusChange(Alert.Status.OPEN, "bob", Instant.parse("2026-03-04T11:00:00Z"), null)
                .path("fleet").path("alert");
        assertTrue(cleared.has("status_note") && cleared.get("status_note").isNull(), cleared.toString());
        String tooLong = "n".repeat(AlertDocument.MAX_NOTE + 1);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> AlertDocument.statusChange(Alert.Status.OPEN, "bob", Instant.now(), tooLong));
    }

    private static void collect(String prefix, JsonNode properties, Map<String, String> types) {
        properties.properties().forEach(e -> {
            JsonNode node = e.getValue();
            if (node.has("properties")) {
                collect(prefix + e.getKey() + ".", node.path("properties"), types);
            } else {
                types.put(prefix + e.getKey(), node.path("type").asText());
                node.path("fields").properties().forEach(f -> types.put(prefix + e.getKey() + "." + f.getKey(), f.getValue().path("type").asText()));
            }
        });
    }

    private static void leaves(String prefix, JsonNode node, Map<String, List<JsonNode>> out) {
        if (node.isObject()) {
            node.properties().forEach(e -> leaves(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out));
        } else if (node.isArray()) {
            node.forEach(element -> leaves(prefix, element, out));
        } else if (!node.isNull()) {
            out.computeIfAbsent(prefix, k -> new ArrayList<>()).add(node);
        }
    }
}
