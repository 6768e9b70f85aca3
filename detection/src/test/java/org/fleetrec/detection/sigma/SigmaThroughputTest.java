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
 * All loadable Linux rules over the benchmark's stream, round after round, as {@code ./fleetrec bench
 * rules} runs them (which prints the rate; the goal is 50,000/s with 200 rules on one core). The
 * stream: real OTRF and Sysmon-for-Linux documents, then {@link SyntheticStream}.
 */
class SigmaThroughputTest {
    @Test
    void allLinuxRulesFindTheSameMatchesRoundAfterRound() throws IOException {
        RuleSet set = RuleSet.load(SharedData.path("sigma/rules/linux"));
        List<EventDocument> mixed = stream();
        List<EventDocument> execs = mixed.stream().filter(d -> "executed".equals(d.text("event.action"))).toList();
        measure("mixed stream", set, mixed);
        measure("process starts only (each meets every process_creation rule)", set, execs);
    }

    /**
     * Rounds over the same stream find the same matches (no state leaks from one event to the next).
     * How fast is for {@code ./fleetrec bench rules}, not for a test on a shared machine.
     */
    private static void measure(String what, RuleSet set, List<EventDocument> stream) {
        int hits = 0;
        for (EventDocument d : stream) hits += set.evaluate(d).size();
        for (int round = 0; round < 3; round++) {
            long matched = 0;
            for (EventDocument d : stream) matched += set.evaluate(d).size();
            assertEquals(hits, matched, what + ": every round finds the same matches");
        }
        assertTrue(hits > 0, what + ": the stream holds events the rules are meant to catch");
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
