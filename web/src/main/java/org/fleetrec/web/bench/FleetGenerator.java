package org.fleetrec.web.bench;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.indices.IndicesStatsResponse;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;
import org.fleetrec.templates.ElasticsearchClients;
import org.fleetrec.templates.TemplateInstaller;
import org.fleetrec.web.bench.SyntheticHost.Role;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/**
 * Writes a synthetic fleet straight into the event indices: hosts with daemons, cron and timer
 * jobs, sessions, builds, web requests that cross three hosts, and the benchmark's fixtures,
 * {@code events} documents over {@code days} days, the same for the same seed and end time.
 * <p>
 * {@code java -cp web-…-all.jar org.fleetrec.web.bench.FleetGenerator [--hosts N] [--events N] [--days N]
 * [--seed N] [--end ISO-INSTANT] [--requests N]} writes to FLEETREC_ES_URL or the running stack's cluster.
 */
public final class FleetGenerator {
    /** What to generate; {@code end} is the time of the newest events. */
    public record Options(int hosts, long events, int days, long seed, Instant end, int concurrentRequests) {
        public static Options defaults() {
            return new Options(500, 5_000_000, 7, 42, Instant.now(), 3);
        }

        /** Reads {@code --hosts --events --days --seed --end --requests} over the defaults; other arguments are left alone. */
        public static Options parse(List<String> args) {
            Options o = defaults();
            for (int i = 0; i + 1 < args.size(); i++) {
                String value = args.get(i + 1);
                switch (args.get(i)) {
                    case "--hosts" -> o = new Options(Integer.parseInt(value), o.events, o.days, o.seed, o.end, o.concurrentRequests);
                    case "--events" -> o = new Options(o.hosts, Long.parseLong(value.replace("_", "")), o.days, o.seed, o.end, o.concurrentRequests);
                    case "--days" -> o = new Options(o.hosts, o.events, Integer.parseInt(value), o.seed, o.end, o.concurrentRequests);
                    case "--seed" -> o = new Options(o.hosts, o.events, o.days, Long.parseLong(value), o.end, o.concurrentRequests);
                    case "--end" -> o = new Options(o.hosts, o.events, o.days, o.seed, Instant.parse(value), o.concurrentRequests);
                    case "--requests" -> o = new Options(o.hosts, o.events, o.days, o.seed, o.end, Integer.parseInt(value));
                    default -> {
                        continue;
                    }
                }
                i++;
            }
            return o;
        }
    }

    private static final long DAY = 86_400_000L;
    private static final long PROGRESS_EVERY = Duration.ofSeconds(5).toNanos();

    private final ElasticsearchClient client;
    private final Options options;
    private final PrintStream out;

    public FleetGenerator(ElasticsearchClient client, Options options, PrintStream out) {
        this.client = client;
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        BenchEnvironment env = BenchEnvironment.detect();
        if (env.elasticsearch() == null) {
            System.out.println("fleet generator: no cluster (start one with ./fleetrec up, or set FLEETREC_ES_URL)");
            System.exit(2);
        }
        ElasticsearchClient client = ElasticsearchClients.create(env.elasticsearch());
        try {
            new FleetGenerator(client, Options.parse(List.of(args)), System.out).generate(env.fixtureFile());
        } finally {
            ElasticsearchClients.close(client);
        }
    }

