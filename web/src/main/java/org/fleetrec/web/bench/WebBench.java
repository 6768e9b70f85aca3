package org.fleetrec.web.bench;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;
import org.fleetrec.templates.ElasticsearchClients;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * {@code ./fleetrec bench web [--generate] [--hosts N] [--events N] [--seed N] [--repeat N] [--warmup N]}:
 * latencies of the web app's investigation endpoints over a synthetic fleet, through the running
 * stack's web server with its API token, one request at a time. It generates the fleet first when
 * asked, when there are no fixtures yet, or when the cluster no longer holds them.
 * <p>
 * Each kind is warmed, then timed {@code repeat} times over several variants. Every request of a
 * kind shifts its time range by a second, so Elasticsearch's request cache never answers for it.
 * Only the status is checked, and for trees the number of processes the {@code nodes} array
 * stands for (a summary node counts as the processes it summarises). An endpoint that answers 404 to its first request is "not available".
 */
public final class WebBench {
    static final double TREE_GOAL_P95 = 300;
    static final double CORRELATION_GOAL_P90 = 350;

    /** One request of a kind: its path and query, and the node counts a tree answer may have (empty: not checked). */
    record Request(String path, Set<Integer> nodeCounts) {
    }

    /** A kind of request; {@code group} pools kinds for a goal (tree, correlation) or is null. */
    record Kind(String name, String group, IntFunction<Request> request) {
    }

    /** What came of a kind: its latencies, errors, and the first error seen. */
    record Outcome(Kind kind, LatencyStats stats, int errors, String firstError, boolean available, long bytes) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;
    private final PrintStream out;

    WebBench(String base, String token, PrintStream out) {
        this.base = base;
        this.token = token;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        List<String> arguments = List.of(args);
        int repeat = intOption(arguments, "--repeat", 200);
        int warmup = intOption(arguments, "--warmup", 20);
        BenchEnvironment env = BenchEnvironment.detect();
        if (env.webUrl() == null || env.apiToken() == null) {
            System.out.println("web bench skipped — no running stack (./fleetrec up), or set FLEETREC_WEB_URL, FLEETREC_API_TOKEN"
                    + " and FLEETREC_ES_URL");
            return;
        }
        FleetFixtures fixtures = fixtures(env, arguments);
        if (fixtures == null) System.exit(2);
        WebBench bench = new WebBench(env.webUrl(), env.apiToken(), System.out);
        System.out.printf("web bench: %s, fleet of %,d hosts and %,d events (%s to %s); %d warm-up and %d timed requests a kind,"
                        + " one at a time%n", env.webUrl(), fixtures.hosts(), fixtures.events(), fixtures.from(), fixtures.to(),
                warmup, repeat);
        List<Outcome> outcomes = new ArrayList<>();
        for (Kind kind : kinds(fixtures)) outcomes.add(bench.run(kind, warmup, repeat));
        bench.report(outcomes);
    }

    /** The fixtures to query, generating the fleet when needed; null when that is impossible. */
    private static FleetFixtures fixtures(BenchEnvironment env, List<String> arguments) throws IOException {
        boolean generate = arguments.contains("--generate");
        FleetFixtures fixtures = !generate && Files.exists(env.fixtureFile()) ? FleetFixtures.read(env.fixtureFile()) : null;
        if (env.elasticsearch() == null) {
            if (fixtures == null) System.out.println("web bench: no fixtures at " + env.fixtureFile()
                    + " and no cluster to generate a fleet in (set FLEETREC_ES_URL)");
            return fixtures;
        }
        ElasticsearchClient client = ElasticsearchClients.create(env.elasticsearch());
        try {
            if (fixtures != null && !holds(client, fixtures)) {
                System.out.println("web bench: the cluster does not hold the fleet of " + env.fixtureFile() + "; generating it again");
                fixtures = null;
            }
            if (fixtures == null) {
                fixtures = new FleetGenerator(client, FleetGenerator.Options.parse(arguments), System.out).generate(env.fixtureFile());
            }
            return fixtures;
        } finally {
            ElasticsearchClients.close(client);
        }
    }

    private static boolean holds(ElasticsearchClient client, FleetFixtures fixtures) throws IOException {
        return client.count(c -> c.index(IndexNames.ALL_EVENTS).ignoreUnavailable(true).allowNoIndices(true)
                .query(q -> q.term(t -> t.field("process.entity_id").value(fixtures.deepTree().leafEntityId())))).count() > 0;
    }

