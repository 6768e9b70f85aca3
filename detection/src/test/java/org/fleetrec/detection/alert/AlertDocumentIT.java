package org.fleetrec.detection.alert;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.EventDocument;
import org.fleetrec.model.IndexNames;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.fleetrec.templates.ElasticsearchClients;
import org.fleetrec.templates.ElasticsearchSettings;
import org.fleetrec.templates.TemplateInstaller;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Alert documents in a real Elasticsearch under the installed {@code fleet-alerts} template: they are
 * taken as they are, repeats update them without a script and without undoing an analyst's status,
 * and the mapping refuses what it does not name.
 */
@ExtendWith(ElasticsearchExtension.class)
class AlertDocumentIT {
    private static ElasticsearchClient client;

    @BeforeAll
    static void connect(TestElasticsearch es) throws Exception {
        client = ElasticsearchClients.create(new ElasticsearchSettings(es.url(), null, es.username(), es.password(), null));
        new TemplateInstaller(client).install();
    }

    @AfterAll
    static void close() {
        ElasticsearchClients.close(client);
    }

    /** What the ingest server writes for an alert, new or grown: update with the progress as doc, the whole as upsert. */
    private static void write(Alert alert) throws Exception {
        ObjectNode body = EventCodec.mapper().createObjectNode();
        body.set("doc", alert.progressDocument());
        body.set("upsert", alert.document());
        client.update(u -> u.index(alert.index()).id(alert.id()).refresh(co.elastic.clients.elasticsearch._types.Refresh.True)
                .withJson(new StringReader(body.toString())), ObjectNode.class);
    }

    private static EventDocument stored(Alert alert) throws Exception {
        var got = client.get(g -> g.index(alert.index()).id(alert.id()), ObjectNode.class);
        return EventDocument.wrap(got.source());
    }

    @Test
    void anAlertIsStoredGrowsAndKeepsItsAcknowledgement() throws Exception {
        Alert alert = AlertTemplateTest.fullest().withStatus(Alert.Status.OPEN, null, Instant.parse("2026-03-04T10:00:05Z"))
                .grown(1, Instant.parse("2026-03-04T10:00:00Z"), List.of("agent:1"));
        write(alert);
        assertEquals(EventDocument.wrap(alert.document()), stored(alert), "the first write stores the whole document");
        assertEquals("fleet-alerts-2026.03.04", alert.index());

        Instant at = Instant.parse("2026-03-04T10:30:00Z");
        client.update(u -> u.index(alert.index()).id(alert.id()).withJson(new StringReader(
                "{\"doc\":" + AlertDocument.statusChange(Alert.Status.ACKNOWLEDGED, "bob", at) + "}")), ObjectNode.class);

        Alert grown = alert.grown(7, Instant.parse("2026-03-04T10:09:00Z"), List.of("agent:1", "agent:2", "agent:3"));
        write(grown);
        EventDocument now = stored(alert);
        assertEquals(7, now.get("fleet.alert.count").asLong());
        assertEquals("2026-03-04T10:09:00Z", now.text("fleet.alert.last_seen"));
        assertEquals(3, now.get("fleet.alert.event.ids").size());
        assertEquals("acknowledged", now.text("fleet.alert.status"), "a repeat keeps the analyst's status");
        assertEquals("bob", now.text("fleet.alert.status_by"));
        assertEquals("bash -c id", now.text("process.command_line"));

        // Found the way analysts look: by sub-technique, and by a word of the command line.
        var byTechnique = client.search(s -> s.index(IndexNames.ALL_ALERTS)
                .query(q -> q.term(t -> t.field("threat.technique.subtechnique.id").value("T1059.004"))), ObjectNode.class);
        assertEquals(1, byTechnique.hits().hits().size());
        var byWord = client.search(s -> s.index(IndexNames.ALL_ALERTS)
                .query(q -> q.match(m -> m.field("process.command_line.text").query("id"))), ObjectNode.class);
        assertEquals(1, byWord.hits().hits().size());
    }

    @Test
    void hostileAndHugeValuesAreStoredAsTheyAre() throws Exception {
        String forged = "\"]\n<13>1 forged " + "y".repeat(20_000);
        Alert alert = Alert.open(Fixtures.match(Fixtures.REVERSE_SHELL, Fixtures.exec("h9", "e9", Instant.parse("2026-03-05T01:00:00Z"),
                forged).put("source.ip", "not-an-ip"), "agent:9"), Duration.ofMinutes(10), Instant.parse("2026-03-05T01:00:01Z"));
        write(alert);
        assertEquals(AlertContext.bounded(forged, AlertContext.MAX_COMMAND_LINE), stored(alert).text("process.command_line"));
    }

    @Test
    void theAlertMappingIsStrict() {
        var unknown = EventCodec.mapper().createObjectNode().put("@timestamp", "2026-03-04T10:00:00Z").put("surprise", 1);
        assertThrows(ElasticsearchException.class,
                () -> client.index(i -> i.index("fleet-alerts-2026.03.04").id("x").document(unknown)));
        var badCount = EventCodec.mapper().createObjectNode().put("@timestamp", "2026-03-04T10:00:00Z");
        badCount.putObject("fleet").putObject("alert").put("count", "many");
        assertThrows(ElasticsearchException.class,
                () -> client.index(i -> i.index("fleet-alerts-2026.03.04").id("y").document(badCount)));
    }

    @Test
    void aDeadLetteredAlertFitsTheDeadLetterIndex() throws Exception {
        Instant now = Instant.parse("2026-03-04T12:00:00Z");
        ObjectNode letter = DeadLetterSink.document("webhook", AlertTemplateTest.fullest(), "HTTP 500 (after 6 attempts)", now);
        client.index(i -> i.index(IndexNames.deadletter(now)).document(letter));
    }
}
