package org.fleetrec.detection.alert;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Folds rule matches into alerts in memory, so one noisy rule on one process makes one alert with a
 * count rather than one document (and one notification) a match. Safe to call from every batch thread
 * of the ingest server at once: one lock, held for a map lookup or an alert's construction only.
 *
 * <p>{@link #offer} answers a new alert at once (to store and forward); repeats only grow the alert in
 * memory, and {@link #drainUpdates} hands out each grown alert once, in its latest state, however many
 * matches it took in between.
 *
 * <h2>Flood bound</h2>
 * Within one window (event time, aligned to the window length) and for one rule on one host:
 * <ul>
 *   <li>at most {@code maxPerRuleHost} process alerts, one a process entity; matches on further processes
 *       fold into a single host alert (counted as {@code overflowed}), so a rule firing on every child of a
 *       fork bomb makes {@code maxPerRuleHost + 1} alerts, not one a process;</li>
 *   <li>so at most {@code maxPerRuleHost + 1} new alert documents and notifications, and at most one
 *       update an open alert for every call of {@link #drainUpdates}.</li>
 * </ul>
 * Memory: at most {@code maxAlerts} alerts and about {@code maxBytes} of them (each alert's fields are
 * cut to size when it opens, each keeps at most {@code maxEventIds} event ids), plus as many per-rule-host
 * counters. An alert no match touched for one window length (wall clock) is forgotten first, then the
 * least recently touched when a bound is reached. A forgotten alert's pending update is still handed
 * out by the next {@link #drainUpdates} (at most {@code maxAlerts} of them are kept; more are counted
 * as lost). Forgetting is the price of the bound: a later match in the same window opens the alert again
 * under the same id, with its count starting anew.
 */
public final class AlertGrouper {
    /**
     * How matches are grouped and how much the grouper may hold.
     *
     * @param window         grouping window; also how long an untouched alert is remembered
     * @param maxAlerts      most alerts held at once
     * @param maxBytes       about the most heap the held alerts take
     * @param maxPerRuleHost most process alerts of one rule on one host in one window before they fold into one host alert
     * @param maxEventIds    event ids an alert keeps, the first ones
     */
    public record Limits(Duration window, int maxAlerts, long maxBytes, int maxPerRuleHost, int maxEventIds) {
        public Limits {
            if (window.toMillis() < 1) throw new IllegalArgumentException("the grouping window is at least 1 ms");
            if (maxAlerts < 1 || maxBytes < 1 || maxPerRuleHost < 1 || maxEventIds < 1) {
                throw new IllegalArgumentException("alert grouping limits are positive: " + this);
            }
        }

        public static Limits defaults() {
            return new Limits(Duration.ofMinutes(10), 10_000, 64L << 20, 20, 10);
        }

        /**
         * {@code FLEETREC_ALERT_WINDOW_SECONDS} (600), {@code FLEETREC_ALERT_MAX_OPEN} (10000),
         * {@code FLEETREC_ALERT_MAX_MEMORY_MB} (64), {@code FLEETREC_ALERT_MAX_PER_RULE_HOST} (20),
         * {@code FLEETREC_ALERT_EVENT_IDS} (10).
         */
        public static Limits fromEnvironment(Map<String, String> env) {
            Limits d = defaults();
            return new Limits(
                    Duration.ofSeconds(Settings.number(env, "FLEETREC_ALERT_WINDOW_SECONDS", d.window().toSeconds(), 1, 7 * 86_400)),
                    (int) Settings.number(env, "FLEETREC_ALERT_MAX_OPEN", d.maxAlerts(), 1, 10_000_000),
                    Settings.number(env, "FLEETREC_ALERT_MAX_MEMORY_MB", d.maxBytes() >> 20, 1, 1 << 20) << 20,
                    (int) Settings.number(env, "FLEETREC_ALERT_MAX_PER_RULE_HOST", d.maxPerRuleHost(), 1, 1_000_000),
                    (int) Settings.number(env, "FLEETREC_ALERT_EVENT_IDS", d.maxEventIds(), 1, 1000));
        }
    }

    /**
     * What the grouper did so far.
     *
     * @param open        alerts held now
     * @param bytes       about the heap they take
     * @param created     alerts opened
     * @param suppressed  matches folded into an alert already open (repeats that made no new alert)
     * @param overflowed  matches folded into a host alert because their rule had too many process alerts on the host
     * @param evicted     alerts forgotten (idle for a window, or to stay within the bounds)
     * @param updatesLost updates of forgotten alerts dropped because nobody drained them
     */
    public record Stats(int open, long bytes, long created, long suppressed, long overflowed, long evicted, long updatesLost) {
    }

    private static final class Open {
        final Alert alert;
        final long bytes;
        final List<String> eventIds;
        long count = 1;
        Instant lastSeen;
        Instant touched;

        Open(Alert alert, Instant now) {
            this.alert = alert;
            this.bytes = alert.approximateBytes();
            this.eventIds = new ArrayList<>(alert.eventIds());
            this.lastSeen = alert.lastSeen();
            this.touched = now;
        }

        Alert snapshot() {
            return alert.grown(count, lastSeen, eventIds);
        }
    }

    /** How many process alerts one rule opened on one host in one window. */
    private static final class RuleHost {
        int alerts;
        Instant touched;
    }

    private final Limits limits;
    private final Clock clock;
    /** Access order: the head is the alert touched longest ago. */
    private final LinkedHashMap<String, Open> open = new LinkedHashMap<>(256, 0.75f, true);
    private final LinkedHashMap<String, RuleHost> ruleHosts = new LinkedHashMap<>(256, 0.75f, true);
    private final Set<String> grown = new LinkedHashSet<>();
    private final ArrayDeque<Alert> forgottenUpdates = new ArrayDeque<>();
    private long bytes;
    private long created;
    private long suppressed;
    private long overflowed;
    private long evicted;
    private long updatesLost;

    public AlertGrouper(Limits limits) {
        this(limits, Clock.systemUTC());
    }

    public AlertGrouper(Limits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Takes one match: the alert it opens, or empty when it folded into one already open.
     *
     * @throws IllegalArgumentException when the event has no {@code host.id} (nothing else is affected)
     */
    public Optional<Alert> offer(RuleMatch match) {
        Instant now = clock.instant();
        Alert.Key key = Alert.key(match, limits.window(), now, false);
        synchronized (this) {
            expire(now);
            Open existing = open.get(key.id());
            if (existing != null) {
                fold(existing, match, key, now);
                return Optional.empty();
            }
            if (key.entityId() != null) {
                String ruleHostKey = key.ruleHost(match.rule().id());
                RuleHost ruleHost = ruleHosts.computeIfAbsent(ruleHostKey, k -> new RuleHost());
                ruleHost.touched = now;
                if (ruleHost.alerts < limits.maxPerRuleHost()) {
                    ruleHost.alerts++;
                    return Optional.of(opened(Alert.open(match, key, now), now));
                }
                overflowed++;
                key = Alert.key(match, limits.window(), now, true);
                existing = open.get(key.id());
                if (existing != null) {
                    fold(existing, match, key, now);
                    return Optional.empty();
                }
            }
            return Optional.of(opened(Alert.open(match, key, now), now));
        }
    }

    /** Every alert that grew since the last call, once each, in its latest state: the updates to write. */
    public synchronized List<Alert> drainUpdates() {
        List<Alert> updates = new ArrayList<>(forgottenUpdates);
        forgottenUpdates.clear();
        for (String id : grown) {
            Open o = open.get(id);
            if (o != null) updates.add(o.snapshot());
        }
        grown.clear();
        return updates;
    }

    /** Forgets alerts idle for a window; for a quiet server, call now and then (e.g. with each drain). */
    public synchronized void expire() {
        expire(clock.instant());
    }

    public synchronized Stats stats() {
        return new Stats(open.size(), bytes, created, suppressed, overflowed, evicted, updatesLost);
    }

    private Alert opened(Alert alert, Instant now) {
        Open entry = new Open(alert, now);
        open.put(alert.id(), entry);
        bytes += entry.bytes;
        created++;
        // Over a bound: forget the alerts touched longest ago, never the one just opened.
        Iterator<Map.Entry<String, Open>> oldest = open.entrySet().iterator();
        while ((open.size() > limits.maxAlerts() || bytes > limits.maxBytes()) && open.size() > 1) {
            Open head = oldest.next().getValue();
            oldest.remove();
            forgotten(head);
        }
        Iterator<Map.Entry<String, RuleHost>> oldestRuleHost = ruleHosts.entrySet().iterator();
        while (ruleHosts.size() > limits.maxAlerts() && oldestRuleHost.hasNext()) {
            oldestRuleHost.next();
            oldestRuleHost.remove();
        }
        return alert;
    }

    private void fold(Open entry, RuleMatch match, Alert.Key key, Instant now) {
        entry.count++;
        if (key.time().isAfter(entry.lastSeen)) entry.lastSeen = key.time();
        if (match.id() != null && entry.eventIds.size() < limits.maxEventIds() && !entry.eventIds.contains(match.id())) {
            entry.eventIds.add(match.id());
        }
        entry.touched = now;
        grown.add(entry.alert.id());
        suppressed++;
    }

    private void expire(Instant now) {
        Instant horizon = now.minus(limits.window());
        Iterator<Map.Entry<String, Open>> oldest = open.entrySet().iterator();
        while (oldest.hasNext()) {
            Open head = oldest.next().getValue();
            if (!head.touched.isBefore(horizon)) break;
            oldest.remove();
            forgotten(head);
        }
        Iterator<Map.Entry<String, RuleHost>> ruleHost = ruleHosts.entrySet().iterator();
        while (ruleHost.hasNext()) {
            if (!ruleHost.next().getValue().touched.isBefore(horizon)) break;
            ruleHost.remove();
        }
    }

    /** Accounts for an alert just removed, keeping its pending update. */
    private void forgotten(Open entry) {
        bytes -= entry.bytes;
        evicted++;
        if (grown.remove(entry.alert.id())) {
            if (forgottenUpdates.size() >= limits.maxAlerts()) {
                forgottenUpdates.removeFirst();
                updatesLost++;
            }
            forgottenUpdates.addLast(entry.snapshot());
        }
    }
}
