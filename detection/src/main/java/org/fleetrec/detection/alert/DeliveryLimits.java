package org.fleetrec.detection.alert;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How hard an output tries: its queue, its attempts, and the waits between them. The queue is what
 * keeps a dead receiver from blocking detection or growing memory: when it is full, an alert goes to
 * the dead letters at once instead of waiting.
 *
 * @param queue          alerts waiting for the output, at most
 * @param attempts       sends of one alert before it is dead-lettered (1 = no retry)
 * @param initialBackoff wait before the first retry; doubled each retry, with jitter
 * @param maxBackoff     longest wait the doubling reaches
 * @param maxRetryAfter  longest {@code Retry-After} honoured; a receiver asking for more is waited this long
 * @param closeGrace     how long closing waits for the queue to empty before dead-lettering the rest
 */
public record DeliveryLimits(int queue, int attempts, Duration initialBackoff, Duration maxBackoff,
                             Duration maxRetryAfter, Duration closeGrace) {
    public DeliveryLimits {
        if (queue < 1) throw new IllegalArgumentException("an output queue holds at least one alert");
        if (attempts < 1) throw new IllegalArgumentException("an output makes at least one attempt");
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0 || maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException("backoff must grow from initial to max: " + initialBackoff + ", " + maxBackoff);
        }
    }

    /** 1000 queued, 6 attempts, 0.5 s doubling to 30 s, Retry-After up to 5 min, 5 s to drain on close. */
    public static DeliveryLimits defaults() {
        return new DeliveryLimits(1000, 6, Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofMinutes(5),
                Duration.ofSeconds(5));
    }

    /** {@code <prefix>_QUEUE} and {@code <prefix>_ATTEMPTS} over the defaults. */
    static DeliveryLimits fromEnvironment(java.util.Map<String, String> env, String prefix) {
        DeliveryLimits d = defaults();
        return d.withQueue((int) Settings.number(env, prefix + "_QUEUE", d.queue(), 1, 1_000_000))
                .withAttempts((int) Settings.number(env, prefix + "_ATTEMPTS", d.attempts(), 1, 100));
    }

    public DeliveryLimits withQueue(int newQueue) {
        return new DeliveryLimits(newQueue, attempts, initialBackoff, maxBackoff, maxRetryAfter, closeGrace);
    }

    public DeliveryLimits withAttempts(int newAttempts) {
        return new DeliveryLimits(queue, newAttempts, initialBackoff, maxBackoff, maxRetryAfter, closeGrace);
    }

    /**
     * The wait before retry number {@code retry} (1 for the first): the receiver's {@code Retry-After}
     * when it gave one, else exponential backoff with "equal jitter" (half fixed, half random), so
     * many servers that lost the same receiver do not come back in step.
     */
    Duration delay(int retry, Duration retryAfter) {
        if (retryAfter != null) return retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter;
        long max = maxBackoff.toMillis();
        long base = initialBackoff.toMillis() << Math.min(retry - 1, 30);
        if (base > max || base < 0) base = max;
        long half = base / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(base - half + 1));
    }
}
