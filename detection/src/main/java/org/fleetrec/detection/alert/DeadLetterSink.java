package org.fleetrec.detection.alert;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;

import java.time.Instant;

/**
 * Where an alert goes that an output gave up on, so a dead receiver never loses one silently. The
 * ingest server's choice is {@link #document}: a {@code fleet-deadletter-*} document beside the
 * events that failed, searchable and dropped by the same retention, with a {@link DeadLetterFile}
 * as the fallback when Elasticsearch cannot take it either; a server without either can use the
 * file alone.
 *
 * <p>Called from an output's sender thread, or from the caller of {@link AlertForwarder#forward}
 * when the output's queue is full: it must be quick and must not block on the output it stands in for.
 */
@FunctionalInterface
public interface DeadLetterSink {
    /** Keeps {@code alert}, which {@code output} could not deliver for {@code reason}. */
    void deadLetter(String output, Alert alert, String reason);

    /** Forgets (the output still counts it): for a server told to keep no dead letters. */
    DeadLetterSink NONE = (output, alert, reason) -> { };

    /**
     * A dead letter as the strict {@code fleet-deadletter} mapping takes it: {@code host_id} of the
     * alert, {@code reason} naming the output, {@code raw} the alert document as it would have been sent.
     * Index it under {@link IndexNames#deadletter(Instant)} of {@code now}.
     */
    static ObjectNode document(String output, Alert alert, String reason, Instant now) {
        return EventCodec.mapper().createObjectNode()
                .put("@timestamp", now.toString())
                .put("host_id", alert.hostId())
                .put("reason", "alert " + alert.id() + " not delivered to " + output + ": " + reason)
                .put("raw", alert.document().toString());
    }
}
