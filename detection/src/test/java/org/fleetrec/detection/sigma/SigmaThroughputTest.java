package org.fleetrec.detection.sigma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fleetrec.detection.bench.SyntheticStream;
import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Events per second through all loadable Linux rules on one thread, printed for the record (the
 * project's goal is 50,000/s with 200 rules on one core; {@code ./fleetrec bench rules} measures the
 * same). The stream: real OTRF and Sysmon-for-Linux documents, then {@link SyntheticStream}.
 */
class SigmaThroughputTest {
    @Test
    void eventsPerSecondWithAllLinuxRules() throws IOException {
        RuleSet set = RuleSet.load(SharedData.path("sigma/rules/linux"));
        List<EventDocument> mixed = stream();
        List<EventDocument> execs = mixed.stream().filter(d -> "executed".equals(d.text("event.action"))).toList();
        measure("mixed stream", set, mixed);
        measure("process starts only (each meets every process_creation rule)", set, execs);
    }

    private static void measure(String what, RuleSet set, List<EventDocument> stream) {
        long warmUntil = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < warmUntil) for (EventDocument d : stream) set.evaluate(d);
        int hits = 0;
        for (EventDocument d : stream) hits += set.evaluate(d).size();
        int rounds = 0;
        long matched = 0;
        long start = System.nanoTime();
        while (System.nanoTime() - start < 3_000_000_000L) {
            for (EventDocument d : stream) matched += set.evaluate(d).size();
            rounds++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long events = (long) rounds * stream.size();
        System.out.printf("throughput, %s: %,.0f events/s on one thread (%d rules, %,d events in %.1f s, %d matches per %d-event round)%n",
                what, events / seconds, set.rules().size(), events, seconds, hits, stream.size());
        assertEquals((long) hits * rounds, matched, "every round finds the same matches");
        assertTrue(hits > 0, "the stream holds events the rules are meant to catch");
    }

    private static List<EventDocument> stream() throws IOException {
        List<EventDocument> real = new ArrayList<>();
        real.addAll(AuditDocuments.of(SharedData.path("linux-audit/otrf-security-datasets/sh_arp_cache_2020-11-10074812.log")));
        real.addAll(AuditDocuments.of(SharedData.path("linux-audit/otrf-security-datasets/sh_binary_padding_dd_2020-11-10081941.log")));
        real.addAll(SigmaRegressionTest.documents(SharedData.path("sysmon-linux/otrf-log4shell/sysmon_linux_events.DERIVED.xml")));
        List<EventDocument> out = new ArrayList<>(real);
        out.addAll(SyntheticStream.events(42, 5_000 - real.size()));
        return out;
    }
}
