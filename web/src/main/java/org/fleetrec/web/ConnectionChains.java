package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregation;
import co.elastic.clients.elasticsearch._types.aggregations.CompositeBucket;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Connections followed from one process to another through {@code network.community_id}: both
 * ends of a flow compute the same id, so the connect on the client host and the accept on the server
 * host (the same host for loopback) join on it. Each chain ends with what the accepting process
 * started afterwards, which is where an intrusion usually goes on.
 */
final class ConnectionChains {
    /**
     * The most recent flows are stitched, at most this many: each costs its ends and the accepting
     * process's children, and an investigator reads the newest first (measured: 1,000 flows of a /24
     * took 2 s of a 2-core cluster; {@code chains_truncated} says when there were more).
     */
    static final int MAX_FLOWS = 200;
    private static final int MAX_ENDS = 10_000;
    private static final int MAX_CHILDREN = 10_000;
    private static final int CHILDREN_A_CHAIN = 100;
    private static final String PROCESS_EVENTS = "fleet-events-process-*";
    private static final List<String> END_GROUP = List.of("network.community_id", "network.direction", "host.id", "process.entity_id");
    private static final List<String> END_DETAILS = List.of("host.name", "process.name", "process.executable",
            "process.command_line", "source.ip", "source.port", "destination.ip", "destination.port");

    record End(HostRef host, ProcessRef process, String ip, Long port) {
    }

    record Child(@JsonProperty("entity_id") String entityId, String name, String executable,
                 @JsonProperty("command_line") String commandLine, @JsonProperty("first_seen") String firstSeen) {
    }

    record Chain(@JsonProperty("community_id") String communityId, End client, End server,
                 @JsonProperty("first_seen") String firstSeen, @JsonProperty("last_seen") String lastSeen, long count,
                 boolean loopback, @JsonProperty("server_children") List<Child> serverChildren) {
    }

    record Result(List<Chain> chains, boolean truncated) {
    }

    /** One end of a flow as grouped: who, and when it saw the flow. */
    private record Seen(End end, String firstSeen, String lastSeen, long count) {
    }

    private final ElasticsearchClient client;

    ConnectionChains(ElasticsearchClient client) {
        this.client = client;
    }

    /** The chains through the flows of the network events {@code match} selects. */
    Result chains(Query match, TimeWindow window) throws IOException {
        Query withFlow = Query.of(q -> q.bool(b -> b.must(match).filter(f -> f.exists(e -> e.field("network.community_id")))));
        Map<String, Aggregate> flows = Queries.aggregate(client, ConnectionTable.NETWORK_EVENTS, Queries.within(withFlow, window),
                Map.of("flows", Aggregation.of(a -> a.terms(t -> t.field("network.community_id").size(MAX_FLOWS + 1)
                        .order(co.elastic.clients.util.NamedValue.of("last", co.elastic.clients.elasticsearch._types.SortOrder.Desc)))
                        .aggregations("last", Aggs.lastSeen()))));
        List<String> allIds = Aggs.terms(flows, "flows").stream().map(Aggs.Bucket::key).toList();
        boolean truncated = allIds.size() > MAX_FLOWS;
        List<String> communityIds = truncated ? allIds.subList(0, MAX_FLOWS) : allIds;
        if (communityIds.isEmpty()) return new Result(List.of(), false);

        Map<String, List<Seen>> clients = new LinkedHashMap<>();
        Map<String, List<Seen>> servers = new LinkedHashMap<>();
        Query ends = Query.of(q -> q.bool(b -> b.filter(Queries.terms("network.community_id", communityIds))
                .filter(Queries.terms("network.direction", List.of("egress", "ingress")))));
        CompositeScan.Result scan = CompositeScan.scan(client, ConnectionTable.NETWORK_EVENTS, Queries.within(ends, window), END_GROUP,
                Map.of("first", Aggs.firstSeen(), "last", Aggs.lastSeen(), "latest", Aggs.latest(END_DETAILS)), MAX_ENDS);
        truncated |= scan.truncated();
        for (CompositeBucket bucket : scan.buckets()) {
            String communityId = Aggs.text(bucket.key().get("network.community_id"));
            boolean egress = "egress".equals(Aggs.text(bucket.key().get("network.direction")));
            JsonNode latest = Aggs.top(bucket.aggregations(), "latest");
            // The client's own end is the source of its connect; the server's own end the destination of its accept.
            String side = egress ? "source" : "destination";
            End end = new End(new HostRef(Aggs.text(bucket.key().get("host.id")), Aggs.text(latest, "host.name")),
                    ProcessRef.of(Aggs.text(bucket.key().get("process.entity_id")), null, latest),
                    Aggs.text(latest, side + ".ip"), number(Aggs.text(latest, side + ".port")));
            Seen seen = new Seen(end, Aggs.time(bucket.aggregations(), "first"), Aggs.time(bucket.aggregations(), "last"), bucket.docCount());
            (egress ? clients : servers).computeIfAbsent(communityId, k -> new ArrayList<>()).add(seen);
        }
        Set<String> serverProcesses = new LinkedHashSet<>();
        servers.values().forEach(list -> list.forEach(s -> serverProcesses.add(s.end().process().entityId())));
        serverProcesses.remove(null);
        Children children = children(List.copyOf(serverProcesses), childrenWindow(servers.values(), window));
        truncated |= children.truncated();

        List<Chain> chains = new ArrayList<>();
        for (Map.Entry<String, List<Seen>> flow : clients.entrySet()) {
            for (Seen client : flow.getValue()) {
                for (Seen server : servers.getOrDefault(flow.getKey(), List.of())) {
                    // A process does not accept its own connect; same host and another process is loopback.
                    if (Objects.equals(client.end().process().entityId(), server.end().process().entityId())) continue;
                    chains.add(new Chain(flow.getKey(), client.end(), server.end(),
                            earlier(client.firstSeen(), server.firstSeen()), later(client.lastSeen(), server.lastSeen()),
                            client.count(), Objects.equals(client.end().host().id(), server.end().host().id()),
                            children.startedSince(server.end().process().entityId(), server.firstSeen())));
                }
            }
        }
        chains.sort(Comparator.comparing(Chain::firstSeen, Comparator.nullsLast(Comparator.reverseOrder())));
        return new Result(chains, truncated);
    }

