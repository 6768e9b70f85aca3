package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.detection.alert.Alert;
import org.fleetrec.detection.alert.AlertGrouper;
import org.fleetrec.detection.alert.RuleMatch;
import org.fleetrec.detection.alert.RuleRef;
import org.fleetrec.model.EventDocument;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Alerts made as the ingest server makes them: events as the agent writes them, matched to rules,
 * grouped by the detection module's {@link AlertGrouper}, and stored with the same update (the
 * progress as {@code doc}, the whole alert as {@code upsert}) that {@code LiveDetection} sends.
 */
final class AlertWriter {
    private final ElasticsearchClient client;
    private final AlertGrouper grouper;

    /** {@code window}: the grouping window, so a test can place repeats in one alert or in another. */
    AlertWriter(ElasticsearchClient client, Duration window) {
        this.client = client;
        AlertGrouper.Limits defaults = AlertGrouper.Limits.defaults();
        this.grouper = new AlertGrouper(new AlertGrouper.Limits(window, defaults.maxAlerts(), defaults.maxBytes(),
                defaults.maxPerRuleHost(), defaults.maxEventIds()));
    }

    /** A process execution as the agent records it: {@code host} is the host id, its name {@code host.example}. */
    static EventDocument exec(String host, String entity, Instant time, String commandLine, String user) {
        return EventDocument.create()
                .put("@timestamp", time.toString())
                .putAll("event.category", List.of("process")).putAll("event.type", List.of("start"))
                .put("event.action", "executed").put("event.dataset", "process").put("event.sequence", time.getEpochSecond())
                .put("host.id", host).put("host.name", host + ".example").put("agent.id", "agent-" + host)
                .put("agent.version", "0.1.0")
                .put("process.entity_id", entity).put("process.pid", 4242).put("process.name", "bash")
                .put("process.executable", "/usr/bin/bash").put("process.command_line", commandLine)
                .put("process.parent.entity_id", "parent-" + entity).put("process.parent.pid", 4000)
                .put("process.parent.name", "sshd").put("process.parent.executable", "/usr/sbin/sshd")
                .put("user.id", "1000").put("user.name", user).put("user.effective.id", "0").put("user.effective.name", "root");
    }

    /**
     * One match of {@code rule} on {@code event}: a new alert is stored whole, a repeat grows the alert it
     * belongs to. Answers the alert as it stands after this match.
     */
    Alert match(RuleRef rule, EventDocument event) throws IOException {
        String eventId = event.text("agent.id") + ":" + event.text("event.sequence");
        String index = "fleet-events-process-" + event.text("@timestamp").substring(0, 10).replace('-', '.');
        Optional<Alert> opened = grouper.offer(new RuleMatch(rule, event, index, eventId));
        List<Alert> written = opened.map(List::of).orElseGet(grouper::drainUpdates);
        assertTrue(written.size() == 1, "one alert written a match: " + written);
        Alert alert = written.get(0);
        client.update(u -> u.index(alert.index()).id(alert.id()).doc(alert.progressDocument()).upsert(alert.document()),
                ObjectNode.class);
        client.indices().refresh(r -> r.index("fleet-alerts-*"));
        return alert;
    }
}
