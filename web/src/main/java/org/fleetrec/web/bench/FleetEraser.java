package org.fleetrec.web.bench;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.IndexNames;

import java.io.IOException;
import java.util.List;

/**
 * Removes the documents of a fleet generated before, found by its agent ids: a new run of the same
 * seed would otherwise write the same ids into other days' indices beside the old ones. The cluster
 * has no delete-by-query here, so it reads ids with a point in time and deletes them in bulk.
 */
final class FleetEraser {
    private static final int PAGE = 10_000;

    private final ElasticsearchClient client;

    FleetEraser(ElasticsearchClient client) {
        this.client = client;
    }

    /** Returns how many event documents were deleted. */
    long erase(List<String> agentIds, List<String> hostIds, int concurrentRequests) throws IOException {
        if (client.indices().exists(e -> e.index(IndexNames.ALL_EVENTS)).value() == false || agentIds.isEmpty()) return 0;
        long deleted = 0;
        String pit = client.openPointInTime(p -> p.index(IndexNames.ALL_EVENTS).keepAlive(k -> k.time("2m"))
                .ignoreUnavailable(true)).id();
        List<FieldValue> agents = agentIds.stream().map(FieldValue::of).toList();
        try (FleetWriter writer = new FleetWriter(client, concurrentRequests)) {
            List<FieldValue> after = null;
            while (true) {
                List<FieldValue> from = after;
                String current = pit;
                SearchResponse<ObjectNode> page = client.search(s -> {
                    s.pit(p -> p.id(current).keepAlive(k -> k.time("2m"))).size(PAGE).source(src -> src.fetch(false))
                            .query(q -> q.terms(t -> t.field("agent.id").terms(v -> v.value(agents))))
                            .sort(o -> o.field(f -> f.field("_shard_doc").order(SortOrder.Asc)));
                    if (from != null) s.searchAfter(from);
                    return s;
                }, ObjectNode.class);
                List<Hit<ObjectNode>> hits = page.hits().hits();
                if (hits.isEmpty()) break;
                for (Hit<ObjectNode> hit : hits) writer.delete(hit.index(), hit.id());
                deleted += hits.size();
                after = hits.get(hits.size() - 1).sort();
                if (page.pitId() != null) pit = page.pitId();
            }
            for (String hostId : hostIds) writer.delete(IndexNames.HOSTS, hostId);
        } finally {
            String last = pit;
            client.closePointInTime(c -> c.id(last));
        }
        client.indices().refresh(r -> r.index(IndexNames.ALL_EVENTS, IndexNames.HOSTS).ignoreUnavailable(true).allowNoIndices(true));
        return deleted;
    }
}
