package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import co.elastic.clients.elasticsearch._types.aggregations.DateHistogramBucket;
import co.elastic.clients.elasticsearch._types.aggregations.FieldDateMath;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.json.JsonData;
import co.elastic.clients.util.NamedValue;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What one host did in a time window, from its events:
 * <ul>
 *   <li>{@code timeline}: events per dataset in buckets of {@link TimeWindow.Resolved#interval()}, empty buckets included;</li>
 *   <li>{@code top_executables}: the {@value #TOP} {@code process.executable} with most process events;</li>
 *   <li>{@code top_destinations}: the {@value #TOP} {@code destination.ip} + {@code destination.port} pairs
 *       with most events (the {@value #DESTINATION_IPS} busiest addresses, their busiest ports);</li>
 *   <li>{@code top_users}: the {@value #TOP} {@code user.name} with most events;</li>
 *   <li>{@code rare_executables}: of the executables this host ran in the window (its
 *       {@value #RARE_CANDIDATES} least frequent), the {@value #TOP} that the fewest hosts of the fleet
 *       ran in the same window; ties go to the fewest process events fleet-wide. A program only this
 *       host ran is what an investigator looks at first.</li>
 * </ul>
 */
final class HostActivity {
    static final int TOP = 10;
    static final int DESTINATION_IPS = 25;
    static final int RARE_CANDIDATES = 500;

    private record Bucket(String key, long count, Map<String, Aggregate> aggregations) {
    }

    private record Rare(String executable, long onHost, long inFleet, long hosts) {
    }

    private final ElasticsearchClient client;

    HostActivity(ElasticsearchClient client) {
        this.client = client;
    }

    ObjectNode of(String hostId, TimeWindow.Resolved window) throws IOException {
        String interval = window.interval();
        SearchResponse<Void> response = client.search(s -> s.index(IndexNames.ALL_EVENTS).size(0)
                .ignoreUnavailable(true).allowNoIndices(true).trackTotalHits(t -> t.enabled(true))
                .query(inWindow(window, Query.of(q -> q.term(t -> t.field("host.id").value(FieldValue.of(hostId))))))
                .aggregations("timeline", a -> a.dateHistogram(h -> h.field("@timestamp")
                                .fixedInterval(t -> t.time(interval)).minDocCount(0)
                                .extendedBounds(b -> b.min(millis(window.from())).max(millis(window.to()))))
                        .aggregations("datasets", sub -> sub.terms(t -> t.field("event.dataset").size(30))))
                .aggregations("processes", a -> a.filter(processEvents())
                        .aggregations("top", sub -> sub.terms(t -> t.field("process.executable").size(TOP)))
                        .aggregations("rarest", sub -> sub.terms(t -> t.field("process.executable").size(RARE_CANDIDATES)
                                .order(NamedValue.of("_count", SortOrder.Asc)))))
                .aggregations("users", a -> a.terms(t -> t.field("user.name").size(TOP)))
                .aggregations("destinations", a -> a.filter(f -> f.exists(e -> e.field("destination.ip")))
                        .aggregations("ips", sub -> sub.terms(t -> t.field("destination.ip").size(DESTINATION_IPS))
                                .aggregations("ports", ports -> ports.terms(t -> t.field("destination.port").size(TOP))))),
                Void.class);
        Map<String, Aggregate> aggs = response.aggregations();

        ObjectNode body = EventCodec.mapper().createObjectNode();
        body.putObject("window").put("from", window.from().toString()).put("to", window.to().toString()).put("interval", interval);
        body.put("total", response.hits().total() == null ? 0 : response.hits().total().value());
        body.set("timeline", timeline(aggs.get("timeline")));
        Map<String, Aggregate> processes = sub(aggs.get("processes"));
        body.set("top_executables", counts(buckets(processes.get("top")), "executable"));
        body.set("top_destinations", destinations(sub(aggs.get("destinations")).get("ips")));
        body.set("top_users", counts(buckets(aggs.get("users")), "user"));
        body.set("rare_executables", rare(buckets(processes.get("rarest")), window));
        return body;
    }

    private static ObjectNode timeline(Aggregate histogram) {
        ObjectNode timeline = EventCodec.mapper().createObjectNode();
        TreeSet<String> datasets = new TreeSet<>();
        ArrayNode buckets = EventCodec.mapper().createArrayNode();
        if (histogram != null && histogram.isDateHistogram()) {
            for (DateHistogramBucket bucket : histogram.dateHistogram().buckets().array()) {
                ObjectNode row = buckets.addObject().put("time", Instant.ofEpochMilli(bucket.key()).toString())
                        .put("total", bucket.docCount());
                ObjectNode counts = row.putObject("datasets");
                for (Bucket dataset : buckets(bucket.aggregations().get("datasets"))) {
                    counts.put(dataset.key(), dataset.count());
                    datasets.add(dataset.key());
                }
            }
        }
        ArrayNode names = timeline.putArray("datasets");
        datasets.forEach(names::add);
        timeline.set("buckets", buckets);
        return timeline;
    }

    private static ArrayNode destinations(Aggregate ips) {
        List<ObjectNode> pairs = new ArrayList<>();
        for (Bucket ip : buckets(ips)) {
            for (Bucket port : buckets(ip.aggregations().get("ports"))) {
                ObjectNode pair = EventCodec.mapper().createObjectNode().put("ip", ip.key());
                try {
                    pair.put("port", Long.parseLong(port.key()));
                } catch (NumberFormatException e) {
                    pair.put("port", port.key());
                }
                pairs.add(pair.put("count", port.count()));
            }
        }
        pairs.sort(Comparator.comparingLong((ObjectNode p) -> p.path("count").asLong()).reversed()
                .thenComparing(p -> p.path("ip").asText()).thenComparingLong(p -> p.path("port").asLong()));
        ArrayNode top = EventCodec.mapper().createArrayNode();
        pairs.stream().limit(TOP).forEach(top::add);
        return top;
    }

    /** The host's least frequent executables, ranked by how few hosts of the fleet ran them. */
    private ArrayNode rare(List<Bucket> onHost, TimeWindow.Resolved window) throws IOException {
        ArrayNode result = EventCodec.mapper().createArrayNode();
        if (onHost.isEmpty()) return result;
        List<String> executables = onHost.stream().map(Bucket::key).toList();
        SearchResponse<Void> fleet = client.search(s -> s.index(IndexNames.ALL_EVENTS).size(0)
                .ignoreUnavailable(true).allowNoIndices(true)
                .query(inWindow(window, processEvents()))
                .aggregations("executables", a -> a.terms(t -> t.field("process.executable").size(executables.size())
                                .include(i -> i.terms(executables)))
                        .aggregations("hosts", sub -> sub.cardinality(c -> c.field("host.id")))), Void.class);
        Map<String, Bucket> fleetWide = new java.util.HashMap<>();
        for (Bucket bucket : buckets(fleet.aggregations().get("executables"))) fleetWide.put(bucket.key(), bucket);
        List<Rare> ranked = new ArrayList<>();
        for (Bucket mine : onHost) {
            Bucket all = fleetWide.get(mine.key());
            long hosts = all == null ? 1 : all.aggregations().get("hosts").cardinality().value();
            ranked.add(new Rare(mine.key(), mine.count(), all == null ? mine.count() : all.count(), Math.max(hosts, 1)));
        }
        ranked.sort(Comparator.comparingLong(Rare::hosts).thenComparingLong(Rare::inFleet).thenComparing(Rare::executable));
        for (Rare rare : ranked.subList(0, Math.min(TOP, ranked.size()))) {
            result.addObject().put("executable", rare.executable()).put("hosts", rare.hosts())
                    .put("events_on_host", rare.onHost()).put("events_in_fleet", rare.inFleet());
        }
        return result;
    }

    private static ArrayNode counts(List<Bucket> buckets, String keyName) {
        ArrayNode list = EventCodec.mapper().createArrayNode();
        for (Bucket bucket : buckets) list.addObject().put(keyName, bucket.key()).put("count", bucket.count());
        return list;
    }

    private static Query processEvents() {
        return Query.of(q -> q.term(t -> t.field("event.dataset").value(FieldValue.of("process"))));
    }

    private static Query inWindow(TimeWindow.Resolved window, Query filter) {
        return Query.of(q -> q.bool(b -> b.filter(filter).filter(f -> f.range(r -> r.untyped(u -> u.field("@timestamp")
                .gte(JsonData.of(window.from().toString())).lt(JsonData.of(window.to().toString())))))));
    }

    private static FieldDateMath millis(Instant time) {
        return FieldDateMath.of(m -> m.value((double) time.toEpochMilli()));
    }

    private static Map<String, Aggregate> sub(Aggregate single) {
        return single != null && single.isFilter() ? single.filter().aggregations() : Map.of();
    }

    /** Buckets of a terms aggregation whatever the field type; nothing when no index maps the field. */
    private static List<Bucket> buckets(Aggregate terms) {
        List<Bucket> result = new ArrayList<>();
        if (terms == null) return result;
        if (terms.isSterms()) {
            terms.sterms().buckets().array().forEach(b -> result.add(new Bucket(b.key().stringValue(), b.docCount(), b.aggregations())));
        } else if (terms.isLterms()) {
            terms.lterms().buckets().array().forEach(b -> result.add(new Bucket(String.valueOf(b.key()), b.docCount(), b.aggregations())));
        } else if (terms.isDterms()) {
            terms.dterms().buckets().array().forEach(b -> result.add(new Bucket(String.valueOf(b.key()), b.docCount(), b.aggregations())));
        }
        return result;
    }
}
