package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.fleetrec.templates.ElasticsearchClients;
import org.fleetrec.templates.ElasticsearchSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

@ExtendWith(ElasticsearchExtension.class)
class IndexRetentionIT {
    private static ElasticsearchClient client;

    @BeforeAll
    static void connect(TestElasticsearch es) {
        client = ElasticsearchClients.create(new ElasticsearchSettings(es.url(), null, es.username(), es.password(), null));
    }

    @AfterAll
    static void close() {
        ElasticsearchClients.close(client);
    }

    /** Each test judges the indices it made: what another left would be deleted or kept by its own dates. */
    @AfterEach
    void removeIndices() throws Exception {
        var names = client.indices().get(g -> g.index("fleet-*").allowNoIndices(true).ignoreUnavailable(true)).result().keySet();
        if (!names.isEmpty()) client.indices().delete(d -> d.index(List.copyOf(names)));
    }

    @Test
    void deletesWholeDaysPastTheLimitAndNothingElse() throws Exception {
        // Judged 400 days from now, so the indices made now are old by their creation date too.
        LocalDate today = LocalDate.now(java.time.ZoneOffset.UTC).plusDays(400);
        java.util.function.IntFunction<String> day = back -> today.minusDays(back)
                .format(java.time.format.DateTimeFormatter.ofPattern("yyyy.MM.dd"));
        List<String> names = List.of("fleet-events-process-" + day.apply(9), "fleet-events-network-" + day.apply(8),
                "fleet-deadletter-" + day.apply(8), "fleet-events-process-" + day.apply(7), "fleet-events-file-" + day.apply(0),
                "fleet-deadletter-" + day.apply(0), "fleet-events-process-archive", "fleet-hosts", "fleet-alerts-" + day.apply(9));
        for (String name : names) client.indices().create(c -> c.index(name));
        // Keep 8 days of events: today-7 … today stay; alerts are kept for ever here.
        List<String> deleted = new IndexRetention(client, 8, 0).run(today);
        assertEquals(Set.of(names.get(0), names.get(1), names.get(2)), Set.copyOf(deleted));
        Set<String> left = new TreeSet<>(client.indices().get(g -> g.index("fleet-*")).result().keySet());
        assertEquals(new TreeSet<>(Set.of(names.get(3), names.get(4), names.get(5), "fleet-events-process-archive", "fleet-hosts",
                "fleet-alerts-" + day.apply(9))), left);
        assertEquals(List.of(), new IndexRetention(client, 0, 0).run(today.plusYears(10)), "0 keeps everything");
    }

    @Test
    void alertsAreKeptByTheirOwnLimit() throws Exception {
        LocalDate today = LocalDate.now(java.time.ZoneOffset.UTC).plusDays(400);
        java.util.function.IntFunction<String> day = back -> today.minusDays(back)
                .format(java.time.format.DateTimeFormatter.ofPattern("yyyy.MM.dd"));
        String oldAlerts = "fleet-alerts-" + day.apply(30);
        String recentAlerts = "fleet-alerts-" + day.apply(10);
        String todaysAlerts = "fleet-alerts-" + day.apply(0);
        String oldEvents = "fleet-events-process-" + day.apply(30);
        List<String> names = List.of(oldAlerts, recentAlerts, todaysAlerts, oldEvents, "fleet-alerts-archive", "fleet-alerts-2019.13.45");
        for (String name : names) client.indices().create(c -> c.index(name));

        // Events for 20 days, alerts for 15: the alerts of 30 days ago go with the events of that day.
        assertEquals(Set.of(oldAlerts, oldEvents), Set.copyOf(new IndexRetention(client, 20, 15).run(today)));
        // Alerts for 5 days, events for ever: only alerts go.
        assertEquals(List.of(recentAlerts), new IndexRetention(client, 0, 5).run(today));
        Set<String> left = new TreeSet<>(client.indices().get(g -> g.index("fleet-alerts-*")).result().keySet());
        assertEquals(new TreeSet<>(Set.of(todaysAlerts, "fleet-alerts-archive", "fleet-alerts-2019.13.45")), left,
                "today's alerts and names outside the daily layout stay");

        // An alert index made today for a day long ago (a hunt through imported history) is kept from today.
        String huntedAlerts = "fleet-alerts-2019.04.30";
        client.indices().create(c -> c.index(huntedAlerts));
        LocalDate now = LocalDate.now(java.time.ZoneOffset.UTC);
        assertFalse(new IndexRetention(client, 0, 5).run(now).contains(huntedAlerts));
        assertEquals(List.of(huntedAlerts), new IndexRetention(client, 0, 5).run(now.plusDays(5)));
    }

    @Test
    void importedEvidenceOfLongAgoIsKeptForTheRetentionFromItsImport() throws Exception {
        String old = "fleet-events-process-2019.04.30";
        client.indices().create(c -> c.index(old));
        LocalDate today = LocalDate.now(java.time.ZoneOffset.UTC);
        assertEquals(List.of(), new IndexRetention(client, 90, 90).run(today), "an index created today is kept, whatever its name");
        assertEquals(List.of(), new IndexRetention(client, 90, 90).run(today.plusDays(89)));
        assertEquals(List.of(old), new IndexRetention(client, 90, 90).run(today.plusDays(90)), "gone 90 days after its import");
    }
}
