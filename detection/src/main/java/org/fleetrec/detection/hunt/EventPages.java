package org.fleetrec.detection.hunt;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOptions;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.mapping.FieldType;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.List;

/**
 * The events a query finds, oldest first, page after page from one point in time: events arriving
 * meanwhile neither shift nor repeat a page. {@code _shard_doc} breaks ties of equal timestamps.
 */
final class EventPages implements AutoCloseable {
    private static final String KEEP_ALIVE = "2m";
    private static final List<SortOptions> OLDEST_FIRST = List.of(
            SortOptions.of(o -> o.field(f -> f.field("@timestamp").order(SortOrder.Asc).unmappedType(FieldType.Date))),
            SortOptions.of(o -> o.field(f -> f.field("_shard_doc").order(SortOrder.Asc))));

    private final ElasticsearchClient client;
    private final String pitId;
    private final Query query;
    private List<FieldValue> after;
    private long total = -1;

    /** Opens the point in time on {@code index}, skipping the indices {@code range} rules out. */
    EventPages(ElasticsearchClient client, String index, Query range, Query query) throws IOException, HuntRefused {
        this.client = client;
        this.query = query;
        try {
            this.pitId = client.openPointInTime(o -> o.index(index).keepAlive(t -> t.time(KEEP_ALIVE))
                    .ignoreUnavailable(true).indexFilter(range)).id();
        } catch (ElasticsearchException e) {
            throw refusedOrRethrown(e);
        }
    }

    /** The next page of at most {@code size} hits; empty at the end. The first page also counts every hit. */
    List<Hit<ObjectNode>> next(int size) throws IOException, HuntRefused {
        boolean first = total < 0;
        SearchResponse<ObjectNode> response;
        try {
            response = client.search(s -> {
                s.pit(p -> p.id(pitId).keepAlive(t -> t.time(KEEP_ALIVE))).size(size).allowPartialSearchResults(false)
                        .trackTotalHits(t -> t.enabled(first)).query(query).sort(OLDEST_FIRST);
                if (after != null) s.searchAfter(after);
                return s;
            }, ObjectNode.class);
        } catch (ElasticsearchException e) {
            throw refusedOrRethrown(e);
        }
        if (first) total = response.hits().total() == null ? 0 : response.hits().total().value();
        List<Hit<ObjectNode>> hits = response.hits().hits();
        if (!hits.isEmpty()) after = hits.get(hits.size() - 1).sort();
        return hits;
    }

    /** Every hit of the query, counted on the first page. */
    long total() {
        return Math.max(total, 0);
    }

    /** Frees the point in time now rather than at its expiry; a failure only lets it expire. */
    @Override
    public void close() {
        try {
            client.closePointInTime(c -> c.id(pitId));
        } catch (IOException | RuntimeException e) {
            // it lives KEEP_ALIVE longer; nothing depends on it
        }
    }

    /** A query Elasticsearch will not run (a regular expression too complex, say) is the request's fault; the rest is ours. */
    private static RuntimeException refusedOrRethrown(ElasticsearchException e) throws HuntRefused {
        if (e.status() == 400) throw new HuntRefused("Elasticsearch would not run the rule's query: " + reason(e.error()));
        return e;
    }

    private static String reason(ErrorCause error) {
        if (error == null) return "";
        if (!error.rootCause().isEmpty() && error.rootCause().get(0).reason() != null) return error.rootCause().get(0).reason();
        if (error.causedBy() != null && error.causedBy().reason() != null) return error.causedBy().reason();
        return error.reason() == null ? error.type() : error.reason();
    }
}