    /** Generates the fleet, replacing the one {@code fixtureFile} describes, and writes the new fixtures there. */
    public FleetFixtures generate(Path fixtureFile) throws IOException {
        if (options.days < 1) throw new IllegalArgumentException("--days must be at least 1");
        new TemplateInstaller(client).install();
        if (Files.exists(fixtureFile)) {
            FleetFixtures previous = FleetFixtures.read(fixtureFile);
            long started = System.nanoTime();
            long deleted = new FleetEraser(client).erase(previous.agentIds(), previous.hostIds(), options.concurrentRequests);
            if (deleted > 0) {
                out.printf("removed the previous synthetic fleet: %,d events in %.1f s%n", deleted, (System.nanoTime() - started) / 1e9);
            }
        }
        long end = options.end.toEpochMilli();
        long start = end - options.days * DAY;
        Random random = new Random(options.seed);
        FleetLayout fleet = FleetLayout.build(options.hosts, random, start);
        Timeline timeline = new Timeline();
        Planner plan = new Planner(timeline, random, end);
        HostActivities activities = new HostActivities(plan, fleet);
        FixturePlanter fixtures = new FixturePlanter(plan, activities);

        for (SyntheticHost host : fleet.hosts) activities.startServices(host, start);
        long perHost = (options.events - timeline.documents() - FixturePlanter.ESTIMATED_DOCUMENTS) / options.hosts;
        if (perHost < 20) {
            throw new IllegalArgumentException("too few events for " + options.hosts + " hosts: ask for at least "
                    + (timeline.documents() + FixturePlanter.ESTIMATED_DOCUMENTS + 20L * options.hosts));
        }
        long lastStart = end - HostActivities.LONGEST;
        for (SyntheticHost host : fleet.hosts) {
            host.budget = perHost;
            scheduleNext(timeline, plan, activities, host, start, lastStart);
        }
        long window = end - start;
        FleetFixtures.DeepTree[] deepTree = new FleetFixtures.DeepTree[1];
        FleetFixtures.Iocs[] iocs = new FleetFixtures.Iocs[1];
        SyntheticHost build = fleet.of(Role.BUILD).get(0);
        SyntheticHost app = fleet.of(Role.APP).get(0);
        timeline.schedule(end - (long) (window * 0.15), t -> deepTree[0] = fixtures.deepTree(build, t));
        timeline.schedule(end - (long) (window * 0.3), t -> iocs[0] = fixtures.intrusion(app, fleet.hotServer(), t));

        out.printf("generating %,d hosts, about %,d events from %s to %s (seed %d) into %s%n", options.hosts, options.events,
                Instant.ofEpochMilli(start), Instant.ofEpochMilli(end), options.seed, IndexNames.ALL_EVENTS);
        long written = write(fleet, timeline, end);
        FleetFixtures.HotServer hot = new FleetFixtures.HotServer(fleet.hotServer().name, fleet.hotServer().ip,
                HostActivities.DB_PORT, plan.clientsOf(fleet.hotServer().ip, HostActivities.DB_PORT).size());
        String cidr = FleetLayout.PREFIX + (options.hosts > 250 ? "1" : "0") + ".0/24";
        FleetFixtures result = new FleetFixtures(Instant.now().toString(), options.seed, options.hosts, written,
                Instant.ofEpochMilli(start).toString(), Instant.ofEpochMilli(end).toString(), deepTree[0], hot, iocs[0], cidr,
                fleet.of(Role.APP).get(fleet.of(Role.APP).size() - 1).name,
                fleet.hosts.stream().map(h -> h.agentId).toList(), fleet.hosts.stream().map(h -> h.id).toList());
        result.write(fixtureFile);
        out.println("fixtures (" + fixtureFile + "):");
        out.println(result.summary());
        return result;
    }

    /**
     * The host's next activity: spread so its remaining budget fills the time left, with random
     * (exponential) gaps, so hosts are busy at different moments.
     */
    private static void scheduleNext(Timeline timeline, Planner plan, HostActivities activities, SyntheticHost host,
                                     long now, long lastStart) {
        long remaining = host.budget - host.planned;
        if (remaining <= 0 || now >= lastStart) return;
        double perActivity = host.activities == 0 ? 12 : (double) host.planned / host.activities;
        double meanGap = (lastStart - now) / Math.max(1, remaining / perActivity);
        long next = now + 1 + (long) (-Math.log(1 - plan.random.nextDouble()) * meanGap);
        if (next >= lastStart) return;
        timeline.schedule(next, t -> {
            long before = timeline.documents();
            activities.plan(host, t);
            host.planned += timeline.documents() - before;
            host.activities++;
            scheduleNext(timeline, plan, activities, host, t, lastStart);
        });
    }

