package org.fleetrec.ingest;

/** A batch over the configured size, once decompressed; answered with 413. */
final class BatchTooLarge extends Exception {
    BatchTooLarge(String message) {
        super(message);
    }
}
