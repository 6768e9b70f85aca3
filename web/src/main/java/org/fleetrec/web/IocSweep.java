package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregation;
import co.elastic.clients.elasticsearch._types.aggregations.FiltersBucket;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.fleetrec.model.IndexNames;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Looks for indicators across every event of the fleet: for each kind, batches of at most
 * {@link #MAX_TERMS} values go out as one {@code terms} query over the kind's fields, and a
 * {@code filters} aggregation (one filter an indicator and field) says which indicator matched
 * where; CIDR blocks match there as they do in the query. Results come back by host.
 */
final class IocSweep {
    static final int MAX_TERMS = 1000;
    private static final int HOSTS_A_MATCH = 200;
    private static final int PROCESSES_A_MATCH = 10;

    record Match(Indicator indicator, String field, long count, @JsonProperty("first_seen") String firstSeen,
                 @JsonProperty("last_seen") String lastSeen, List<ProcessRef> processes) {
    }

    record HostMatches(HostRef host, List<Match> matches) {
    }

    private final ElasticsearchClient client;

    IocSweep(ElasticsearchClient client) {
        this.client = client;
    }

    List<HostMatches> sweep(List<Indicator> indicators, TimeWindow window) throws IOException {
        Map<String, HostRef> hosts = new LinkedHashMap<>();
        Map<String, List<Match>> matches = new LinkedHashMap<>();
        for (IndicatorType type : IndicatorType.values()) {
            List<Indicator> ofType = indicators.stream().filter(i -> i.type() == type).toList();
            for (List<Indicator> batch : batches(type, ofType)) {
                sweepBatch(type, batch, window, hosts, matches);
            }
        }
        List<HostMatches> result = new ArrayList<>();
        hosts.forEach((id, host) -> {
            List<Match> found = matches.get(id);
            found.sort(Comparator.comparing(Match::lastSeen, Comparator.nullsLast(Comparator.reverseOrder())));
            result.add(new HostMatches(host, found));
        });
        result.sort(Comparator.comparing((HostMatches h) -> h.host().name(), Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(h -> h.host().id(), Comparator.nullsLast(Comparator.naturalOrder())));
        return result;
    }

    /** Consecutive indicators whose search values number at most {@link #MAX_TERMS}. */
    private static List<List<Indicator>> batches(IndicatorType type, List<Indicator> indicators) {
        List<List<Indicator>> batches = new ArrayList<>();
        List<Indicator> batch = new ArrayList<>();
        int terms = 0;
        for (Indicator indicator : indicators) {
            int size = type.searchValues(indicator.value()).size();
            if (terms + size > MAX_TERMS) {
                batches.add(batch);
                batch = new ArrayList<>();
                terms = 0;
            }
            batch.add(indicator);
            terms += size;
        }
        if (!batch.isEmpty()) batches.add(batch);
        return batches;
    }

    private void sweepBatch(IndicatorType type, List<Indicator> batch, TimeWindow window,
                            Map<String, HostRef> hosts, Map<String, List<Match>> matches) throws IOException {
        Set<String> values = new LinkedHashSet<>();
        batch.forEach(i -> values.addAll(type.searchValues(i.value())));
        List<Query> anyField = type.fields().stream().map(field -> Queries.terms(field, values)).toList();
        Map<String, Aggregation> perField = new LinkedHashMap<>();
        for (int f = 0; f < type.fields().size(); f++) {
            String field = type.fields().get(f);
            Map<String, Query> perIndicator = new LinkedHashMap<>();
            for (int i = 0; i < batch.size(); i++) {
                perIndicator.put(Integer.toString(i), Queries.terms(field, type.searchValues(batch.get(i).value())));
            }
            perField.put("f" + f, Aggregation.of(a -> a.filters(fs -> fs.filters(b -> b.keyed(perIndicator)))
                    .aggregations("hosts", byHost())));
        }
        Map<String, Aggregate> result = Queries.aggregate(client, IndexNames.ALL_EVENTS,
                Queries.within(Queries.anyOf(anyField), window), perField);
        if (result == null) return;
        for (int f = 0; f < type.fields().size(); f++) {
            Aggregate filters = result.get("f" + f);
            if (filters == null) continue;
            for (Map.Entry<String, FiltersBucket> hit : filters.filters().buckets().keyed().entrySet()) {
                if (hit.getValue().docCount() == 0) continue;
                Indicator indicator = batch.get(Integer.parseInt(hit.getKey()));
                for (Aggs.Bucket host : Aggs.terms(hit.getValue().aggregations(), "hosts")) {
                    hosts.putIfAbsent(host.key(), new HostRef(host.key(), Aggs.firstKey(host.aggregations(), "name")));
                    List<ProcessRef> processes = new ArrayList<>();
                    for (Aggs.Bucket process : Aggs.terms(host.aggregations(), "processes")) {
                        processes.add(ProcessRef.of(process.key(), null, Aggs.top(process.aggregations(), "latest")));
                    }
                    matches.computeIfAbsent(host.key(), k -> new ArrayList<>()).add(new Match(indicator, type.fields().get(f),
                            host.count(), Aggs.time(host.aggregations(), "first"), Aggs.time(host.aggregations(), "last"), processes));
                }
            }
        }
    }

    private static Aggregation byHost() {
        Aggregation processes = Aggregation.of(a -> a.terms(t -> t.field("process.entity_id").size(PROCESSES_A_MATCH))
                .aggregations("latest", Aggs.latest(List.of("process.name", "process.executable", "process.command_line"))));
        return Aggregation.of(a -> a.terms(t -> t.field("host.id").size(HOSTS_A_MATCH))
                .aggregations("name", Aggregation.of(n -> n.terms(t -> t.field("host.name").size(1))))
                .aggregations("first", Aggs.firstSeen())
                .aggregations("last", Aggs.lastSeen())
                .aggregations("processes", processes));
    }
}
