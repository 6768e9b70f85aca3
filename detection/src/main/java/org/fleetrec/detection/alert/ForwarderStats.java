package org.fleetrec.detection.alert;

/**
 * What an output did so far.
 *
 * @param queued       alerts waiting now
 * @param sent         alerts the receiver took
 * @param retried      attempts repeated after a failure that may pass (each retry counts once)
 * @param deadLettered alerts given up on, handed to the dead letters (includes {@code queueFull})
 * @param queueFull    alerts refused at once because the queue was full
 */
public record ForwarderStats(int queued, long sent, long retried, long deadLettered, long queueFull) {
}
