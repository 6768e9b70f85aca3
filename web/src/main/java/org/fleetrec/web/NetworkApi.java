package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code GET /api/v1/network/correlate?ip=|cidr=|port=|domain=|entityId=&from=&to=&size=}: who
 * talked to an address, block, port, domain or process, when and how often ({@code connections}),
 * which fleet hosts talked to each other ({@code hosts_graph}), and the connections followed across
 * hosts to the process that accepted them and what it started ({@code chains}). The page is
 * {@code /network}.
 */
final class NetworkApi {
    static final int DEFAULT_SIZE = 500;
    static final int MAX_SIZE = 5000;
    static final String DEFAULT_FROM = "now-7d";

    private final ElasticsearchClient client;

    NetworkApi(ElasticsearchClient client) {
        this.client = client;
    }

    void routes(Javalin app, Function<String, Handler> page) {
        app.get("/api/v1/network/correlate", this::correlate);
        app.get("/network", page.apply("network.html"));
    }

    /** Where chains are stitched while the request thread builds the connection table. */
    private static final java.util.concurrent.ExecutorService STITCHING = java.util.concurrent.Executors.newFixedThreadPool(4, r -> {
        Thread thread = new Thread(r, "chain-stitching");
        thread.setDaemon(true);
        return thread;
    });

    void correlate(Context ctx) throws IOException {
        NetworkSelector selector = NetworkSelector.from(ctx);
        TimeWindow window = TimeWindow.of(ctx, DEFAULT_FROM, "now");
        int size = WholeNumber.parse("size", ctx.queryParam("size"), DEFAULT_SIZE, 1, MAX_SIZE);

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("selector", Map.of(selector.kind().parameter, selector.value()));
        body.put("from", window.from());
        body.put("to", window.to());
        List<String> resolvedIps = List.of();
        if (selector.kind() == NetworkSelector.Kind.DOMAIN) {
            DomainResolution.Result dns = new DomainResolution(client).resolve(selector.domainNames(), window, size);
            resolvedIps = dns.resolvedIps();
            body.put("dns", dns);
        }
        Query match = selector.query(resolvedIps);
        // The chains need nothing from the table: both are asked of the cluster at once.
        java.util.concurrent.CompletableFuture<ConnectionChains.Result> chainsAsked = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> {
                    try {
                        return new ConnectionChains(client).chains(match, window);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, STITCHING);
        ConnectionTable.Result connections = new ConnectionTable(client).rows(match, window, size);
        body.put("connections", connections.rows());
        body.put("truncated", connections.truncated());

        List<String> remote = connections.rows().stream().map(ConnectionTable.Connection::remoteIp).toList();
        Map<String, Set<HostRef>> owners = new HostAddresses(client).owners(remote, window);
        body.put("hosts_graph", HostGraph.edges(connections.rows(), owners));

        ConnectionChains.Result chains;
        try {
            chains = chainsAsked.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof java.io.UncheckedIOException io) throw io.getCause();
            if (e.getCause() instanceof RuntimeException runtime) throw runtime;
            throw e;
        }
        body.put("chains", chains.chains());
        body.put("chains_truncated", chains.truncated());
        ctx.json(body);
    }
}