    /** The request kinds and their variants, from the fixtures. */
    static List<Kind> kinds(FleetFixtures f) {
        Instant to = Instant.parse(f.to());
        FleetFixtures.DeepTree tree = f.deepTree();
        // With or without the root's own ancestors, should the endpoint add them even when none are asked for.
        Set<Integer> rootNodes = Set.of(1 + tree.descendants(), 1 + tree.descendants() + tree.rootAncestors());
        // Every ancestor up to systemd, or 20 of them should the endpoint cap ancestors as it caps descendants.
        Set<Integer> leafNodes = Set.of(1 + tree.depth() + tree.rootAncestors(), 1 + 20);
        String hotIp = f.hotServer().ip();
        int hotPort = f.hotServer().port();
        // Lucene queries over a week unless they say otherwise: by name, by port, a phrase, by hash, by CIDR, paths.
        record Search(String query, Duration length) {
        }
        Duration week = Duration.ofDays(7);
        List<Search> searches = List.of(
                new Search("q=" + enc("process.name:curl"), Duration.ofHours(24)),
                new Search("q=" + enc("event.action:connected-to AND destination.port:" + hotPort), week),
                new Search("q=" + enc("process.command_line.text:\"" + f.iocs().domain() + "\""), week),
                new Search("dataset=auth", Duration.ofHours(1)),
                new Search("q=" + enc("user.name:root AND event.dataset:file") + "&host=" + enc(f.sampleHost()), week),
                new Search("q=" + enc("process.hash.sha256:" + f.iocs().sha256()), week),
                new Search("q=" + enc("destination.ip:\"203.0.113.0/24\"") + "&dataset=network", week),
                new Search("q=" + enc("file.directory:\"/etc/nginx/sites-available\" OR file.path:\"/etc/ssh/sshd_config\""), week));
        List<Kind> kinds = new ArrayList<>();
        kinds.add(new Kind("search", null, i -> {
            Search search = searches.get(i % searches.size());
            return new Request("/api/v1/search?" + search.query() + "&" + range(to, search.length(), i), Set.of());
        }));
        kinds.add(new Kind("tree: root, 20 levels down", "tree", i -> new Request("/api/v1/processes/" + enc(tree.rootEntityId())
                + "/tree?ancestors=0&descendants=" + tree.depth(), rootNodes)));
        kinds.add(new Kind("tree: deepest leaf, ancestors", "tree", i -> new Request("/api/v1/processes/" + enc(tree.leafEntityId())
                + "/tree?ancestors=" + (tree.depth() + tree.rootAncestors()) + "&descendants=0", leafNodes)));
        kinds.add(new Kind("correlate: hot port " + hotPort, "correlation", i -> new Request("/api/v1/network/correlate?port=" + hotPort
                + "&" + range(to, i % 2 == 0 ? Duration.ofDays(7) : Duration.ofHours(24), i), Set.of())));
        List<String> ips = List.of(hotIp, f.iocs().ip());
        kinds.add(new Kind("correlate: IP", "correlation", i -> new Request("/api/v1/network/correlate?ip=" + enc(ips.get(i % ips.size()))
                + "&" + range(to, Duration.ofDays(7), i), Set.of())));
        List<String> cidrs = List.of(f.cidr(), "203.0.113.0/24");
        kinds.add(new Kind("correlate: CIDR", "correlation", i -> new Request("/api/v1/network/correlate?cidr="
                + enc(cidrs.get(i % cidrs.size())) + "&" + range(to, Duration.ofDays(7), i), Set.of())));
        return kinds;
    }

    /** from/to ending {@code shift} seconds before the fleet's newest events. */
    private static String range(Instant to, Duration length, int shift) {
        Instant end = to.minusSeconds(shift);
        return "from=" + enc(end.minus(length).toString()) + "&to=" + enc(end.toString());
    }

