package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregation;
import co.elastic.clients.elasticsearch._types.aggregations.CompositeBucket;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.model.IpLiteral;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the fleet's DNS events say about a name: who asked for it, and the addresses it resolved to,
 * so connections to those addresses can be found although the connect itself names no domain.
 */
final class DomainResolution {
    static final String DNS_EVENTS = "fleet-events-dns-*";
    private static final int MAX_ADDRESSES = 1000;
    private static final List<String> GROUP = List.of("host.id", "host.name", "process.entity_id", "process.name", "dns.question.name");

    record Lookup(HostRef host, ProcessRef process, String question, @JsonProperty("first_seen") String firstSeen,
                  @JsonProperty("last_seen") String lastSeen, long count) {
    }

    record Result(List<String> names, @JsonProperty("resolved_ips") List<String> resolvedIps, List<Lookup> lookups,
                  boolean truncated) {
    }

    private final ElasticsearchClient client;

    DomainResolution(ElasticsearchClient client) {
        this.client = client;
    }

    Result resolve(List<String> names, TimeWindow window, int limit) throws IOException {
        Query asked = Queries.within(Queries.terms("dns.question.name", names), window);
        Map<String, Aggregate> answers = Queries.aggregate(client, DNS_EVENTS, asked, Map.of(
                "resolved", Aggregation.of(a -> a.terms(t -> t.field("dns.resolved_ip").size(MAX_ADDRESSES + 1))),
                "answers", Aggregation.of(a -> a.terms(t -> t.field("dns.answers.data").size(MAX_ADDRESSES + 1)))));
        Set<String> addresses = new LinkedHashSet<>();
        List<Aggs.Bucket> resolved = Aggs.terms(answers, "resolved");
        List<Aggs.Bucket> data = Aggs.terms(answers, "answers");
        boolean truncated = resolved.size() > MAX_ADDRESSES || data.size() > MAX_ADDRESSES;
        resolved.forEach(b -> IpLiteral.canonical(b.key()).ifPresent(addresses::add));
        // Answer data holds CNAME targets and the like too: only literal addresses are kept.
        data.forEach(b -> IpLiteral.canonical(b.key()).ifPresent(addresses::add));
        List<String> resolvedIps = new ArrayList<>(addresses);
        if (resolvedIps.size() > MAX_ADDRESSES) resolvedIps = resolvedIps.subList(0, MAX_ADDRESSES);

        CompositeScan.Result scan = CompositeScan.scan(client, DNS_EVENTS, asked, GROUP,
                Map.of("first", Aggs.firstSeen(), "last", Aggs.lastSeen(),
                        "latest", Aggs.latest(List.of("process.executable", "process.command_line"))), limit);
        List<Lookup> lookups = new ArrayList<>();
        for (CompositeBucket bucket : scan.buckets()) {
            JsonNode latest = Aggs.top(bucket.aggregations(), "latest");
            lookups.add(new Lookup(new HostRef(Aggs.text(bucket.key().get("host.id")), Aggs.text(bucket.key().get("host.name"))),
                    ProcessRef.of(Aggs.text(bucket.key().get("process.entity_id")), Aggs.text(bucket.key().get("process.name")), latest),
                    Aggs.text(bucket.key().get("dns.question.name")),
                    Aggs.time(bucket.aggregations(), "first"), Aggs.time(bucket.aggregations(), "last"), bucket.docCount()));
        }
        lookups.sort(Comparator.comparing(Lookup::lastSeen, Comparator.nullsLast(Comparator.reverseOrder())));
        return new Result(names, List.copyOf(resolvedIps), lookups, truncated || scan.truncated());
    }
}
