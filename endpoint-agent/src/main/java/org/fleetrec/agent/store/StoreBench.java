package org.fleetrec.agent.store;

import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.agent.host.HostIdentity;
import org.fleetrec.agent.ship.Enrollment;
import org.fleetrec.agent.ship.Shipper;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.EventDocument;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * {@code ./fleetrec bench store}: how fast monitor.db takes events (batched as the agent writes
 * them), what an event costs on disk, and how fast a backlog drains to a running stack's ingest
 * server — printed in one run.
 */
public final class StoreBench {
    private StoreBench() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        Path root = Path.of(System.getProperty("fleetrec.home", ".")).toAbsolutePath();
        Path work = Files.createDirectories(root.resolve(".fleetrec/bench/store"));
        Path db = work.resolve("monitor.db");
        for (String suffix : List.of("", "-wal", "-shm")) Files.deleteIfExists(work.resolve("monitor.db" + suffix));

        String run = UUID.randomUUID().toString().substring(0, 8);
        long started;
        long inserted;
        try (EventStore store = EventStore.open(new EventStore.Config(db, 1L << 40, Duration.ofDays(365)))) {
            started = System.nanoTime();
            for (int i = 1; i <= events; i++) store.append(event(i, run));
            store.flush();
            inserted = System.nanoTime() - started;
            store.checkpoint();
        }
        long bytes = Files.size(db) + (Files.exists(work.resolve("monitor.db-wal")) ? Files.size(work.resolve("monitor.db-wal")) : 0);
        System.out.printf("insert: %,d events in %.1f s = %,.0f events/s (batches of 500, WAL, synchronous=NORMAL)%n",
                events, inserted / 1e9, events / (inserted / 1e9));
        System.out.printf("disk:   %,d bytes = %.0f bytes/event (JSON document plus indexed columns)%n", bytes, (double) bytes / events);

        Path stackJson = root.resolve(".fleetrec/stack.json");
        if (!Files.exists(stackJson)) {
            System.out.println("drain:  skipped — no running stack (start one with ./fleetrec up, then run again)");
            return;
        }
        JsonNode stack = EventCodec.mapper().readTree(stackJson.toFile());
        String ca = stack.path("ingestCa").asText("");
        HttpClient http = new org.fleetrec.model.ServerTrust(ca.isEmpty() ? null : Path.of(ca), null)
                .configure(HttpClient.newBuilder()).connectTimeout(Duration.ofSeconds(10)).build();
        HostIdentity benchHost = new HostIdentity("fleetrec-bench-" + run, "fleetrec-bench", "bench-boot", "bench", "bench", "bench");
        Path state = Files.createDirectories(work.resolve("state-" + run));
        URI ingest = URI.create(stack.path("ingest").asText());
        Enrollment.Credentials credentials = Enrollment.loadOrEnroll(state, List.of(ingest),
                stack.path("enrollmentSecret").asText(), benchHost, http);
        try (EventStore store = EventStore.open(new EventStore.Config(db, 1L << 40, Duration.ofDays(365)))) {
            started = System.nanoTime();
            Shipper shipper = new Shipper(List.of(ingest), credentials.token(), http, Shipper.Limits.defaults(), store);
            while (shipper.cursor() < events) {
                Thread.sleep(100);
                if (System.nanoTime() - started > Duration.ofMinutes(10).toNanos()) {
                    System.out.println("drain:  gave up after 10 minutes at " + shipper.cursor());
                    break;
                }
            }
            long drained = System.nanoTime() - started;
            shipper.close();
            System.out.printf("drain:  %,d events to %s in %.1f s = %,.0f events/s (acknowledged by Elasticsearch; host %s)%n",
                    shipper.cursor(), ingest, drained / 1e9, shipper.cursor() / (drained / 1e9), benchHost.id());
        }
    }

    /** An exec event of the agent's shape and typical size, distinct in sequence, pid and arguments. */
    private static EventDocument event(int i, String run) {
        String args = "/usr/bin/python3 -m worker --job " + i + " --queue q" + (i % 17) + " --run " + run;
        return org.fleetrec.agent.process.Documents.event(Instant.now(), org.fleetrec.model.Dataset.PROCESS, "executed",
                        "event", "process", "start")
                .put("event.sequence", i).put("event.outcome", "success")
                .put("host.name", "fleetrec-bench").put("process.pid", 10_000 + i)
                .put("process.entity_id", UUID.nameUUIDFromBytes((run + i).getBytes()).toString())
                .put("process.executable", "/usr/bin/python3.11").put("process.name", "python3.11")
                .putAll("process.args", List.of(args.split(" "))).put("process.command_line", args)
                .put("process.working_directory", "/srv/worker").put("process.parent.pid", 4242)
                .put("process.parent.entity_id", "parent-" + run).put("process.parent.executable", "/usr/bin/bash")
                .put("process.hash.sha256", "a049fb47554c6cde2ee452e5d87f6386abb63af7cdcae9cd0dc99fc80e0bcf35")
                .put("user.id", "1000").put("user.name", "worker").put("user.audit.id", "1000").put("user.audit.name", "worker");
    }
}
