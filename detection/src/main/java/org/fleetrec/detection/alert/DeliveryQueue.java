package org.fleetrec.detection.alert;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The part every output shares: a bounded queue, one sender thread that tries each alert in order
 * with retries and backoff, and the dead letters for what cannot go. One thread an output keeps
 * order and makes a dead receiver cost one thread, whatever the alert rate; the bounded queue makes
 * it cost bounded memory.
 */
final class DeliveryQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeliveryQueue.class);

    /** One try of one alert. */
    @FunctionalInterface
    interface Sender {
        Attempt send(Alert alert) throws InterruptedException;
    }

    /** How one try went: delivered; failed in a way that may pass (with the receiver's wait, if it named one); failed for good. */
    record Attempt(Kind kind, String reason, Duration retryAfter) {
        enum Kind { DELIVERED, RETRY, FAIL }

        static Attempt delivered() {
            return new Attempt(Kind.DELIVERED, null, null);
        }

        static Attempt retry(String reason, Duration retryAfter) {
            return new Attempt(Kind.RETRY, reason, retryAfter);
        }

        static Attempt fail(String reason) {
            return new Attempt(Kind.FAIL, reason, null);
        }
    }

    private final String name;
    private final Sender sender;
    private final DeliveryLimits limits;
    private final DeadLetterSink deadLetters;
    private final BlockingQueue<Alert> queue;
    private final Thread thread;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong queueFull = new AtomicLong();
    private volatile boolean closing;
    private volatile long drainDeadline = Long.MAX_VALUE;

    DeliveryQueue(String name, Sender sender, DeliveryLimits limits, DeadLetterSink deadLetters) {
        this.name = name;
        this.sender = sender;
        this.limits = limits;
        this.deadLetters = deadLetters;
        this.queue = new ArrayBlockingQueue<>(limits.queue());
        this.thread = new Thread(this::run, "alert-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    void offer(Alert alert) {
        if (closing) {
            deadLetter(alert, "the output is closed");
        } else if (!queue.offer(alert)) {
            queueFull.incrementAndGet();
            deadLetter(alert, "queue full (" + limits.queue() + " alerts waiting for a slow or dead receiver)");
        } else if (closing && queue.remove(alert)) {
            // close() began between the check and the offer and may have drained the queue already.
            deadLetter(alert, "the output is closed");
        }
    }

    ForwarderStats stats() {
        return new ForwarderStats(queue.size(), sent.get(), retried.get(), deadLettered.get(), queueFull.get());
    }

    private void run() {
        try {
            while (!closing || (!queue.isEmpty() && System.nanoTime() < drainDeadline)) {
                Alert alert = queue.poll(100, TimeUnit.MILLISECONDS);
                if (alert != null) deliver(alert);
            }
        } catch (InterruptedException e) {
            // closing: what is left is dead-lettered by close()
        }
    }

    private void deliver(Alert alert) throws InterruptedException {
        String lastReason = null;
        for (int attempt = 1; attempt <= limits.attempts(); attempt++) {
            Attempt result;
            try {
                result = sender.send(alert);
            } catch (RuntimeException e) {
                result = Attempt.fail("unexpected error: " + e);
            } catch (InterruptedException e) {
                deadLetter(alert, "stopped while sending" + (lastReason == null ? "" : " (last failure: " + lastReason + ")"));
                throw e;
            }
            switch (result.kind()) {
                case DELIVERED -> {
                    sent.incrementAndGet();
                    return;
                }
                case FAIL -> {
                    deadLetter(alert, result.reason());
                    return;
                }
                case RETRY -> lastReason = result.reason();
            }
            if (attempt == limits.attempts()) break;
            Duration wait = limits.delay(attempt, result.retryAfter());
            if (closing && System.nanoTime() + wait.toNanos() > drainDeadline) {
                deadLetter(alert, "stopped before retrying: " + lastReason);
                return;
            }
            retried.incrementAndGet();
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                deadLetter(alert, "stopped while waiting to retry: " + lastReason);
                throw e;
            }
        }
        deadLetter(alert, lastReason + " (after " + limits.attempts() + " attempts)");
    }

    private void deadLetter(Alert alert, String reason) {
        deadLettered.incrementAndGet();
        log.warn("alert {} ({} on {}) not delivered to {}: {}", alert.id(), alert.rule().id(), alert.hostId(), name, reason);
        try {
            deadLetters.deadLetter(name, alert, reason);
        } catch (RuntimeException e) {
            log.error("the dead letters refused alert {} of {}: {}", alert.id(), name, e.toString());
        }
    }

    /** Stops taking alerts; queued ones may go out within the grace; whatever is left is dead-lettered. */
    @Override
    public void close() {
        if (closing) return;
        drainDeadline = System.nanoTime() + limits.closeGrace().toNanos();
        closing = true;
        try {
            thread.join(limits.closeGrace().toMillis() + 200);
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(5_000);
            }
        } catch (InterruptedException e) {
            thread.interrupt();
            Thread.currentThread().interrupt();
        }
        List<Alert> left = new ArrayList<>();
        queue.drainTo(left);
        for (Alert alert : left) deadLetter(alert, "not sent before the output closed");
    }
}
