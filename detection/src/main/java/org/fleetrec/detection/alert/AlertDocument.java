package org.fleetrec.detection.alert;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventDocument;

import java.time.Instant;
import java.util.List;

/**
 * The ECS shape of an alert in {@code fleet-alerts-*}, as the {@code fleet-alerts} template maps it.
 * Alert documents reuse the event field names ({@code host.*}, {@code process.*}, {@code user.*}), so
 * a search or a dashboard written for events finds alerts too; what only alerts have sits under
 * {@code fleet.alert.*}.
 *
 * <p>Written in two kinds: the full document when an alert opens, and a partial one when repeats
 * grow it. The partial one never names the status, so writing it (an Elasticsearch {@code update}
 * with the partial as {@code doc} and the full document as {@code upsert}, which needs no script)
 * keeps an analyst's acknowledgement.
 */
public final class AlertDocument {
    public static final String ALERT_ID = "fleet.alert.id";
    public static final String STATUS = "fleet.alert.status";
    public static final String STATUS_BY = "fleet.alert.status_by";
    public static final String STATUS_AT = "fleet.alert.status_at";
    /** Why an analyst set the status, as they wrote it; only a status change writes it. */
    public static final String STATUS_NOTE = "fleet.alert.status_note";
    /** The longest note a status change keeps. */
    public static final int MAX_NOTE = 1024;
    public static final String COUNT = "fleet.alert.count";
    public static final String FIRST_SEEN = "fleet.alert.first_seen";
    public static final String LAST_SEEN = "fleet.alert.last_seen";
    public static final String EVENT_INDEX = "fleet.alert.event.index";
    public static final String EVENT_ID = "fleet.alert.event.id";
    public static final String EVENT_IDS = "fleet.alert.event.ids";
    public static final String THREAT_FRAMEWORK = "MITRE ATT&CK";

    private AlertDocument() {
    }

    static ObjectNode full(Alert alert) {
        EventDocument doc = EventDocument.create();
        doc.put(Ecs.TIMESTAMP, alert.firstSeen().toString());
        doc.put("message", AlertText.summary(alert));
        doc.put(Ecs.EVENT_KIND, "alert");
        doc.put("event.severity", alert.level().severity());
        doc.put("event.created", alert.created().toString());
        doc.put("rule.id", alert.rule().id());
        doc.put("rule.name", alert.rule().title());
        doc.put("rule.level", alert.level().id());
        doc.putAll("rule.tags", alert.rule().tags());
        threat(doc, Threat.fromTags(alert.rule().tags()));
        doc.put(Ecs.HOST_ID, alert.hostId());
        doc.put(Ecs.HOST_NAME, alert.hostName());
        for (String name : AlertContext.NAMES) {
            Object value = alert.context().get(name);
            if (value instanceof Long number) doc.put(name, number);
            else if (value != null) doc.put(name, value.toString());
        }
        doc.put(ALERT_ID, alert.id());
        doc.put("fleet.alert.scope", alert.scope().id());
        doc.put("fleet.alert.window_start", alert.windowStart().toString());
        doc.put(STATUS, alert.status().status().id());
        doc.put(STATUS_BY, alert.status().by());
        doc.put(STATUS_AT, alert.status().at().toString());
        doc.put(FIRST_SEEN, alert.firstSeen().toString());
        doc.put(EVENT_INDEX, alert.firstEvent().index());
        doc.put(EVENT_ID, alert.firstEvent().id());
        doc.put("fleet.alert.event.dataset", alert.firstEvent().dataset());
        doc.put("fleet.alert.event.action", alert.firstEvent().action());
        progress(doc, alert);
        return doc.json();
    }

    /** {@code fleet.alert.count}, {@code last_seen} and {@code event.ids}: all a repeat changes. */
    static ObjectNode progress(Alert alert) {
        return progress(EventDocument.create(), alert).json();
    }

    private static EventDocument progress(EventDocument doc, Alert alert) {
        doc.put(COUNT, alert.count());
        doc.put(LAST_SEEN, alert.lastSeen().toString());
        doc.putAll(EVENT_IDS, alert.eventIds());
        return doc;
    }

    /** The partial document an analyst's status change writes ({@code by} may be null for the system). */
    public static ObjectNode statusChange(Alert.Status status, String by, Instant at) {
        EventDocument doc = EventDocument.create();
        doc.put(STATUS, status.id());
        if (by == null) doc.put(STATUS_BY, JsonNodeFactory.instance.nullNode());
        else doc.put(STATUS_BY, by);
        doc.put(STATUS_AT, at.toString());
        return doc.json();
    }

    /**
     * As {@link #statusChange(Alert.Status, String, Instant)}, with the analyst's note; a null note
     * clears the one an earlier change left, so a note always explains the status it stands beside.
     *
     * @throws IllegalArgumentException when the note is longer than {@value #MAX_NOTE} characters
     */
    public static ObjectNode statusChange(Alert.Status status, String by, Instant at, String note) {
        if (note != null && note.length() > MAX_NOTE) {
            throw new IllegalArgumentException("a note has at most " + MAX_NOTE + " characters");
        }
        boolean none = note == null || note.isBlank();
        return EventDocument.wrap(statusChange(status, by, at))
                .put(STATUS_NOTE, none ? JsonNodeFactory.instance.nullNode() : JsonNodeFactory.instance.textNode(note)).json();
    }

    private static void threat(EventDocument doc, Threat threat) {
        if (threat.isEmpty()) return;
        doc.put("threat.framework", THREAT_FRAMEWORK);
        array(doc, "threat.tactic.name", threat.tactics());
        array(doc, "threat.technique.id", threat.techniques());
        array(doc, "threat.technique.subtechnique.id", threat.subtechniques());
        array(doc, "threat.group.id", threat.groups());
        array(doc, "threat.software.id", threat.software());
    }

    private static void array(EventDocument doc, String field, List<String> values) {
        if (!values.isEmpty()) doc.putAll(field, values);
    }
}
