package org.fleetrec.detection.bench;

import org.fleetrec.detection.sigma.RuleSet;
import org.fleetrec.model.EventDocument;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./fleetrec bench rules}: events per second one thread evaluates through a rule set, on
 * the synthetic stream of {@link SyntheticStream}, all events and process starts alone (each of
 * those meets every process-creation rule). The rules: {@code --rules} folders, else
 * {@code FLEETREC_RULES_DIR}, else SigmaHQ's Linux rules of the shared reference data.
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
        if (folders == null || folders.isBlank()) {
            Path shared = Path.of(System.getProperty("fleetrec.home", "."), "../shared/data/sigma/rules/linux").normalize();
            if (!Files.isDirectory(shared)) {
                System.err.println("no rules: give --rules DIR or FLEETREC_RULES_DIR (SigmaHQ's rules/linux, for instance)");
                System.exit(2);
            }
            folders = shared.toString();
        }
        RuleSet.Builder builder = RuleSet.builder();
        for (String folder : folders.split(",")) builder.addDirectory(Path.of(folder.strip()));
        RuleSet rules = builder.build();
        System.out.printf("rules: %d loaded, %d not loaded, from %s%n", rules.rules().size(), rules.rejected().size(), folders);
        List<EventDocument> stream = SyntheticStream.events(42, 5_000);
        List<EventDocument> execs = stream.stream().filter(d -> "executed".equals(d.text("event.action"))).toList();
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
