package org.fleetrec.detection.alert;

/**
 * One alert output (a webhook, a syslog receiver). {@link #forward} never waits for the receiver:
 * it queues or, with the queue full, dead-letters; a sender thread of the output's own does the rest.
 */
public interface AlertForwarder extends AutoCloseable {
    /** The output's name in stats, logs and dead letters ({@code webhook}, {@code syslog}). */
    String name();

    /** Hands the alert over; returns at once whatever the receiver does. */
    void forward(Alert alert);

    ForwarderStats stats();

    /** Stops taking alerts, gives queued ones a short grace to go out, dead-letters the rest. */
    @Override
    void close();
}
