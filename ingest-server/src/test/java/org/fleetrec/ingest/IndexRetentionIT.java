package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.fleetrec.templates.ElasticsearchClients;
import org.fleetrec.templates.ElasticsearchSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    @Test
    void deletesWholeDaysPastTheLimitAndNothingElse() throws Exception {
        // Judged 400 days from now, so the indices made now are old by their creation date too.
        LocalDate today = LocalDate.now(java.time.ZoneOffset.UTC).plusDays(400);
        java.util.function.IntFunction<String> day = back -> today.minusDays(back)
                .format(java.time.format.DateTimeFormatter.ofPattern("yyyy.MM.dd"));
        List<String> names = List.of("fleet-events-process-" + day.apply(9), "fleet-events-network-" + day.apply(8),
                "fleet-deadletter-" + day.apply(8), "fleet-events-process-" + day.apply(7), "fleet-events-file-" + day.apply(0),
                "fleet-deadletter-" + day.apply(0), "fleet-events-process-archive", "fleet-hosts");
        for (String name : names) client.indices().create(c -> c.index(name));
        // Keep 8 days: today-7 … today stay.
        List<String> deleted = new IndexRetention(client, 8).run(today);
        assertEquals(Set.of(names.get(0), names.get(1), names.get(2)), Set.copyOf(deleted));
        Set<String> left = new TreeSet<>(client.indices().get(g -> g.index("fleet-*")).result().keySet());
        assertEquals(new TreeSet<>(Set.of(names.get(3), names.get(4), names.get(5), "fleet-events-process-archive", "fleet-hosts")), left);
        assertEquals(List.of(), new IndexRetention(client, 0).run(today.plusYears(10)), "0 keeps everything");
    }

    @Test
    void importedEvidenceOfLongAgoIsKeptForTheRetentionFromItsImport() throws Exception {
        String old = "fleet-events-process-2019.04.30";
        client.indices().create(c -> c.index(old));
        LocalDate today = LocalDate.now(java.time.ZoneOffset.UTC);
        assertEquals(List.of(), new IndexRetention(client, 90).run(today), "an index created today is kept, whatever its name");
        assertEquals(List.of(), new IndexRetention(client, 90).run(today.plusDays(89)));
        assertEquals(List.of(old), new IndexRetention(client, 90).run(today.plusDays(90)), "gone 90 days after its import");
    }
}
