package org.fleetrec.detection.alert;

import org.fleetrec.model.EventDocument;

import java.util.Objects;

/**
 * One rule matching one stored event: the rule, the event as stored, and where it is stored, so
 * an alert can link back to the very document that raised it.
 *
 * @param rule  the rule that matched
 * @param event the matching event document (read, never changed)
 * @param index the event's {@code _index}
 * @param id    the event's {@code _id}
 */
public record RuleMatch(RuleRef rule, EventDocument event, String index, String id) {
    public RuleMatch {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(event, "event");
    }
}
