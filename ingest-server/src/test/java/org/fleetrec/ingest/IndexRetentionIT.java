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
        List<String> names = List.of("fleet-events-process-2026.03.01", "fleet-events-network-2026.03.02",
                "fleet-deadletter-2026.03.02", "fleet-events-process-2026.03.03", "fleet-events-file-2026.03.10",
                "fleet-deadletter-2026.03.10", "fleet-events-process-archive", "fleet-hosts");
        for (String name : names) client.indices().create(c -> c.index(name));
        // Keep 8 days on 2026-03-10: 03.03 … 03.10 stay.
        List<String> deleted = new IndexRetention(client, 8).run(LocalDate.of(2026, 3, 10));
        assertEquals(Set.of("fleet-events-process-2026.03.01", "fleet-events-network-2026.03.02", "fleet-deadletter-2026.03.02"),
                Set.copyOf(deleted));
        Set<String> left = new TreeSet<>(client.indices().get(g -> g.index("fleet-*")).result().keySet());
        assertEquals(new TreeSet<>(Set.of("fleet-events-process-2026.03.03", "fleet-events-file-2026.03.10",
                "fleet-deadletter-2026.03.10", "fleet-events-process-archive", "fleet-hosts")), left);
        assertEquals(List.of(), new IndexRetention(client, 0).run(LocalDate.of(2030, 1, 1)), "0 keeps everything");
    }
}
