package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.aggregations.CompositeBucket;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Who talked to what: network events grouped by host, process, direction and both ends, with when
 * and how often, computed by Elasticsearch rather than by reading every event.
 */
final class ConnectionTable {
    static final String NETWORK_EVENTS = "fleet-events-network-*";
    private static final List<String> GROUP = List.of("host.id", "host.name", "process.entity_id", "process.name",
            "process.executable", "network.direction", "source.ip", "destination.ip", "destination.port", "network.transport");

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Endpoint(String ip, Long port) {
    }

    record Connection(HostRef host, ProcessRef process, String direction, Endpoint source, Endpoint destination,
                      String transport, @JsonProperty("first_seen") String firstSeen,
                      @JsonProperty("last_seen") String lastSeen, long count) {

        /** The far end's address as this host saw it, or null for sockets with no far end. */
        String remoteIp() {
            if ("egress".equals(direction)) return destination.ip();
            if ("ingress".equals(direction)) return source.ip();
            return null;
        }
    }

    record Result(List<Connection> rows, boolean truncated) {
    }

    private final ElasticsearchClient client;

    ConnectionTable(ElasticsearchClient client) {
        this.client = client;
    }

    /** Most recently active first; at most {@code limit} rows. */
    Result rows(Query match, TimeWindow window, int limit) throws IOException {
        CompositeScan.Result scan = CompositeScan.scan(client, NETWORK_EVENTS, Queries.within(match, window), GROUP,
                Map.of("first", Aggs.firstSeen(), "last", Aggs.lastSeen(), "latest", Aggs.latest(List.of("process.command_line"))),
                limit);
        List<Connection> rows = new ArrayList<>();
        for (CompositeBucket bucket : scan.buckets()) rows.add(connection(bucket));
        rows.sort(Comparator.comparing(Connection::lastSeen, Comparator.nullsLast(Comparator.reverseOrder())));
        return new Result(rows, scan.truncated());
    }

    private static Connection connection(CompositeBucket bucket) {
        Map<String, FieldValue> key = bucket.key();
        JsonNode latest = Aggs.top(bucket.aggregations(), "latest");
        ProcessRef process = new ProcessRef(Aggs.text(key.get("process.entity_id")), Aggs.text(key.get("process.name")),
                Aggs.text(key.get("process.executable")), Aggs.text(latest, "process.command_line"));
        return new Connection(new HostRef(Aggs.text(key.get("host.id")), Aggs.text(key.get("host.name"))), process,
                Aggs.text(key.get("network.direction")),
                new Endpoint(Aggs.text(key.get("source.ip")), null),
                new Endpoint(Aggs.text(key.get("destination.ip")), Aggs.number(key.get("destination.port"))),
                Aggs.text(key.get("network.transport")),
                Aggs.time(bucket.aggregations(), "first"), Aggs.time(bucket.aggregations(), "last"), bucket.docCount());
    }
}
