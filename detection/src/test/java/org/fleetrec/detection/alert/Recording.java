package org.fleetrec.detection.alert;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/** Test helpers: a dead-letter sink that remembers, and waiting for what other threads do. */
final class Recording {
    record DeadLetter(String output, Alert alert, String reason) {
    }

    static final class Sink implements DeadLetterSink {
        final List<DeadLetter> letters = new CopyOnWriteArrayList<>();

        @Override
        public void deadLetter(String output, Alert alert, String reason) {
            letters.add(new DeadLetter(output, alert, reason));
        }
    }

    private Recording() {
    }

    static void await(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    /** Limits that keep tests quick: 20 ms doubling to 200 ms. */
    static DeliveryLimits quick(int queue, int attempts) {
        return new DeliveryLimits(queue, attempts, Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(5),
                Duration.ofMillis(300));
    }
}