    /** Takes everything out of the timeline in time order, stamps and writes it; returns how many events were written. */
    private long write(FleetLayout fleet, Timeline timeline, long end) throws IOException {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long clusterCpuBefore = clusterCpuMillis();
        long jvmCpuBefore = os.getProcessCpuTime();
        long started = System.nanoTime();
        long lastReport = started;
        long wallClock = System.currentTimeMillis();
        Random delays = new Random(options.seed ^ 0x5DEECE66DL);
        long written = 0;
        try (FleetWriter writer = new FleetWriter(client, options.concurrentRequests)) {
            for (Timeline.Due due = timeline.next(); due != null; due = timeline.next()) {
                if (due.task() != null) {
                    due.task().run(due.time());
                    continue;
                }
                SyntheticHost host = due.host();
                long sequence = host.nextSequence();
                // Shipped and acknowledged a moment after it happened, as a connected agent's events are.
                long ingested = Math.max(due.time(), Math.min(wallClock, due.time() + 300 + delays.nextInt(3_000)));
                byte[] json = EventCodec.mapper().writeValueAsBytes(EcsEvents.stamp(due.doc(), host, sequence, ingested).json());
                writer.create(IndexNames.events(due.dataset(), Instant.ofEpochMilli(due.time())),
                        IndexNames.documentId(host.agentId, sequence), json);
                written++;
                if ((written & 0xfff) == 0 && System.nanoTime() - lastReport > PROGRESS_EVERY) {
                    lastReport = System.nanoTime();
                    double seconds = (lastReport - started) / 1e9;
                    out.printf("  %,d events (%.0f%%), %,.0f events/s, at %s%n", written, 100.0 * written / options.events,
                            written / seconds, Instant.ofEpochMilli(due.time()));
                }
            }
            for (SyntheticHost host : fleet.hosts) writer.index(IndexNames.HOSTS, host.id, hostDocument(host, end));
            writer.close();
            double seconds = (System.nanoTime() - started) / 1e9;
            out.printf("wrote %,d events in %.1f s: %,.0f events/s (%,d acknowledged, %,d already there, %,d failed)%n",
                    written, seconds, written / seconds, writer.acknowledged() - fleet.hosts.size(), writer.conflicts(), writer.failed());
            // On a shared machine the rate says little alone: what each side spent per event does.
            double thousands = written / 1000.0;
            out.printf("CPU ms per 1,000 events: generator %.1f, Elasticsearch %.1f%n",
                    (os.getProcessCpuTime() - jvmCpuBefore) / 1e6 / thousands, (clusterCpuMillis() - clusterCpuBefore) / thousands);
            writer.reasons().forEach(reason -> out.println("  failure: " + reason));
            if (writer.failed() > 0) throw new IOException(writer.failed() + " documents were not written");
        }
        client.indices().refresh(r -> r.index(IndexNames.ALL_EVENTS, IndexNames.HOSTS));
        IndicesStatsResponse stats = client.indices().stats(s -> s.index(IndexNames.ALL_EVENTS).metric("docs", "store"));
        long docs = stats.all().primaries().docs().count();
        long deleted = stats.all().primaries().docs().deleted() == null ? 0 : stats.all().primaries().docs().deleted();
        long bytes = stats.all().primaries().store().sizeInBytes();
        out.printf("%s: %,d documents, %,.1f MiB of primary store (%.0f bytes/event, before merges settle%s)%n",
                IndexNames.ALL_EVENTS, docs, bytes / 1048576.0, docs == 0 ? 0.0 : (double) bytes / docs,
                deleted == 0 ? "" : String.format("; %,d deleted documents still take room", deleted));
        return written;
    }

    /** Process CPU of every node of the cluster (refreshed by Elasticsearch about once a second). */
    private long clusterCpuMillis() throws IOException {
        return client.nodes().stats(s -> s.metric("process")).nodes().values().stream()
                .mapToLong(node -> node.process() == null || node.process().cpu() == null
                        || node.process().cpu().totalInMillis() == null ? 0 : node.process().cpu().totalInMillis())
                .sum();
    }

    /** The host's entry in fleet-hosts, shaped as the ingest server's host directory writes it. */
    private static byte[] hostDocument(SyntheticHost host, long end) throws IOException {
        ObjectNode doc = EventCodec.mapper().createObjectNode();
        ObjectNode h = doc.putObject("host").put("id", host.id).put("name", host.name).put("hostname", host.hostname);
        ArrayNode ips = h.putArray("ip");
        ips.add(host.ip);
        h.putObject("os").put("type", "linux").put("name", host.os.name()).put("family", host.os.family())
                .put("platform", host.os.platform()).put("version", host.os.version()).put("kernel", host.os.kernel());
        doc.putObject("agent").put("id", host.agentId).put("version", EcsEvents.AGENT_VERSION).put("type", "fleetrec-agent");
        doc.put("last_address", host.ip);
        doc.put("last_seen", Instant.ofEpochMilli(end).toString());
        return EventCodec.mapper().writeValueAsBytes(doc);
    }
}
