package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.detection.alert.Alert;
import org.fleetrec.detection.alert.AlertGrouper;
import org.fleetrec.detection.alert.AlertRouter;
import org.fleetrec.detection.alert.DeadLetterSink;
import org.fleetrec.detection.alert.ForwardingConfig;
import org.fleetrec.detection.alert.RuleMatch;
import org.fleetrec.detection.hunt.HuntRule;
import org.fleetrec.detection.rules.CatalogRules;
import org.fleetrec.detection.rules.LocalRules;
import org.fleetrec.detection.rules.RuleCatalog;
import org.fleetrec.detection.rules.RuleEntry;
import org.fleetrec.detection.rules.RuleSource;
import org.fleetrec.detection.rules.ShippedRules;
import org.fleetrec.detection.sigma.Match;
import org.fleetrec.detection.sigma.RuleSet;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.EventDocument;
import org.fleetrec.model.IndexNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sigma rules on every event as it is stored: each event stored now (never one a retried batch
 * stored before) meets the rules for its kind, matches become alerts grouped per rule and process,
 * written to {@code fleet-alerts-*} and forwarded. It runs on a thread of its own behind a bounded
 * queue, so detection never holds up an agent's batch; events it had no room for are counted, never
 * silently skipped, and one thread writes every alert, so a count never goes backwards. The rules are
 * the server's own (shipped, folders) and the analysts' added ones, as the rule catalogue says: it is
 * read again every {@code FLEETREC_RULES_REFRESH_SECONDS} and a changed rule set is swapped in whole,
 * between two batches of events.
 */