    /**
     * Children are looked for from the earliest accept of the stitched flows to a while after the
     * latest: a server that has run for weeks has started far more processes than these connections
     * explain, and reading them all cost most of a correlation's time.
     */
    private static TimeWindow childrenWindow(java.util.Collection<List<Seen>> servers, TimeWindow window) {
        Instant first = null;
        Instant last = null;
        for (List<Seen> ends : servers) {
            for (Seen end : ends) {
                Instant from = instant(end.firstSeen());
                Instant to = instant(end.lastSeen());
                if (from != null && (first == null || from.isBefore(first))) first = from;
                if (to != null && (last == null || to.isAfter(last))) last = to;
            }
        }
        if (first == null || last == null) return window.openEnded();
        return new TimeWindow(first.toString(), last.plus(CHILDREN_AFTER_ACCEPT).toString());
    }

    /** How long after an accept a child still counts as the connection's doing. */
    private static final java.time.Duration CHILDREN_AFTER_ACCEPT = java.time.Duration.ofMinutes(10);

    /** Children of the accepting processes, by parent entity id. */
    private record Children(Map<String, List<Child>> byParent, boolean truncated) {
        /**
         * Those started at or after the accept: a long-lived server's older children came from other
         * connections, not this one.
         */
        List<Child> startedSince(String parent, String accepted) {
            Instant since = instant(accepted);
            List<Child> result = new ArrayList<>();
            for (Child child : byParent.getOrDefault(parent, List.of())) {
                Instant started = instant(child.firstSeen());
                if (since == null || started == null || !started.isBefore(since)) result.add(child);
                if (result.size() == CHILDREN_A_CHAIN) break;
            }
            return result;
        }
    }

    private Children children(List<String> parents, TimeWindow window) throws IOException {
        Map<String, List<Child>> byParent = new LinkedHashMap<>();
        boolean truncated = false;
        for (List<String> chunk : Queries.chunks(parents, 1000)) {
            CompositeScan.Result scan = CompositeScan.scan(client, PROCESS_EVENTS,
                    Queries.within(Queries.terms("process.parent.entity_id", chunk), window),
                    List.of("process.parent.entity_id", "process.entity_id"),
                    Map.of("first", Aggs.firstSeen(), "latest", Aggs.latest(List.of("process.name", "process.executable", "process.command_line"))),
                    MAX_CHILDREN);
            truncated |= scan.truncated();
            for (CompositeBucket bucket : scan.buckets()) {
                JsonNode latest = Aggs.top(bucket.aggregations(), "latest");
                String entityId = Aggs.text(bucket.key().get("process.entity_id"));
                if (entityId == null) continue;
                byParent.computeIfAbsent(Aggs.text(bucket.key().get("process.parent.entity_id")), k -> new ArrayList<>())
                        .add(new Child(entityId, Aggs.text(latest, "process.name"), Aggs.text(latest, "process.executable"),
                                Aggs.text(latest, "process.command_line"), Aggs.time(bucket.aggregations(), "first")));
            }
        }
        byParent.values().forEach(list -> list.sort(Comparator.comparing(Child::firstSeen, Comparator.nullsLast(Comparator.naturalOrder()))));
        return new Children(byParent, truncated);
    }

    private static Instant instant(String time) {
        try {
            return time == null ? null : Instant.parse(time);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String earlier(String a, String b) {
        if (a == null) return b;
        if (b == null) return a;
        Instant x = instant(a);
        Instant y = instant(b);
        return x != null && y != null && y.isBefore(x) ? b : a;
    }

    private static String later(String a, String b) {
        if (a == null) return b;
        if (b == null) return a;
        Instant x = instant(a);
        Instant y = instant(b);
        return x != null && y != null && y.isAfter(x) ? b : a;
    }

    private static Long number(String text) {
        try {
            return text == null ? null : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
