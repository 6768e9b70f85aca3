package org.fleetrec.model;

/** A line or document that cannot be an event; the message is safe to return to the sender. */
public final class MalformedEventException extends Exception {
    public MalformedEventException(String message) {
        super(message);
    }
}
