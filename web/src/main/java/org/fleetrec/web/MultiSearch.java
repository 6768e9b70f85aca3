package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch.core.msearch.MultiSearchItem;
import co.elastic.clients.elasticsearch.core.msearch.MultiSearchResponseItem;
import co.elastic.clients.elasticsearch.core.msearch.MultisearchBody;
import co.elastic.clients.elasticsearch.core.msearch.RequestItem;
import co.elastic.clients.util.ObjectBuilder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.BadRequestResponse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Several searches in one Elasticsearch round trip. Every page of the process view needs a
 * few independent answers (exec, exit, counts); asking them together keeps latency flat.
 */
final class MultiSearch {
    private final List<RequestItem> items = new ArrayList<>();

    /** Adds a search over {@code index} (patterns allowed; missing indices are no error); returns its position. */
    int add(String index, Function<MultisearchBody.Builder, ObjectBuilder<MultisearchBody>> body) {
        return add(List.of(index), body);
    }

    int add(List<String> indices, Function<MultisearchBody.Builder, ObjectBuilder<MultisearchBody>> body) {
        items.add(RequestItem.of(r -> r.header(h -> h.index(indices).ignoreUnavailable(true).allowNoIndices(true))
                .body(body)));
        return items.size() - 1;
    }

    /**
     * Runs them all. A search Elasticsearch refuses as malformed (a bad date, a bad cursor) is the
     * caller's mistake: 400 with Elasticsearch's reason; any other failure is the server's.
     */
    List<MultiSearchItem<ObjectNode>> run(ElasticsearchClient client) throws IOException {
        List<MultiSearchResponseItem<ObjectNode>> responses = client.msearch(m -> m.searches(items), ObjectNode.class)
                .responses();
        List<MultiSearchItem<ObjectNode>> results = new ArrayList<>(responses.size());
        for (MultiSearchResponseItem<ObjectNode> response : responses) {
            if (response.isFailure()) {
                if (response.failure().status() == 400) {
                    throw new BadRequestResponse("the request was not understood: " + rootReason(response));
                }
                throw new ElasticsearchException("msearch", response.failure());
            }
            results.add(response.result());
        }
        return results;
    }

    private static String rootReason(MultiSearchResponseItem<ObjectNode> response) {
        var error = response.failure().error();
        // The top-level reason of a failed search is "all shards failed"; the cause says why.
        if (error.rootCause() != null && !error.rootCause().isEmpty() && error.rootCause().get(0).reason() != null) {
            return error.rootCause().get(0).reason();
        }
        return error.reason();
    }
}
