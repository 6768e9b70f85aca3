package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOptions;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.mapping.FieldType;
import co.elastic.clients.elasticsearch.core.msearch.MultiSearchItem;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * One process and a page of everything it did: its exec and exit, every event of every
 * dataset carrying its entity id (newest first) and how many there are per dataset, in one
 * round trip.
 */
final class ProcessEvents {
    /**
     * Newest first; within one millisecond the agent's own sequence orders a process's events
     * (they all come from one host), and the agent id separates a reinstalled agent's numbering.
     */
    private static final List<SortOptions> ORDER = List.of(
            sort("@timestamp", FieldType.Date), sort("event.sequence", FieldType.Long), sort("agent.id", FieldType.Keyword));

    private final ElasticsearchClient client;
    private final ProcessStore store;

    ProcessEvents(ElasticsearchClient client, ProcessStore store) {
        this.client = client;
        this.store = store;
    }

    /** The process and one page of its events, or empty when nothing carries that entity id. */
    Optional<ObjectNode> page(String entityId, int size, String cursor) throws IOException {
        List<FieldValue> after = cursor == null ? null : EventCursor.decode(cursor, ORDER.size());
        MultiSearch search = new MultiSearch();
        int exec = store.addExecs(search, List.of(entityId));
        int end = store.addEnds(search, List.of(entityId));
        // One more than asked: its presence, not a guess from a full page, says whether a next page exists.
        int events = search.add(IndexNames.ALL_EVENTS, b -> {
            b.size(size + 1).query(ProcessStore.term("process.entity_id", entityId)).sort(ORDER)
                    .trackTotalHits(t -> t.enabled(true))
                    .aggregations("by_dataset", a -> a.terms(t -> t.field("event.dataset").size(Dataset.values().length)));
            if (after != null) b.searchAfter(after);
            return b;
        });
        List<MultiSearchItem<ObjectNode>> results = search.run(client);
        MultiSearchItem<ObjectNode> page = results.get(events);
        long total = page.hits().total() == null ? page.hits().hits().size() : page.hits().total().value();
        ProcessFacts process = ProcessStore.execs(results.get(exec)).get(entityId);
        if (process == null && total == 0) return Optional.empty();

        ObjectNode body = EventCodec.mapper().createObjectNode();
        List<Hit<ObjectNode>> hits = page.hits().hits();
        if (process == null && !hits.isEmpty()) process = ProcessFacts.inferredFrom(hits.get(0).source());
        // A page past the last event of a process without an exec still names what was asked for.
        ObjectNode node = process != null ? process.json()
                : EventCodec.mapper().createObjectNode().put("entity_id", entityId).put("inferred", true);
        ProcessStore.ProcessEnd ended = ProcessStore.ends(results.get(end)).get(entityId);
        if (ended != null) {
            if (ended.end() != null) node.put("end", ended.end());
            if (ended.exitCode() != null) node.put("exit_code", ended.exitCode());
        }
        body.set("process", node);
        body.put("total", total);
        ObjectNode counts = body.putObject("counts");
        ProcessStore.buckets(page, "by_dataset").forEach(b -> counts.put(b.key().stringValue(), b.docCount()));
        ArrayNode list = body.putArray("events");
        hits.stream().limit(size).forEach(hit -> list.add(hit.source()));
        if (hits.size() > size) body.put("next", EventCursor.encode(hits.get(size - 1).sort()));
        else body.putNull("next");
        return Optional.of(body);
    }

    private static SortOptions sort(String field, FieldType type) {
        return SortOptions.of(o -> o.field(f -> f.field(field).order(SortOrder.Desc).unmappedType(type)));
    }
}
