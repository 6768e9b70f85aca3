package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOptions;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import co.elastic.clients.elasticsearch._types.aggregations.StringTermsBucket;
import co.elastic.clients.elasticsearch._types.mapping.FieldType;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.msearch.MultiSearchItem;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.JsonData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.IndexNames;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads processes from the event indices: exec and exit events from the process dataset,
 * children a level at a time, activity counts by aggregation. Every method is one round trip
 * whatever the number of processes it is asked about.
 */
final class ProcessStore {
    static final String PROCESS_INDICES = IndexNames.EVENTS_PREFIX + Dataset.PROCESS.id() + "-*";
    /** The datasets a tree node counts: what the process talked to, wrote and loaded. */
    static final List<Dataset> COUNTED = List.of(Dataset.NETWORK, Dataset.FILE, Dataset.LIBRARY);
    static final List<String> EXEC_ACTIONS = List.of("executed", "already-running");
    static final String EXIT_ACTION = "ended";

    private static final List<String> COUNTED_INDICES =
            COUNTED.stream().map(d -> IndexNames.EVENTS_PREFIX + d.id() + "-*").toList();
    private static final int TOP_NAMES = 5;

    record ProcessEnd(String end, Long exitCode) {
    }

    /** A parent's children as one level query saw them: the earliest few, how many in all, their commonest names. */
    record Children(List<ProcessFacts> first, long total, List<String> topNames) {
    }

    /** What a tree adds to each node once its shape is known. */
    record NodeFacts(Map<String, ProcessEnd> ends, Map<String, Map<String, Long>> counts, Map<String, Long> childCounts) {
    }

    private final ElasticsearchClient client;

    ProcessStore(ElasticsearchClient client) {
        this.client = client;
    }

    /**
     * The process from its exec event or, failing that, from its newest event of any dataset or,
     * failing that, from what a child says of it: an inferred parent can be expanded like any node.
     */
    Optional<ProcessFacts> process(String entityId) throws IOException {
        MultiSearch search = new MultiSearch();
        int exec = addExecs(search, List.of(entityId));
        int any = search.add(IndexNames.ALL_EVENTS, b -> b.size(1).query(term("process.entity_id", entityId))
                .sort(newestFirst()));
        int child = search.add(PROCESS_INDICES, b -> b.size(1)
                .query(q -> q.bool(f -> f.filter(term("process.parent.entity_id", entityId), execActions())))
                .sort(oldestFirst())
                .source(s -> s.filter(f -> f.includes(ProcessFacts.SOURCE_FIELDS))));
        List<MultiSearchItem<ObjectNode>> results = search.run(client);
        Map<String, ProcessFacts> execs = execs(results.get(exec));
        if (execs.containsKey(entityId)) return Optional.of(execs.get(entityId));
        Optional<ProcessFacts> seen = results.get(any).hits().hits().stream().findFirst()
                .map(hit -> ProcessFacts.inferredFrom(hit.source()));
        if (seen.isPresent()) return seen;
        return results.get(child).hits().hits().stream().findFirst()
                .map(hit -> ProcessFacts.fromExec(hit.source()).inferredParent());
    }

    /** The exec events of these processes, earliest first when an entity has several (snapshots after restarts). */
    Map<String, ProcessFacts> execs(Collection<String> entityIds) throws IOException {
        MultiSearch search = new MultiSearch();
        addExecs(search, entityIds);
        return execs(search.run(client).get(0));
    }

    int addExecs(MultiSearch search, Collection<String> entityIds) {
        return search.add(PROCESS_INDICES, b -> b.size(entityIds.size())
                .query(q -> q.bool(f -> f.filter(terms("process.entity_id", entityIds), execActions())))
                .collapse(c -> c.field("process.entity_id"))
                .sort(oldestFirst())
                .source(s -> s.filter(f -> f.includes(ProcessFacts.SOURCE_FIELDS))));
    }

    static Map<String, ProcessFacts> execs(MultiSearchItem<ObjectNode> result) {
        Map<String, ProcessFacts> execs = new LinkedHashMap<>();
        for (Hit<ObjectNode> hit : result.hits().hits()) {
            ProcessFacts facts = ProcessFacts.fromExec(hit.source());
            execs.put(facts.entityId(), facts);
        }
        return execs;
    }

    int addEnds(MultiSearch search, Collection<String> entityIds) {
        return search.add(PROCESS_INDICES, b -> b.size(entityIds.size())
                .query(q -> q.bool(f -> f.filter(terms("process.entity_id", entityIds),
                        term("event.action", EXIT_ACTION))))
                .collapse(c -> c.field("process.entity_id"))
                .sort(newestFirst())
                .source(s -> s.filter(f -> f.includes("@timestamp", "process.entity_id", "process.end", "process.exit_code"))));
    }

    static Map<String, ProcessEnd> ends(MultiSearchItem<ObjectNode> result) {
        Map<String, ProcessEnd> ends = new LinkedHashMap<>();
        for (Hit<ObjectNode> hit : result.hits().hits()) {
            JsonNode process = hit.source().path("process");
            JsonNode end = process.path("end");
            JsonNode code = process.path("exit_code");
            ends.put(process.path("entity_id").asText(), new ProcessEnd(
                    end.isValueNode() ? end.asText() : hit.source().path("@timestamp").asText(null),
                    code.isNumber() ? code.asLong() : null));
        }
        return ends;
    }

