package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkIngester;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkListener;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.EventDocument;
import org.fleetrec.model.IndexNames;
import org.fleetrec.model.ServerTrust;
import org.fleetrec.templates.ElasticsearchClients;
import org.fleetrec.templates.ElasticsearchSettings;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

/**
 * {@code ./fleetrec bench ingest [N]}: events/s through the ingest server (HTTPS, gzip NDJSON,
 * token, validation, BulkIngester, acknowledged) against the same documents written straight to
 * Elasticsearch by a BulkIngester tuned for throughput, side by side in one run on one cluster (the running
 * stack's, or FLEETREC_ES_URL). The ratio is what the ingest tier costs.
 */
public final class IngestBench {
    private static final int BATCH = 1000;
    private static final int AGENTS = 4;

    /**
     * The direct writer is tuned for throughput alone: large requests, as a bulk loader with
     * nobody waiting on each document would send (measured faster here than the server's 1,000).
     */
    private static final BulkWriter.Limits DIRECT_LIMITS = new BulkWriter.Limits(5_000, 8L << 20, 4,
            java.time.Duration.ofMillis(50), 1, java.time.Duration.ofSeconds(45));

    private IngestBench() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        Path root = Path.of(System.getProperty("fleetrec.home", ".")).toAbsolutePath();
        String esUrl = System.getenv("FLEETREC_ES_URL");
        Path stackJson = root.resolve(".fleetrec/stack.json");
        if (esUrl == null && Files.exists(stackJson)) esUrl = EventCodec.mapper().readTree(stackJson.toFile()).path("elasticsearch").asText();
        if (esUrl == null || esUrl.isEmpty()) {
            System.out.println("ingest bench skipped — no cluster (start one with ./fleetrec up, or set FLEETREC_ES_URL)");
            return;
        }
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put("FLEETREC_ES_URL", esUrl);
        env.put("FLEETREC_INGEST_PORT", "0");
        env.put("FLEETREC_ENROLLMENT_SECRET", UUID.randomUUID().toString());
        env.put("FLEETREC_INGEST_TLS_DIR", Files.createDirectories(root.resolve(".fleetrec/bench/ingest-tls")).toString());
        env.put("FLEETREC_RETENTION_DAYS", "0");
        env.put("FLEETREC_ALERT_RETENTION_DAYS", "0");
        IngestConfig config = IngestConfig.fromEnvironment(env);
        ElasticsearchClient client = ElasticsearchClients.create(ElasticsearchSettings.fromEnvironment(env, esUrl));
        IngestServer server = new IngestServer(config, client);
        try {
            URI base = server.url("127.0.0.1");
            HttpClient http = new ServerTrust(server.certificate(), null).configure(HttpClient.newBuilder()).build();
            awaitReady(http, base);
            String run = Long.toString(System.currentTimeMillis(), 36);
            System.out.printf("ingest bench: %,d events, %d agents sending %,d-event batches, cluster %s%n",
                    events, AGENTS, BATCH, esUrl.replaceAll("//[^@/]*@", "//"));

            // Warm both paths (JIT, connections, today's index) before anything is timed.
            // As long as the runs: shorter warm-ups left the JIT compiling through the first timed run.
            int warm = events;
            measure(client, warm, directWriter(client, warm, run + "w"));
            measure(client, warm, ingestSender(http, base, config.enrollmentSecret(), warm, run + "w"));
            Measured direct1 = measure(client, events, directWriter(client, events, run + "d1"));
            Measured through = measure(client, events, ingestSender(http, base, config.enrollmentSecret(), events, run));
            Measured direct2 = measure(client, events, directWriter(client, events, run + "d2"));
            double direct = (direct1.eventsPerSecond() + direct2.eventsPerSecond()) / 2;
            System.out.printf("direct BulkIngester:  %,.0f events/s (runs %,.0f and %,.0f, before and after)%n",
                    direct, direct1.eventsPerSecond(), direct2.eventsPerSecond());
            System.out.printf("through ingest:       %,.0f events/s%n", through.eventsPerSecond());
            System.out.printf("ratio ingest/direct:  %.2f (goal >= 0.9)%n", through.eventsPerSecond() / direct);
            System.out.println("CPU ms per 1,000 events   this JVM   Elasticsearch");
            System.out.printf("  direct (first run)     %8.1f   %13.1f%n", direct1.jvmCpuPerThousand(), direct1.elasticsearchCpuPerThousand());
            System.out.printf("  through ingest         %8.1f   %13.1f%n", through.jvmCpuPerThousand(), through.elasticsearchCpuPerThousand());
            System.out.printf("  direct (second run)    %8.1f   %13.1f%n", direct2.jvmCpuPerThousand(), direct2.elasticsearchCpuPerThousand());
        } finally {
            server.close();
            ElasticsearchClients.close(client);
        }
    }

    /** One timed run: throughput, and the CPU this JVM (server, senders, GC) and the cluster spent per 1,000 events. */
    private record Measured(double eventsPerSecond, double jvmCpuPerThousand, double elasticsearchCpuPerThousand) {
    }

    /** Runs a prepared writer; nothing it prepared beforehand is counted. */
    private static Measured measure(ElasticsearchClient client, int events, java.util.concurrent.Callable<Long> writer) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long esBefore = elasticsearchCpuMillis(client);
        long jvmBefore = os.getProcessCpuTime();
        long start = System.nanoTime();
        long stored = writer.call();
        double seconds = (System.nanoTime() - start) / 1e9;
        long jvm = os.getProcessCpuTime() - jvmBefore;
        long es = elasticsearchCpuMillis(client) - esBefore;
        return new Measured(stored / seconds, jvm / 1e6 / (events / 1000.0), es / (events / 1000.0));
    }

    /** Total process CPU of every node of the cluster; its stats refresh about once a second, so runs must be long. */
    private static long elasticsearchCpuMillis(ElasticsearchClient client) throws java.io.IOException {
        return client.nodes().stats(s -> s.metric("process")).nodes().values().stream()
                .mapToLong(node -> node.process() == null || node.process().cpu() == null
                        || node.process().cpu().totalInMillis() == null ? 0 : node.process().cpu().totalInMillis())
                .sum();
    }

    private static java.util.concurrent.Callable<Long> ingestSender(HttpClient http, URI base, String secret, int events, String run)
            throws Exception {
        List<String> tokens = new ArrayList<>();
        for (int a = 0; a < AGENTS; a++) {
            HttpResponse<String> enrolled = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/enroll"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"secret\":\"" + secret + "\",\"host\":{\"id\":\"bench-"
                            + run + "-" + a + "\",\"name\":\"bench\"}}")).build(), HttpResponse.BodyHandlers.ofString());
            tokens.add(EventCodec.mapper().readTree(enrolled.body()).path("token").asText());
        }
        // Bodies are made before the clock starts: the bench measures the server, not the sender.
        List<List<byte[]>> bodies = new ArrayList<>();
        for (int a = 0; a < AGENTS; a++) {
            List<byte[]> mine = new ArrayList<>();
            for (int from = a * (events / AGENTS); from < (a + 1) * (events / AGENTS); from += BATCH) {
                StringBuilder ndjson = new StringBuilder();
                for (int i = from; i < Math.min(from + BATCH, (a + 1) * (events / AGENTS)); i++) {
                    ndjson.append(EventCodec.toJson(event(i))).append('\n');
                }
                mine.add(gzip(ndjson.toString()));
            }
            bodies.add(mine);
        }
        return () -> send(http, base, tokens, bodies, (events / AGENTS) * AGENTS);
    }

    private static long send(HttpClient http, URI base, List<String> tokens, List<List<byte[]>> bodies, int expected) throws Exception {
        AtomicLong stored = new AtomicLong();
        ExecutorService senders = Executors.newFixedThreadPool(AGENTS);
        List<Future<?>> done = new ArrayList<>();
        for (int a = 0; a < AGENTS; a++) {
            int agent = a;
            done.add(senders.submit(() -> {
                for (byte[] body : bodies.get(agent)) {
                    while (true) {
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/events/_bulk"))
                                .header("Authorization", "Bearer " + tokens.get(agent))
                                .header("Content-Type", EventCodec.CONTENT_TYPE).header("Content-Encoding", "gzip")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() == 200) {
                            stored.addAndGet(EventCodec.mapper().readTree(response.body()).path("accepted").asLong());
                            break;
                        }
                        Thread.sleep(200); // pushed back: send the same batch again, as an agent would
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) f.get();
        senders.shutdown();
        if (stored.get() < expected) throw new IllegalStateException("only " + stored.get() + " stored");
        return stored.get();
    }

    private static java.util.concurrent.Callable<Long> directWriter(ElasticsearchClient client, int events, String run) throws Exception {
        // Serialised with the server's stamp before the clock starts, as the ingest path's bodies are:
        // both runs measure writing only, and store the same documents.
        List<BinaryData> docs = new ArrayList<>(events);
        String ingested = Instant.now().toString();
        for (int i = 0; i < events; i++) {
            docs.add(BinaryData.of(EventCodec.mapper().writeValueAsBytes(event(i).put("agent.id", "direct-" + run)
                    .put("host.id", "direct-" + run).put("event.ingested", ingested).json()), ContentType.APPLICATION_JSON));
        }
        String index = IndexNames.events(org.fleetrec.model.Dataset.PROCESS, Instant.now());
        return () -> write(client, docs, index, run);
    }

    private static long write(ElasticsearchClient client, List<BinaryData> docs, String index, String run) {
        int events = docs.size();
        AtomicLong failed = new AtomicLong();
        BulkWriter.Limits limits = DIRECT_LIMITS;
        try (BulkIngester<Void> ingester = BulkIngester.of(b -> b.client(client).maxOperations(limits.maxOperations())
                .maxSize(limits.maxBytes()).maxConcurrentRequests(limits.concurrentRequests())
                .flushInterval(limits.flushInterval().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .listener(new BulkListener<Void>() {
                    @Override
                    public void beforeBulk(long id, BulkRequest request, List<Void> contexts) {
                    }

                    @Override
                    public void afterBulk(long id, BulkRequest request, List<Void> contexts, BulkResponse response) {
                        response.items().forEach(item -> { if (item.error() != null) failed.incrementAndGet(); });
                    }

                    @Override
                    public void afterBulk(long id, BulkRequest request, List<Void> contexts, Throwable failure) {
                        failed.addAndGet(contexts.size());
                    }
                }))) {
            for (int i = 0; i < events; i++) {
                BinaryData doc = docs.get(i);
                String docId = IndexNames.documentId("direct-" + run, i);
                ingester.add(op -> op.create(c -> c.index(index).id(docId).document(doc)));
            }
        }
        if (failed.get() > 0) System.out.printf("  (direct run %s: %,d documents failed)%n", run, failed.get());
        return events - failed.get();
    }

    /** A process event the size and shape the agent sends. */
    private static EventDocument event(long i) {
        return EventDocument.create()
                .put("@timestamp", Instant.now().toString())
                .put("event.dataset", "process").put("event.action", "executed").put("event.kind", "event")
                .putAll("event.category", List.of("process")).putAll("event.type", List.of("start"))
                .put("event.sequence", i + 1)
                .put("host.name", "bench").put("host.os.type", "linux").put("agent.version", "bench")
                .put("process.pid", 10_000 + i % 50_000).put("process.name", "curl")
                .put("process.executable", "/usr/bin/curl")
                .put("process.command_line", "curl -s https://example.org/" + i + " -o /tmp/out-" + i)
                .putAll("process.args", List.of("curl", "-s", "https://example.org/" + i, "-o", "/tmp/out-" + i))
                .put("process.entity_id", "bench-" + i).put("process.parent.entity_id", "bench-parent")
                .put("process.parent.pid", 1).put("process.hash.sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
                .put("user.id", "0").put("user.name", "root").put("process.working_directory", "/root");
    }

    private static byte[] gzip(String text) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static void awaitReady(HttpClient http, URI base) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(base.resolve("/readyz")).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) return;
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the ingest server never became ready");
    }
}