final class LiveDetection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveDetection.class);
    private static final int DRAIN = 1_000;
    private static final Duration TEMPLATE_WAIT = Duration.ofSeconds(30);

    /**
     * What detection needs: whether it runs at all, the shipped rules, rule folders, how often the rule
     * catalogue is read again, grouping and forwarding, and its queue.
     */
    record Settings(boolean on, List<RuleSource> shipped, List<Path> ruleFolders, Duration refresh,
                    AlertGrouper.Limits grouping, ForwardingConfig forwarding, int queue) {
        /**
         * {@code FLEETREC_DETECTION} ({@code on}, the default, or {@code off}), {@code FLEETREC_RULES_DIR} (a comma
         * list of folders of Sigma YAML), {@code FLEETREC_RULES_REFRESH_SECONDS}, {@code FLEETREC_DETECTION_QUEUE},
         * and the alert settings.
         */
        static Settings fromEnvironment(Map<String, String> env) throws IOException {
            String mode = env.getOrDefault("FLEETREC_DETECTION", "on").strip();
            if (!mode.equals("on") && !mode.equals("off")) {
                throw new IllegalArgumentException("FLEETREC_DETECTION must be on or off, not " + mode);
            }
            String folders = env.getOrDefault("FLEETREC_RULES_DIR", "");
            List<Path> paths = Arrays.stream(folders.split(",")).map(String::strip).filter(f -> !f.isEmpty()).map(Path::of).toList();
            for (Path folder : paths) {
                if (!Files.isDirectory(folder)) throw new IllegalArgumentException("FLEETREC_RULES_DIR: no such folder " + folder);
            }
            long refresh = Long.parseLong(env.getOrDefault("FLEETREC_RULES_REFRESH_SECONDS", "15"));
            if (refresh < 1 || refresh > 3600) throw new IllegalArgumentException("FLEETREC_RULES_REFRESH_SECONDS must be 1 to 3600");
            boolean on = mode.equals("on");
            return new Settings(on, on ? ShippedRules.sources(env) : List.of(), paths, Duration.ofSeconds(refresh),
                    AlertGrouper.Limits.fromEnvironment(env), ForwardingConfig.fromEnvironment(env),
                    Integer.parseInt(env.getOrDefault("FLEETREC_DETECTION_QUEUE", "100000")));
        }
    }

    /** A document as stored: where, under which id, and its JSON. */
    record Stored(String index, String id, byte[] json) {
    }

    /** The rules in force, swapped whole when the catalogue changes; null until the first set is known. */
    private volatile RuleSet rules;
    private final CatalogRules catalogue;
    private final Duration refresh;
    private final AlertGrouper grouper;
    private final AlertRouter router;
    private final ElasticsearchClient client;
    private final BlockingQueue<Stored> queue;
    private final Deque<Alert> unwritten = new ArrayDeque<>();
    private final IngestMetrics metrics;
    private final Thread thread;
    private final Thread follower;
    /** Done once the server has installed the index templates: the catalogue's strict mapping comes before its first document. */
    private final CompletableFuture<Void> templates;
    private volatile boolean closing;

    private LiveDetection(CatalogRules catalogue, Settings settings, ElasticsearchClient client, IngestMetrics metrics,
                          CompletableFuture<Void> templates) throws IOException {
        this.catalogue = catalogue;
        this.templates = templates;
        this.refresh = settings.refresh();
        this.client = client;
        this.metrics = metrics;
        this.grouper = new AlertGrouper(settings.grouping());
        this.router = AlertRouter.start(settings.forwarding(), settings.forwarding().deadLetterFile() != null ? null : this::deadLetter);
        this.queue = new ArrayBlockingQueue<>(Math.max(1, settings.queue()));
        this.thread = new Thread(this::run, "detection");
        thread.setDaemon(true);
        this.follower = new Thread(this::followCatalogue, "rule-catalogue");
        follower.setDaemon(true);
        follower.start();
        thread.start();
    }

    /**
     * Reads the server's own rules (shipped, folders) and starts; null when detection is off. Rules
     * refused are logged with their reasons, and listed in the catalogue once it is reachable.
     */
    static LiveDetection start(Settings settings, ElasticsearchClient client, IngestMetrics metrics,
                               CompletableFuture<Void> templates) throws IOException {
        if (!settings.on()) return null;
        LocalRules local = LocalRules.read(settings.shipped(), settings.ruleFolders());
        CatalogRules catalogue = new CatalogRules(new RuleCatalog(client), local, publisher());
        for (RuleEntry refused : catalogue.refused()) {
            log.warn("rule not loaded: {} ({}): {}", refused.source(), refused.title(), refused.refusal());
        }
        log.info("detection: {} rules of this server's own loaded, {} not loaded ({} shipped, folders {}); the rule catalogue decides which run",
                catalogue.initial().rules().size(), catalogue.refused().size(), settings.shipped().size(), settings.ruleFolders());
        return new LiveDetection(catalogue, settings, client, metrics, templates);
    }

    private static String publisher() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = "unknown";
            }
        }
        return "ingest-server@" + host;
    }

    /** Waits a while for the server's template install (moments, when the cluster answers); an IOException when it does not come. */
    private void awaitTemplates() throws IOException {
        try {
            templates.get(TEMPLATE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new IOException("the index templates are not installed yet");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the index templates");
        }
    }

    /**
     * Publishes this server's rules to the catalogue, then reads it every {@code refresh}, swapping in
     * a new rule set when it changed. Until the catalogue has been read once, events wait in the queue;
     * if it cannot be read at first, the server's own rules run, all of them, until it can. A read that
     * fails later keeps the rules in force.
     */
    private void followCatalogue() {
        boolean failing = false;
        while (!closing) {
            try {
                awaitTemplates();
                Optional<RuleSet> next = catalogue.refresh();
                if (next.isPresent()) {
                    RuleSet set = next.get();
                    rules = set;
                    log.info("detection: {} rules in force, {} added rules not loaded", set.rules().size(), set.rejected().size());
                }
                if (failing) log.info("detection: the rule catalogue is readable again");
                failing = false;
            } catch (IOException | RuntimeException e) {
                metrics.error("rule_catalogue_unreadable");
                if (rules == null) {
                    rules = catalogue.initial();
                    log.warn("detection: rule catalogue not readable ({}); this server's own {} rules run until it is", e.toString(),
                            rules.rules().size());
                } else if (!failing) {
                    log.warn("detection: rule catalogue not readable, the rules in force stay: {}", e.toString());
                }
                failing = true;
            }
            try {
                Thread.sleep(refresh.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The rules in force now (null until known). */
    RuleSet rules() {
        return rules;
    }

    /** Hands over the documents stored now; never waits. */
    void submit(List<Stored> stored) {
        for (Stored doc : stored) {
            if (!queue.offer(doc)) {
                metrics.error("detection_queue_full");
            }
        }
    }

    private void run() {
        List<Stored> batch = new ArrayList<>(DRAIN);
        while (!closing || !queue.isEmpty()) {
            try {
                if (rules == null) {
                    if (closing) return; // nothing could be evaluated: the events are stored, only unmatched
                    Thread.sleep(50);
                    continue;
                }
                Stored first = queue.poll(500, TimeUnit.MILLISECONDS);
                if (first != null) {
                    RuleSet current = rules; // read after the wait: a set swapped in meanwhile applies to this batch
                    batch.add(first);
                    queue.drainTo(batch, DRAIN - 1);
                    for (Stored doc : batch) evaluate(current, doc);
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

    private void evaluate(RuleSet rules, Stored stored) {
        EventDocument doc;
        try {
            doc = EventDocument.wrap((ObjectNode) EventCodec.mapper().readTree(stored.json()));
        } catch (IOException | ClassCastException e) {
            return; // the stamper accepted it as an object: cannot happen, and nothing to match if it did
        }
        for (Match match : rules.evaluate(doc)) {
            try {
                grouper.offer(new RuleMatch(HuntRule.refOf(match.rule()), doc, stored.index(), stored.id())).ifPresent(alert -> {
                    unwritten.add(alert);
                    router.forward(alert);
                });
            } catch (IllegalArgumentException e) {
                log.warn("detection: rule {} matched {} but no alert could be made: {}", match.id(), stored.id(), e.getMessage());
            }
        }
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
        follower.interrupt();
        thread.join(30_000);
        thread.interrupt();
        router.close();
    }
}