    /**
     * One level of descendants: the children of every parent in {@code parents}, at most
     * {@code perParent} each (the earliest), with each parent's true child count.
     */
    Map<String, Children> children(Collection<String> parents, int perParent) throws IOException {
        MultiSearch search = new MultiSearch();
        search.add(PROCESS_INDICES, b -> b.size(0).query(childrenOf(parents))
                .aggregations("by_parent", a -> a.terms(t -> t.field("process.parent.entity_id").size(parents.size()))
                        .aggregations("distinct", d -> d.cardinality(c -> c.field("process.entity_id")))
                        .aggregations("names", n -> n.terms(t -> t.field("process.name").size(TOP_NAMES)))
                        .aggregations("first", f -> f.topHits(t -> t.size(perParent).sort(oldestFirst())
                                .source(s -> s.filter(i -> i.includes(ProcessFacts.SOURCE_FIELDS)))))));
        Map<String, Children> children = new LinkedHashMap<>();
        for (StringTermsBucket bucket : buckets(search.run(client).get(0), "by_parent")) {
            List<ProcessFacts> first = new ArrayList<>();
            for (Hit<JsonData> hit : bucket.aggregations().get("first").topHits().hits().hits()) {
                first.add(ProcessFacts.fromExec(hit.source().to(JsonNode.class)));
            }
            List<String> names = bucket.aggregations().get("names").sterms().buckets().array().stream()
                    .map(b -> b.key().stringValue()).toList();
            children.put(bucket.key().stringValue(),
                    new Children(first, bucket.aggregations().get("distinct").cardinality().value(), names));
        }
        return children;
    }

    /**
     * Exit facts and activity counts of every node, and the child counts of the nodes whose
     * children were not fetched, in one round trip.
     */
    NodeFacts nodeFacts(Collection<String> entityIds, Collection<String> unexpanded) throws IOException {
        MultiSearch search = new MultiSearch();
        int ends = addEnds(search, entityIds);
        int counts = search.add(COUNTED_INDICES, b -> b.size(0)
                .query(q -> q.bool(f -> f.filter(terms("process.entity_id", entityIds),
                        terms("event.dataset", COUNTED.stream().map(Dataset::id).toList()))))
                .aggregations("by_process", a -> a.terms(t -> t.field("process.entity_id").size(entityIds.size()))
                        .aggregations("by_dataset", d -> d.terms(t -> t.field("event.dataset").size(COUNTED.size())))));
        int childCounts = unexpanded.isEmpty() ? -1 : search.add(PROCESS_INDICES, b -> b.size(0)
                .query(childrenOf(unexpanded))
                .aggregations("by_parent", a -> a.terms(t -> t.field("process.parent.entity_id").size(unexpanded.size()))
                        .aggregations("distinct", d -> d.cardinality(c -> c.field("process.entity_id")))));
        List<MultiSearchItem<ObjectNode>> results = search.run(client);

        Map<String, Map<String, Long>> countsByProcess = new LinkedHashMap<>();
        for (StringTermsBucket bucket : buckets(results.get(counts), "by_process")) {
            Map<String, Long> byDataset = new LinkedHashMap<>();
            bucket.aggregations().get("by_dataset").sterms().buckets().array()
                    .forEach(d -> byDataset.put(d.key().stringValue(), d.docCount()));
            countsByProcess.put(bucket.key().stringValue(), byDataset);
        }
        Map<String, Long> children = new LinkedHashMap<>();
        if (childCounts >= 0) {
            for (StringTermsBucket bucket : buckets(results.get(childCounts), "by_parent")) {
                children.put(bucket.key().stringValue(), bucket.aggregations().get("distinct").cardinality().value());
            }
        }
        return new NodeFacts(ends(results.get(ends)), countsByProcess, children);
    }

    static List<StringTermsBucket> buckets(MultiSearchItem<ObjectNode> result, String name) {
        Aggregate aggregate = result.aggregations().get(name);
        return aggregate == null || !aggregate.isSterms() ? List.of() : aggregate.sterms().buckets().array();
    }

    private static Query childrenOf(Collection<String> parents) {
        return Query.of(q -> q.bool(f -> f.filter(terms("process.parent.entity_id", parents), execActions())
                .filter(e -> e.exists(x -> x.field("process.entity_id")))));
    }

    static Query execActions() {
        return terms("event.action", EXEC_ACTIONS);
    }

    static Query terms(String field, Collection<String> values) {
        List<FieldValue> list = values.stream().map(FieldValue::of).toList();
        return Query.of(q -> q.terms(t -> t.field(field).terms(v -> v.value(list))));
    }

    static Query term(String field, String value) {
        return Query.of(q -> q.term(t -> t.field(field).value(FieldValue.of(value))));
    }

    static SortOptions oldestFirst() {
        return SortOptions.of(o -> o.field(f -> f.field("@timestamp").order(SortOrder.Asc).unmappedType(FieldType.Date)));
    }

    static SortOptions newestFirst() {
        return SortOptions.of(o -> o.field(f -> f.field("@timestamp").order(SortOrder.Desc).unmappedType(FieldType.Date)));
    }
}
