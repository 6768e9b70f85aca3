package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import co.elastic.clients.elasticsearch._types.aggregations.StringTermsBucket;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.msearch.MultiSearchItem;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.JsonData;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventCodec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The root processes of a host in a time window: the processes that started (exec or
 * already-running snapshot) on the host inside the window and whose parent did not, either
 * because the parent started outside the window, because its exec was never stored, or because
 * no parent is recorded at all. Every process started in the window is in the tree of exactly
 * one of them.
 */
final class RootProcesses {
    /** Distinct parents a window may reference before the listing says it is incomplete. */
    static final int MAX_PARENTS = 10_000;

    private final ElasticsearchClient client;

    RootProcesses(ElasticsearchClient client) {
        this.client = client;
    }

    ObjectNode list(String host, String from, String to, int size) throws IOException {
        Query window = Query.of(q -> q.range(r -> r.untyped(u -> u.field("@timestamp").gte(JsonData.of(from)).lte(JsonData.of(to)))));
        Query onHost = Query.of(q -> q.bool(b -> b.minimumShouldMatch("1")
                .should(ProcessStore.term("host.id", host)).should(ProcessStore.term("host.name", host))));
        Query started = Query.of(q -> q.bool(b -> b.filter(onHost, window, ProcessStore.execActions())
                .filter(e -> e.exists(x -> x.field("process.entity_id")))));

        MultiSearch referenced = new MultiSearch();
        referenced.add(ProcessStore.PROCESS_INDICES, b -> b.size(0).query(started)
                .aggregations("parents", a -> a.terms(t -> t.field("process.parent.entity_id").size(MAX_PARENTS))));
        MultiSearchItem<ObjectNode> parentsResult = referenced.run(client).get(0);
        List<String> parents = ProcessStore.buckets(parentsResult, "parents").stream().map(b -> b.key().stringValue()).toList();
        Aggregate parentsAggregate = parentsResult.aggregations().get("parents");
        boolean truncated = parentsAggregate != null && parentsAggregate.isSterms()
                && parentsAggregate.sterms().sumOtherDocCount() != null && parentsAggregate.sterms().sumOtherDocCount() > 0;

        Map<String, String> outsideReason = parentsOutsideWindow(parents, window);
        List<String> rootParents = new ArrayList<>(outsideReason.keySet());

        MultiSearch roots = new MultiSearch();
        Query orphan = Query.of(q -> q.bool(b -> b.mustNot(m -> m.exists(x -> x.field("process.parent.entity_id")))));
        Query root = rootParents.isEmpty() ? orphan : Query.of(q -> q.bool(b -> b.minimumShouldMatch("1")
                .should(orphan).should(ProcessStore.terms("process.parent.entity_id", rootParents))));
        roots.add(ProcessStore.PROCESS_INDICES, b -> b.size(size)
                .query(q -> q.bool(f -> f.filter(started, root)))
                .collapse(c -> c.field("process.entity_id"))
                .sort(ProcessStore.oldestFirst())
                .source(s -> s.filter(i -> i.includes(ProcessFacts.SOURCE_FIELDS)))
                .aggregations("total", a -> a.cardinality(c -> c.field("process.entity_id"))));
        MultiSearchItem<ObjectNode> rootResult = roots.run(client).get(0);

        ObjectNode body = EventCodec.mapper().createObjectNode();
        body.put("host", host).put("from", from).put("to", to);
        body.put("total", rootResult.aggregations().get("total").cardinality().value());
        ArrayNode list = body.putArray("roots");
        for (Hit<ObjectNode> hit : rootResult.hits().hits()) {
            ProcessFacts process = ProcessFacts.fromExec(hit.source());
            ObjectNode node = process.json();
            process.putParentClaim(node);
            node.put("root_reason", process.parentEntityId() == null ? "no-parent-recorded"
                    : outsideReason.getOrDefault(process.parentEntityId(), "parent-exec-not-stored"));
            list.add(node);
        }
        body.put("truncated", truncated);
        return body;
    }

    /**
     * Of the parents the window's processes name, those that did not start in the window, each
     * with why: started outside it, or never stored at all.
     */
    private Map<String, String> parentsOutsideWindow(List<String> parents, Query window) throws IOException {
        Map<String, String> outside = new HashMap<>();
        if (parents.isEmpty()) return outside;
        MultiSearch search = new MultiSearch();
        search.add(ProcessStore.PROCESS_INDICES, b -> b.size(0)
                .query(q -> q.bool(f -> f.filter(ProcessStore.terms("process.entity_id", parents), ProcessStore.execActions())))
                .aggregations("stored", a -> a.terms(t -> t.field("process.entity_id").size(parents.size()))
                        .aggregations("in_window", w -> w.filter(window))));
        Map<String, Boolean> startedInWindow = new HashMap<>();
        for (StringTermsBucket bucket : ProcessStore.buckets(search.run(client).get(0), "stored")) {
            startedInWindow.put(bucket.key().stringValue(), bucket.aggregations().get("in_window").filter().docCount() > 0);
        }
        for (String parent : parents) {
            Boolean inWindow = startedInWindow.get(parent);
            if (inWindow == null) outside.put(parent, "parent-exec-not-stored");
            else if (!inWindow) outside.put(parent, "parent-outside-window");
        }
        return outside;
    }
}
