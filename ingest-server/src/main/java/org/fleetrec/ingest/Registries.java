package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch._types.SortOrder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventCodec;
import org.fleetrec.templates.ElasticsearchErrors;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/** What the agent and secret registries share: documents by id, revoked by stamping a time. */
final class Registries {
    private static final int MAX_LISTED = 10_000;

    private Registries() {
    }

    /** Stamps {@code revoked} unless it is there already; false when the id is unknown or already revoked. */
    static boolean revoke(ElasticsearchClient client, String index, String id) throws IOException {
        ObjectNode current;
        try {
            var found = client.get(g -> g.index(index).id(id), ObjectNode.class);
            if (!found.found()) return false;
            current = found.source();
        } catch (ElasticsearchException e) {
            if (ElasticsearchErrors.is(e, 404)) return false;
            throw e;
        }
        if (current.hasNonNull("revoked")) return false;
        ObjectNode change = EventCodec.mapper().createObjectNode().put("revoked", Instant.now().toString());
        client.update(u -> u.index(index).id(id).doc(change).refresh(Refresh.WaitFor), ObjectNode.class);
        return true;
    }

    /** Every document, oldest first by {@code timeField}. */
    static List<ObjectNode> all(ElasticsearchClient client, String index, String timeField) throws IOException {
        try {
            return client.search(s -> s.index(index).size(MAX_LISTED).allowNoIndices(true).ignoreUnavailable(true)
                            .sort(o -> o.field(f -> f.field(timeField).order(SortOrder.Asc).unmappedType(
                                    co.elastic.clients.elasticsearch._types.mapping.FieldType.Date))), ObjectNode.class)
                    .hits().hits().stream().map(h -> h.source()).toList();
        } catch (ElasticsearchException e) {
            if (ElasticsearchErrors.is(e, 404)) return List.of();
            throw e;
        }
    }
}
