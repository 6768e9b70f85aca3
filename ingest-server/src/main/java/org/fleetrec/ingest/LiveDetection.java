package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.detection.alert.Alert;
import org.fleetrec.detection.alert.AlertGrouper;
import org.fleetrec.detection.alert.AlertRouter;
import org.fleetrec.detection.alert.DeadLetterSink;
import org.fleetrec.detection.alert.ForwardingConfig;
import org.fleetrec.detection.alert.Level;
import org.fleetrec.detection.alert.RuleMatch;
import org.fleetrec.detection.alert.RuleRef;
import org.fleetrec.detection.sigma.CompiledRule;
import org.fleetrec.detection.sigma.Match;
import org.fleetrec.detection.sigma.Rejected;
import org.fleetrec.detection.sigma.RuleSet;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.EventDocument;
import org.fleetrec.model.IndexNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sigma rules on every event as it is stored: each event stored now (never one a retried batch
 * stored before) meets the rules for its kind, matches become alerts grouped per rule and process,
 * written to {@code fleet-alerts-*} and forwarded. It runs on a thread of its own behind a bounded
 * queue, so detection never holds up an agent's batch; events it had no room for are counted, never
 * silently skipped, and one thread writes every alert, so a count never goes backwards.
 */
final class LiveDetection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveDetection.class);
    private static final int DRAIN = 1_000;

    /** What detection needs: rule folders (none: off), grouping and forwarding, and its queue. */
    record Settings(List<Path> ruleFolders, AlertGrouper.Limits grouping, ForwardingConfig forwarding, int queue) {
        /** {@code FLEETREC_RULES_DIR} (a comma list of folders of Sigma YAML), {@code FLEETREC_DETECTION_QUEUE}, and the alert settings. */
        static Settings fromEnvironment(Map<String, String> env) throws IOException {
            String folders = env.getOrDefault("FLEETREC_RULES_DIR", "");
            List<Path> paths = Arrays.stream(folders.split(",")).map(String::strip).filter(f -> !f.isEmpty()).map(Path::of).toList();
            for (Path folder : paths) {
                if (!Files.isDirectory(folder)) throw new IllegalArgumentException("FLEETREC_RULES_DIR: no such folder " + folder);
            }
            return new Settings(paths, AlertGrouper.Limits.fromEnvironment(env), ForwardingConfig.fromEnvironment(env),
                    Integer.parseInt(env.getOrDefault("FLEETREC_DETECTION_QUEUE", "100000")));
        }

        static Settings off() {
            return new Settings(List.of(), AlertGrouper.Limits.defaults(), ForwardingConfig.none(), 1);
        }
    }

    /** A document as stored: where, under which id, and its JSON. */
    record Stored(String index, String id, byte[] json) {
    }

    private final RuleSet rules;
    private final AlertGrouper grouper;
    private final AlertRouter router;
    private final ElasticsearchClient client;
    private final BlockingQueue<Stored> queue;
    private final Deque<Alert> unwritten = new ArrayDeque<>();
    private final AtomicLong evaluated = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong alertsWritten = new AtomicLong();
    private final IngestMetrics metrics;
    private final Thread thread;
    private volatile boolean closing;

    private LiveDetection(RuleSet rules, Settings settings, ElasticsearchClient client, IngestMetrics metrics) throws IOException {
        this.rules = rules;
        this.client = client;
        this.metrics = metrics;
        this.grouper = new AlertGrouper(settings.grouping());
        this.router = AlertRouter.start(settings.forwarding(), settings.forwarding().deadLetterFile() != null ? null : this::deadLetter);
        this.queue = new ArrayBlockingQueue<>(Math.max(1, settings.queue()));
        this.thread = new Thread(this::run, "detection");
        thread.setDaemon(true);
        thread.start();
    }

    /** Loads the rules and starts; null when no rule folder is configured. Rules refused are logged with their reasons. */
    static LiveDetection start(Settings settings, ElasticsearchClient client, IngestMetrics metrics) throws IOException {
        if (settings.ruleFolders().isEmpty()) return null;
        RuleSet.Builder builder = RuleSet.builder();
        for (Path folder : settings.ruleFolders()) builder.addDirectory(folder);
        RuleSet rules = builder.build();
        for (Rejected rejected : rules.rejected()) {
            log.warn("rule not loaded: {} ({}): {}", rejected.source(), rejected.title(), rejected.reason());
        }
        log.info("detection: {} rules loaded, {} not loaded, from {}", rules.rules().size(), rules.rejected().size(),
                settings.ruleFolders());
        return new LiveDetection(rules, settings, client, metrics);
    }

    /** Hands over the documents stored now; never waits. */
    void submit(List<Stored> stored) {
        for (Stored doc : stored) {
            if (!queue.offer(doc)) {
                dropped.incrementAndGet();
                metrics.error("detection_queue_full");
            }
        }
    }

    long evaluated() {
        return evaluated.get();
    }

    long dropped() {
        return dropped.get();
    }

    long alertsWritten() {
        return alertsWritten.get();
    }

    private void run() {
        List<Stored> batch = new ArrayList<>(DRAIN);
        while (!closing || !queue.isEmpty()) {
            try {
                Stored first = queue.poll(500, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, DRAIN - 1);
                    for (Stored doc : batch) evaluate(doc);
                    batch.clear();
                }
                unwritten.addAll(grouper.drainUpdates());
                grouper.expire();
                writeAll();
            } catch (InterruptedException e) {
                if (!closing) Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("detection: {}", e.toString());
            }
        }
    }

    private void evaluate(Stored stored) {
        EventDocument doc;
        try {
            doc = EventDocument.wrap((ObjectNode) EventCodec.mapper().readTree(stored.json()));
        } catch (IOException | ClassCastException e) {
            return; // the stamper accepted it as an object: cannot happen, and nothing to match if it did
        }
        evaluated.incrementAndGet();
        for (Match match : rules.evaluate(doc)) {
            try {
                grouper.offer(new RuleMatch(ref(match.rule()), doc, stored.index(), stored.id())).ifPresent(alert -> {
                    unwritten.add(alert);
                    router.forward(alert);
                });
            } catch (IllegalArgumentException e) {
                log.warn("detection: rule {} matched {} but no alert could be made: {}", match.id(), stored.id(), e.getMessage());
            }
        }
    }

    private static RuleRef ref(CompiledRule rule) {
        Level level;
        try {
            level = Level.parse(rule.level());
        } catch (IllegalArgumentException e) {
            level = Level.MEDIUM; // a rule without a usable level: neither buried nor shouted
        }
        return new RuleRef(rule.id(), rule.title(), level, rule.rule().tags());
    }

    /** New alerts and updates, oldest first; on failure they wait for the next round, in order. */
    private void writeAll() throws InterruptedException {
        long backoff = 250;
        while (!unwritten.isEmpty()) {
            Alert alert = unwritten.peekFirst();
            try {
                client.update(u -> u.index(alert.index()).id(alert.id()).doc(alert.progressDocument()).upsert(alert.document()),
                        ObjectNode.class);
                unwritten.removeFirst();
                alertsWritten.incrementAndGet();
            } catch (IOException | RuntimeException e) {
                metrics.error("alert_write_failed");
                if (closing) return;
                log.warn("detection: alert {} not written yet: {}", alert.id(), e.toString());
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 10_000);
            }
        }
    }

    private void deadLetter(String output, Alert alert, String reason) {
        Instant now = Instant.now();
        try {
            client.index(i -> i.index(IndexNames.deadletter(now)).document(DeadLetterSink.document(output, alert, reason, now)));
        } catch (IOException | RuntimeException e) {
            log.error("alert {} could not be delivered to {} ({}) nor kept as a dead letter: {}", alert.id(), output, reason, e.toString());
        }
    }

    /** Evaluates what is queued and writes its alerts (within a bound), then stops the outputs. */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        thread.join(30_000);
        thread.interrupt();
        router.close();
    }
}
