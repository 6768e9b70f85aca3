package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregation;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.IndexNames;
import org.fleetrec.model.IpLiteral;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which fleet host owns an address: the addresses each host reports and the one it last shipped
 * from ({@code fleet-hosts}), and the local end of its own connections in the window (its
 * {@code source.ip} when it connects out, its {@code destination.ip} when it accepts). Loopback and
 * wildcard addresses belong to every host and so to none.
 */
final class HostAddresses {
    private static final int CHUNK = 1000;
    private static final int HOSTS_AN_ADDRESS = 10;

    private final ElasticsearchClient client;

    HostAddresses(ElasticsearchClient client) {
        this.client = client;
    }

    Map<String, Set<HostRef>> owners(Collection<String> addresses, TimeWindow window) throws IOException {
        List<String> wanted = addresses.stream().filter(a -> a != null && !IpLiteral.isHostLocal(a)).distinct().toList();
        Map<String, Set<HostRef>> owners = new LinkedHashMap<>();
        for (List<String> chunk : Queries.chunks(wanted, CHUNK)) {
            fromDirectory(chunk, owners);
            fromEvents(chunk, window, owners);
        }
        return owners;
    }

    private void fromDirectory(List<String> chunk, Map<String, Set<HostRef>> owners) throws IOException {
        Set<String> wanted = Set.copyOf(chunk);
        Query query = Queries.anyOf(List.of(Queries.terms("host.ip", chunk), Queries.terms("last_address", chunk)));
        List<ObjectNode> hosts;
        try {
            hosts = client.search(s -> s.index(IndexNames.HOSTS).size(chunk.size() * HOSTS_AN_ADDRESS)
                            .ignoreUnavailable(true).allowNoIndices(true).query(query)
                            .source(src -> src.filter(f -> f.includes("host.id", "host.name", "host.ip", "last_address"))),
                    ObjectNode.class).hits().hits().stream().map(h -> h.source()).toList();
        } catch (ElasticsearchException e) {
            throw Queries.userError(e);
        }
        for (ObjectNode doc : hosts) {
            HostRef host = new HostRef(Aggs.text(doc, "host.id"), Aggs.text(doc, "host.name"));
            List<String> addresses = new ArrayList<>();
            JsonNode ips = doc.path("host").path("ip");
            if (ips.isArray()) ips.forEach(ip -> addresses.add(ip.asText()));
            else if (ips.isTextual()) addresses.add(ips.asText());
            addresses.add(Aggs.text(doc, "last_address"));
            for (String address : addresses) {
                IpLiteral.canonical(address).filter(wanted::contains).ifPresent(ip -> add(owners, ip, host));
            }
        }
    }

    private void fromEvents(List<String> chunk, TimeWindow window, Map<String, Set<HostRef>> owners) throws IOException {
        Map<String, Aggregation> aggregations = Map.of(
                "egress", localEnd("egress", "source.ip", chunk),
                "ingress", localEnd("ingress", "destination.ip", chunk));
        Query any = Queries.anyOf(List.of(Queries.terms("source.ip", chunk), Queries.terms("destination.ip", chunk)));
        Map<String, Aggregate> result = Queries.aggregate(client, ConnectionTable.NETWORK_EVENTS, Queries.within(any, window), aggregations);
        for (String side : List.of("egress", "ingress")) {
            Aggregate filtered = result == null ? null : result.get(side);
            if (filtered == null) continue;
            for (Aggs.Bucket address : Aggs.terms(filtered.filter().aggregations(), "address")) {
                for (Aggs.Bucket host : Aggs.terms(address.aggregations(), "host")) {
                    add(owners, address.key(), new HostRef(host.key(), Aggs.firstKey(host.aggregations(), "name")));
                }
            }
        }
    }

    /** One entry a host id: the directory and the events may spell its name differently. */
    private static void add(Map<String, Set<HostRef>> owners, String address, HostRef host) {
        Set<HostRef> hosts = owners.computeIfAbsent(address, k -> new LinkedHashSet<>());
        if (hosts.stream().noneMatch(h -> Objects.equals(h.id(), host.id()))) hosts.add(host);
    }

    /** The hosts whose own end of a {@code direction} connection is one of {@code addresses}. */
    private static Aggregation localEnd(String direction, String localField, List<String> addresses) {
        Query local = Query.of(q -> q.bool(b -> b.filter(Queries.term("network.direction", direction))
                .filter(Queries.terms(localField, addresses))));
        Aggregation names = Aggregation.of(a -> a.terms(t -> t.field("host.name").size(1)));
        Aggregation hosts = Aggregation.of(a -> a.terms(t -> t.field("host.id").size(HOSTS_AN_ADDRESS))
                .aggregations("name", names));
        Aggregation byAddress = Aggregation.of(a -> a.terms(t -> t.field(localField).size(addresses.size()))
                .aggregations("host", hosts));
        return Aggregation.of(a -> a.filter(local).aggregations("address", byAddress));
    }
}
