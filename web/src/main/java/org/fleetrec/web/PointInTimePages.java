package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.GoneResponse;
import org.fleetrec.model.IndexNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;

/**
 * Reads the events matching an {@link EventQuery} page after page from one point in time, so a
 * result set stays the same while it is paged or exported even as new events arrive. A point in
 * time lives {@link #KEEP_ALIVE} after the last page that used it.
 */
final class PointInTimePages {
    private static final Logger log = LoggerFactory.getLogger(PointInTimePages.class);
    static final String KEEP_ALIVE = "2m";

    private final ElasticsearchClient client;
    private final ElasticsearchAsyncClient async;

    PointInTimePages(ElasticsearchClient client) {
        this.client = client;
        this.async = new ElasticsearchAsyncClient(client._transport(), client._transportOptions());
    }

    String open(EventQuery query) throws IOException {
        try {
            return client.openPointInTime(o -> {
                o.index(query.indices()).keepAlive(t -> t.time(KEEP_ALIVE)).ignoreUnavailable(true);
                query.timeRange().ifPresent(o::indexFilter);
                return o;
            }).id();
        } catch (ElasticsearchException e) {
            throw translated(e, false);
        }
    }

    /**
     * One page: {@code after} is null for the first. {@code sourceFields} null means whole documents,
     * empty means none (only {@code _index} and {@code _id}).
     * Hits from anything but an event index are refused: a point-in-time id comes back from the
     * client inside a cursor, and must not become a way to read other indices.
     */
    SearchResponse<ObjectNode> page(String pitId, EventQuery query, EventSort sort, int size, List<FieldValue> after,
                                    List<String> sourceFields, boolean countAll) throws IOException {
        SearchResponse<ObjectNode> response;
        try {
            response = client.search(s -> {
                s.pit(p -> p.id(pitId).keepAlive(t -> t.time(KEEP_ALIVE)))
                        .size(size).allowPartialSearchResults(false)
                        .trackTotalHits(t -> t.enabled(countAll))
                        .query(query.query()).sort(sort.options());
                if (after != null) s.searchAfter(after);
                if (sourceFields != null && sourceFields.isEmpty()) s.source(src -> src.fetch(false));
                else if (sourceFields != null) s.source(src -> src.filter(f -> f.includes(sourceFields)));
                return s;
            }, ObjectNode.class);
        } catch (ElasticsearchException e) {
            throw translated(e, after != null);
        }
        for (Hit<ObjectNode> hit : response.hits().hits()) {
            if (!hit.index().startsWith(IndexNames.EVENTS_PREFIX)) {
                close(pitId);
                throw new BadRequestResponse("this cursor does not belong to an event search");
            }
        }
        return response;
    }

    /** Frees the point in time now rather than at its expiry; nobody waits for the answer. */
    void close(String pitId) {
        if (pitId == null) return;
        async.closePointInTime(c -> c.id(pitId)).whenComplete((response, error) -> {
            if (error != null) log.debug("point in time not closed: {}", error.toString());
        });
    }

    /** A bad query or an unusable cursor is the caller's mistake and says so; anything else stays a server error. */
    static RuntimeException translated(ElasticsearchException e, boolean withCursor) {
        if (withCursor && mentions(e.error(), "search_context_missing_exception")) {
            return new GoneResponse("the search behind this cursor expired (a cursor lives " + KEEP_ALIVE
                    + " after the page that gave it); run the search again");
        }
        if (e.status() == 400) {
            return new BadRequestResponse((withCursor ? "the query or the cursor was not understood: "
                    : "the query was not understood: ") + reason(e.error()));
        }
        return e;
    }

    static String reason(ErrorCause error) {
        if (error == null) return "";
        if (!error.rootCause().isEmpty() && error.rootCause().get(0).reason() != null) return error.rootCause().get(0).reason();
        if (error.causedBy() != null && error.causedBy().reason() != null) return error.causedBy().reason();
        return error.reason() == null ? error.type() : error.reason();
    }

    private static boolean mentions(ErrorCause error, String type) {
        if (error == null) return false;
        if (type.equals(error.type())) return true;
        for (ErrorCause cause : error.rootCause()) if (mentions(cause, type)) return true;
        return mentions(error.causedBy(), type);
    }
}
