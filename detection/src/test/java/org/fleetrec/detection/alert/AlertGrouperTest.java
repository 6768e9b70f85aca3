package org.fleetrec.detection.alert;

import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.fleetrec.detection.alert.Fixtures.DISCOVERY;
import static org.fleetrec.detection.alert.Fixtures.REVERSE_SHELL;
import static org.fleetrec.detection.alert.Fixtures.exec;
import static org.fleetrec.detection.alert.Fixtures.match;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlertGrouperTest {
    private static final Instant T = Instant.parse("2026-03-04T10:00:00Z");
    private final Fixtures.MutableClock clock = new Fixtures.MutableClock(T);

    private AlertGrouper grouper(int maxAlerts, long maxBytes, int maxPerRuleHost) {
        return new AlertGrouper(new AlertGrouper.Limits(Duration.ofMinutes(10), maxAlerts, maxBytes, maxPerRuleHost, 3), clock);
    }

    @Test
    void repeatsOfOneRuleOnOneProcessMakeOneAlertWithACount() {
        AlertGrouper grouper = grouper(100, 1 << 20, 20);
        List<Alert> opened = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            grouper.offer(match(REVERSE_SHELL, exec("h1", "e1", T.plusMillis(i * 100L), "c" + i), "a:" + i)).ifPresent(opened::add);
        }
        assertEquals(1, opened.size());
        assertEquals(1, opened.get(0).count());
        List<Alert> updates = grouper.drainUpdates();
        assertEquals(1, updates.size(), "one update however many repeats");
        Alert grown = updates.get(0);
        assertEquals(opened.get(0).id(), grown.id());
        assertEquals(1000, grown.count());
        assertEquals(T, grown.firstSeen());
        assertEquals(T.plusMillis(999 * 100L), grown.lastSeen());
        assertEquals(List.of("a:0", "a:1", "a:2"), grown.eventIds(), "the first few event ids only");
        assertEquals("c0", grown.context().get("process.command_line"), "the alert shows its first match");
        assertEquals(List.of(), grouper.drainUpdates(), "each growth is handed out once");
        AlertGrouper.Stats stats = grouper.stats();
        assertEquals(1, stats.created());
        assertEquals(999, stats.suppressed());
        assertEquals(1, stats.open());
    }

    @Test
    void rulesProcessesAndWindowsEachMakeTheirOwnAlert() {
        AlertGrouper grouper = grouper(100, 1 << 20, 20);
        assertTrue(grouper.offer(match(REVERSE_SHELL, exec("h1", "e1", T, "c"), "a:1")).isPresent());
        assertTrue(grouper.offer(match(REVERSE_SHELL, exec("h1", "e2", T, "c"), "a:2")).isPresent());
        assertTrue(grouper.offer(match(DISCOVERY, exec("h1", "e1", T, "c"), "a:3")).isPresent());
        assertTrue(grouper.offer(match(REVERSE_SHELL, exec("h2", "e1", T, "c"), "a:4")).isPresent());
        assertTrue(grouper.offer(match(REVERSE_SHELL, exec("h1", "e1", T.plus(Duration.ofMinutes(10)), "c"), "a:5")).isPresent(),
                "the next window opens a new alert");
        assertTrue(grouper.offer(match(REVERSE_SHELL, exec("h1", "e1", T.plusSeconds(599), "c"), "a:6")).isEmpty(),
                "a late event still folds into its own window");
        assertEquals(5, grouper.stats().created());
    }

    /** The flood bound: a rule firing on every process of a fork bomb makes maxPerRuleHost + 1 alerts, not one a process. */
    @Test
    void tooManyProcessesOfOneRuleOnOneHostFoldIntoOneHostAlert() {
        AlertGrouper grouper = grouper(1000, 64 << 20, 5);
        List<Alert> opened = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            grouper.offer(match(REVERSE_SHELL, exec("h1", "fork-" + i, T.plusMillis(i), "c"), "a:" + i)).ifPresent(opened::add);
        }
        assertEquals(6, opened.size());
        assertEquals(5, opened.stream().filter(a -> a.scope() == Alert.Scope.PROCESS).count());
        Alert host = opened.stream().filter(a -> a.scope() == Alert.Scope.HOST).findFirst().orElseThrow();
        assertEquals(Alert.id(REVERSE_SHELL.id(), "h1", null, T), host.id());
        assertEquals(1, grouper.drainUpdates().size());
        AlertGrouper.Stats stats = grouper.stats();
        assertEquals(495, stats.overflowed());
        assertEquals(494, stats.suppressed());
        // Another host, and the same host in the next window, get their own budget.
        assertTrue(grouper.offer(match(REVERSE_SHELL, exec("h2", "fork-0", T, "c"), "b:1")).map(a -> a.scope() == Alert.Scope.PROCESS).orElse(false));
        assertTrue(grouper.offer(match(REVERSE_SHELL, exec("h1", "fork-x", T.plus(Duration.ofMinutes(10)), "c"), "b:2"))
                .map(a -> a.scope() == Alert.Scope.PROCESS).orElse(false));
    }

    @Test
    void idleAlertsAreForgottenAfterAWindowButTheirPendingUpdateIsNot() {
        AlertGrouper grouper = grouper(100, 1 << 20, 20);
        String id = grouper.offer(match(REVERSE_SHELL, exec("h1", "e1", T, "c"), "a:1")).orElseThrow().id();
        grouper.offer(match(REVERSE_SHELL, exec("h1", "e1", T, "c"), "a:2"));
        clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        grouper.expire();
        assertEquals(0, grouper.stats().open());
        assertEquals(1, grouper.stats().evicted());
        List<Alert> updates = grouper.drainUpdates();
        assertEquals(1, updates.size());
        assertEquals(id, updates.get(0).id());
        assertEquals(2, updates.get(0).count());
        // Forgotten: a late match of the same window opens the same alert again (same id, so the same document).
        Optional<Alert> again = grouper.offer(match(REVERSE_SHELL, exec("h1", "e1", T.plusSeconds(5), "c"), "a:3"));
        assertEquals(id, again.orElseThrow().id());
    }

    @Test
    void theNumberOfAlertsHeldIsBounded() {
        AlertGrouper grouper = grouper(50, 64 << 20, 1000);
        int opened = 0;
        for (int i = 0; i < 500; i++) {
            if (grouper.offer(match(REVERSE_SHELL, exec("h1", "e" + i, T, "c"), "a:" + i)).isPresent()) opened++;
            grouper.offer(match(REVERSE_SHELL, exec("h1", "e" + i, T, "c"), "b:" + i));
        }
        assertEquals(500, opened);
        AlertGrouper.Stats stats = grouper.stats();
        assertEquals(50, stats.open());
        assertEquals(450, stats.evicted());
        // The 450 forgotten alerts' pending updates are kept up to maxAlerts, the rest counted as lost.
        assertEquals(400, stats.updatesLost());
        List<Alert> updates = grouper.drainUpdates();
        assertEquals(100, updates.size());
        assertTrue(updates.stream().allMatch(a -> a.count() == 2));
    }

    @Test
    void theMemoryHeldIsBoundedWhateverTheCommandLinesWeigh() {
        long budget = 2 << 20;
        AlertGrouper grouper = grouper(100_000, budget, 100_000);
        String heavy = "A".repeat(100_000);
        for (int i = 0; i < 2000; i++) {
            EventDocument event = exec("h1", "e" + i, T, heavy).put("process.parent.command_line", heavy).put("file.path", heavy);
            grouper.offer(match(REVERSE_SHELL, event, "a:" + i));
            assertTrue(grouper.stats().bytes() <= budget, "held " + grouper.stats().bytes());
        }
        AlertGrouper.Stats stats = grouper.stats();
        assertTrue(stats.open() > 10 && stats.open() < 2000, "open " + stats.open());
        assertEquals(2000 - stats.open(), stats.evicted());
    }

    @Test
    void aMatchWithoutHostIsRefusedAndNothingElseIsLost() {
        AlertGrouper grouper = grouper(100, 1 << 20, 20);
        grouper.offer(match(REVERSE_SHELL, exec("h1", "e1", T, "c"), "a:1"));
        assertThrows(IllegalArgumentException.class,
                () -> grouper.offer(match(REVERSE_SHELL, exec("h1", "e1", T, "c").remove("host.id"), "a:2")));
        grouper.offer(match(REVERSE_SHELL, exec("h1", "e1", T, "c"), "a:3"));
        assertEquals(2, grouper.drainUpdates().get(0).count());
    }

    @Test
    void batchThreadsOfferAtOnceAndEveryMatchIsCountedOnce() throws Exception {
        AlertGrouper grouper = grouper(10_000, 64 << 20, 1000);
        int threads = 8;
        int perThread = 5000;
        int entities = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<Alert> opened = new ConcurrentLinkedQueue<>();
        Map<String, Long> counts = new java.util.concurrent.ConcurrentHashMap<>();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    grouper.offer(match(REVERSE_SHELL, exec("h1", "e" + (i % entities), T.plusMillis(i), "c"), thread + ":" + i))
                            .ifPresent(opened::add);
                    if (i % 500 == 0) grouper.drainUpdates().forEach(a -> counts.merge(a.id(), a.count(), Math::max));
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) f.get();
        pool.shutdown();
        grouper.drainUpdates().forEach(a -> counts.merge(a.id(), a.count(), Math::max));
        assertEquals(entities, opened.size(), "one alert a process, however many threads saw it first");
        assertEquals(entities, opened.stream().map(Alert::id).distinct().count());
        Map<String, Long> expected = new HashMap<>();
        opened.forEach(a -> expected.put(a.id(), (long) threads * perThread / entities));
        assertEquals(expected, counts);
        assertEquals((long) threads * perThread - entities, grouper.stats().suppressed());
    }

    @Test
    void limitsComeFromTheEnvironment() {
        AlertGrouper.Limits limits = AlertGrouper.Limits.fromEnvironment(Map.of("FLEETREC_ALERT_WINDOW_SECONDS", "300",
                "FLEETREC_ALERT_MAX_OPEN", "77", "FLEETREC_ALERT_MAX_MEMORY_MB", "8", "FLEETREC_ALERT_MAX_PER_RULE_HOST", "3",
                "FLEETREC_ALERT_EVENT_IDS", "5"));
        assertEquals(new AlertGrouper.Limits(Duration.ofMinutes(5), 77, 8L << 20, 3, 5), limits);
        assertEquals(AlertGrouper.Limits.defaults(), AlertGrouper.Limits.fromEnvironment(Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AlertGrouper.Limits.fromEnvironment(Map.of("FLEETREC_ALERT_WINDOW_SECONDS", "ten")));
        assertTrue(e.getMessage().contains("FLEETREC_ALERT_WINDOW_SECONDS"));
    }
}
