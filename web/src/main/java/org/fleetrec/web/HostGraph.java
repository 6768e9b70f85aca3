package org.fleetrec.web;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Host-to-host edges from connection rows whose far end is a fleet host. Both ends of one
 * connection are usually recorded (the connect on the client, the accept on the server), so an edge
 * counts the connections its busier end recorded rather than the sum, which would count each twice.
 */
final class HostGraph {
    record Edge(@JsonProperty("from_host") HostRef fromHost, @JsonProperty("to_host") HostRef toHost,
                @JsonProperty("from_ip") String fromIp, @JsonProperty("to_ip") String toIp, Long port, long count) {
    }

    /** By host id: the directory and the events may spell a host's name differently. */
    private record EdgeKey(String fromHost, String toHost, String fromIp, String toIp, Long port) {
    }

    private static final class Counts {
        final HostRef from;
        final HostRef to;
        long seenByClient;
        long seenByServer;

        Counts(HostRef from, HostRef to) {
            this.from = from;
            this.to = to;
        }
    }

    private HostGraph() {
    }

    static List<Edge> edges(List<ConnectionTable.Connection> rows, Map<String, Set<HostRef>> owners) {
        Map<EdgeKey, Counts> edges = new LinkedHashMap<>();
        for (ConnectionTable.Connection row : rows) {
            Set<HostRef> remote = owners.getOrDefault(row.remoteIp(), Set.of());
            boolean egress = "egress".equals(row.direction());
            for (HostRef other : remote) {
                HostRef from = egress ? row.host() : other;
                HostRef to = egress ? other : row.host();
                if (Objects.equals(from.id(), to.id())) continue;
                Counts counts = edges.computeIfAbsent(new EdgeKey(from.id(), to.id(), row.source().ip(), row.destination().ip(),
                        row.destination().port()), k -> new Counts(from, to));
                if (egress) counts.seenByClient += row.count();
                else counts.seenByServer += row.count();
            }
        }
        List<Edge> result = new ArrayList<>();
        edges.forEach((key, counts) -> result.add(new Edge(counts.from, counts.to, key.fromIp(), key.toIp(), key.port(),
                Math.max(counts.seenByClient, counts.seenByServer))));
        result.sort(Comparator.comparingLong(Edge::count).reversed());
        return result;
    }
}