    Outcome run(Kind kind, int warmup, int repeat) throws IOException, InterruptedException {
        LatencyStats stats = new LatencyStats();
        HttpResponse<String> first = get(kind.request().apply(0).path());
        if (first.statusCode() == 404) {
            return new Outcome(kind, stats, 0, "404 " + abbreviate(first.body()), false, 0);
        }
        for (int i = 0; i < warmup; i++) get(kind.request().apply(1_000 + i).path());
        int errors = 0;
        String firstError = null;
        long bytes = 0;
        for (int i = 0; i < repeat; i++) {
            Request request = kind.request().apply(i);
            long started = System.nanoTime();
            HttpResponse<String> response = get(request.path());
            double millis = (System.nanoTime() - started) / 1e6;
            String error = check(request, response);
            if (error != null) {
                errors++;
                if (firstError == null) firstError = error + " — " + request.path();
                continue;
            }
            stats.add(millis);
            bytes += response.body().length();
        }
        return new Outcome(kind, stats, errors, firstError, true, stats.count() == 0 ? 0 : bytes / stats.count());
    }

    private static String check(Request request, HttpResponse<String> response) {
        if (response.statusCode() != 200) return response.statusCode() + " " + abbreviate(response.body());
        if (request.nodeCounts().isEmpty()) return null;
        try {
            JsonNode nodes = EventCodec.mapper().readTree(response.body()).path("nodes");
            // A large fan-out comes back as a summary node standing for the processes it counts.
            int processes = 0;
            for (JsonNode node : nodes) processes += node.path("summary").asBoolean(false) ? node.path("more").asInt() : 1;
            if (nodes.isArray() && !request.nodeCounts().contains(processes)) {
                return "the tree stood for " + processes + " processes, expected " + request.nodeCounts();
            }
            return null;
        } catch (IOException e) {
            return "not JSON: " + abbreviate(response.body());
        }
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json").GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    void report(List<Outcome> outcomes) {
        out.printf("%-32s %5s %6s %8s %8s %8s %8s %8s %9s%n", "kind", "n", "errors", "p50", "p90", "p95", "p99", "max", "avg KiB");
        Map<String, LatencyStats> groups = new LinkedHashMap<>();
        Map<String, Integer> groupErrors = new LinkedHashMap<>();
        for (Outcome o : outcomes) {
            if (!o.available()) {
                out.printf("%-32s not available (%s)%n", o.kind().name(), o.firstError());
            } else {
                row(o.kind().name(), o.stats(), o.errors(), o.bytes() / 1024.0);
                if (o.firstError() != null) out.printf("%-32s   first error: %s%n", "", o.firstError());
            }
            if (o.kind().group() != null) {
                groups.computeIfAbsent(o.kind().group(), g -> new LatencyStats()).addAll(o.stats());
                groupErrors.merge(o.kind().group(), o.errors(), Integer::sum);
            }
        }
        groups.forEach((group, stats) -> {
            if (stats.count() > 0) row(group + ": all", stats, -1, Double.NaN);
        });
        out.println("(milliseconds, nearest-rank percentiles over successful requests)");
        out.println("goals:");
        goal("tree", "p95", 0.95, TREE_GOAL_P95, groups, groupErrors);
        goal("correlation", "p90", 0.90, CORRELATION_GOAL_P90, groups, groupErrors);
    }

    private void row(String name, LatencyStats s, int errors, double kib) {
        out.printf("%-32s %5d %6s %8.1f %8.1f %8.1f %8.1f %8.1f %9s%n", name, s.count(), errors < 0 ? "" : Integer.toString(errors),
                s.percentile(0.5), s.percentile(0.9), s.percentile(0.95), s.percentile(0.99), s.max(),
                Double.isNaN(kib) ? "" : String.format("%.1f", kib));
    }

    private void goal(String group, String label, double fraction, double limit, Map<String, LatencyStats> groups,
                      Map<String, Integer> errors) {
        LatencyStats stats = groups.get(group);
        if (stats == null || stats.count() == 0) {
            out.printf("  %s %s <= %.0f ms: not measured (endpoint not available)%n", group, label, limit);
            return;
        }
        double value = stats.percentile(fraction);
        int failed = errors.getOrDefault(group, 0);
        // Fast failures prove nothing: with errors the goal is not judged met.
        String verdict = value > limit ? "NOT met" : failed > 0 ? "not judged, " + failed + " requests failed" : "met";
        out.printf("  %s %s <= %.0f ms: %.1f ms, %s%n", group, label, limit, value, verdict);
    }

    private static int intOption(List<String> args, String name, int fallback) {
        int at = args.indexOf(name);
        return at >= 0 && at + 1 < args.size() ? Integer.parseInt(args.get(at + 1)) : fallback;
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String body) {
        String line = body == null ? "" : body.replaceAll("\\s+", " ").strip();
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
