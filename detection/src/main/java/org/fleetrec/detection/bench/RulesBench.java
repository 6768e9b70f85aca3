package org.fleetrec.detection.bench;

import org.fleetrec.detection.rules.RuleSource;
import org.fleetrec.detection.rules.ShippedRules;
import org.fleetrec.detection.sigma.RuleSet;
import org.fleetrec.model.EventDocument;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code ./fleetrec bench rules}: events per second one thread evaluates through a rule set, on
 * the synthetic stream of {@link SyntheticStream}, all events and process starts alone (each of
 * those meets every process-creation rule). The rules: {@code --rules} folders, else
 * {@code FLEETREC_RULES_DIR}; else, side by side in one run, the default set (the shipped rules with
 * SigmaHQ's chosen ones from {@code FLEETREC_SIGMA_DIR} or the shared reference data) and every
 * SigmaHQ Linux rule of that folder, so the two rates compare under the same load.
 */
public final class RulesBench {
    private RulesBench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> list = Arrays.asList(args);
        int seconds = 5;
        String folders = System.getenv("FLEETREC_RULES_DIR");
        for (int i = 0; i < list.size(); i++) {
            switch (list.get(i)) {
                case "--rules" -> folders = list.get(++i);
                case "--seconds" -> seconds = Integer.parseInt(list.get(++i));
                default -> {
                    System.err.println("usage: fleetrec bench rules [--rules DIR[,DIR]] [--seconds N]");
                    System.exit(2);
                }
            }
        }
        List<EventDocument> stream = SyntheticStream.events(42, 5_000);
        List<EventDocument> execs = stream.stream().filter(d -> "executed".equals(d.text("event.action"))).toList();
        if (folders != null && !folders.isBlank()) {
            RuleSet.Builder builder = RuleSet.builder();
            for (String folder : folders.split(",")) builder.addDirectory(Path.of(folder.strip()));
            run(builder.build(), folders, stream, execs, seconds);
            return;
        }
        String sigma = System.getenv(ShippedRules.SIGMA_DIR);
        Path sigmaDir = sigma != null && !sigma.isBlank() ? Path.of(sigma.strip())
                : Path.of(System.getProperty("fleetrec.home", "."), "../shared/data/sigma/rules/linux").normalize();
        if (!Files.isDirectory(sigmaDir)) {
            System.err.println("no SigmaHQ rules folder: set " + ShippedRules.SIGMA_DIR + " (a checkout's rules/linux) or give --rules DIR");
            System.exit(2);
        }
        RuleSet.Builder shipped = RuleSet.builder();
        for (RuleSource source : ShippedRules.sources(Map.of(ShippedRules.SIGMA_DIR, sigmaDir.toString()))) {
            shipped.add(source.name(), source.yaml());
        }
        run(shipped.build(), "the default set", stream, execs, seconds);
        run(RuleSet.load(sigmaDir), sigmaDir.toString(), stream, execs, seconds);
    }

    private static void run(RuleSet rules, String from, List<EventDocument> stream, List<EventDocument> execs, int seconds) {
        System.out.printf("rules: %d loaded, %d not loaded, from %s%n", rules.rules().size(), rules.rejected().size(), from);
        measure("all events", rules, stream, seconds);
        measure("process starts only", rules, execs, seconds);
    }

    /** Warms up as long as it measures, then evaluates the stream round after round on this one thread. */
    static double measure(String what, RuleSet rules, List<EventDocument> stream, int seconds) {
        long warm = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < warm) for (EventDocument d : stream) rules.evaluate(d);
        long matches = 0;
        long rounds = 0;
        long start = System.nanoTime();
        while (System.nanoTime() - start < seconds * 1_000_000_000L) {
            for (EventDocument d : stream) matches += rules.evaluate(d).size();
            rounds++;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double rate = rounds * stream.size() / elapsed;
        System.out.printf("%-20s %,10.0f events/s on one thread (%,d events in %.1f s, %,d matches)%n",
                what, rate, rounds * stream.size(), elapsed, matches);
        return rate;
    }
}
