package org.fleetrec.ingest;

import org.fleetrec.model.Dataset;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventDocument;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Decides whether a document may enter an event index. The reasons it gives are returned
 * to the agent and kept in the dead-letter index, so they say exactly what is wrong.
 */
final class DocumentValidator {
    /** Agents buffer for weeks when cut off; anything older than this is not believable. */
    private static final Duration MAX_AGE = Duration.ofDays(400);
    private static final Duration MAX_FUTURE = Duration.ofHours(24);

    /** The parts of a valid document that routing needs. */
    record Valid(Dataset dataset, Instant timestamp, long sequence) {
    }

    static final class Invalid extends Exception {
        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    Valid validate(EventDocument doc, Instant now) throws Invalid {
        for (String field : Ecs.REQUIRED) {
            if (field.startsWith("agent.") || field.startsWith("host.")) continue; // stamped from the token
            if (!doc.has(field)) throw new Invalid("missing required field " + field);
        }
        Instant timestamp;
        try {
            timestamp = Instant.parse(doc.text(Ecs.TIMESTAMP));
        } catch (DateTimeParseException e) {
            throw new Invalid("@timestamp is not an ISO-8601 instant");
        }
        if (timestamp.isBefore(now.minus(MAX_AGE)) || timestamp.isAfter(now.plus(MAX_FUTURE))) {
            throw new Invalid("@timestamp " + timestamp + " is outside the accepted window");
        }
        String datasetId = doc.text(Ecs.EVENT_DATASET);
        Dataset dataset = Dataset.fromId(datasetId)
                .orElseThrow(() -> new Invalid("unknown event.dataset '" + truncate(datasetId) + "'"));
        var sequence = doc.get(Ecs.EVENT_SEQUENCE);
        if (!sequence.canConvertToLong() || !sequence.isIntegralNumber() || sequence.asLong() < 0) {
            throw new Invalid("event.sequence must be a non-negative integer");
        }
        return new Valid(dataset, timestamp, sequence.asLong());
    }

    private static String truncate(String value) {
        return value.length() > 64 ? value.substring(0, 64) + "…" : value;
    }
}
