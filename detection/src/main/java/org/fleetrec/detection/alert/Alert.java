package org.fleetrec.detection.alert;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.IndexNames;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One rule firing on one process (or, when the event names no process, one host) within one
 * grouping window, however many times it matched there. The id is derived from exactly those four
 * things, so every ingest server, a restart, or a replayed batch names the same alert the same way
 * and repeated matches update one document instead of flooding the index.
 *
 * @param id          stable id: a hash of rule id, host id, entity id and window start; the document {@code _id}
 * @param rule        the rule that matched
 * @param scope       whether the alert stands for one process or for a whole host
 * @param hostId      {@code host.id} of the matching event
 * @param hostName    {@code host.name} of the matching event, may be null
 * @param entityId    {@code process.entity_id} the alert is about; null for a host-scoped alert
 * @param windowStart start of the grouping window (event time, aligned to the window length)
 * @param firstSeen   event time of the match that opened the alert ({@code @timestamp})
 * @param lastSeen    latest event time among its matches
 * @param count       matches folded into the alert
 * @param firstEvent  where the match that opened the alert is stored
 * @param eventIds    {@code _id}s of the first few matching events
 * @param context     ECS fields copied from the opening event (dotted name → String or Long), bounded in size
 * @param status      open, acknowledged or closed, with who changed it and when
 * @param created     when the alert was made (wall clock), {@code event.created}
 */
public record Alert(String id, RuleRef rule, Scope scope, String hostId, String hostName, String entityId,
                    Instant windowStart, Instant firstSeen, Instant lastSeen, long count,
                    EventRef firstEvent, List<String> eventIds, Map<String, Object> context,
                    StatusChange status, Instant created) {

    /** What an alert stands for: one process entity, or the host (no entity, or too many of them). */
    public enum Scope {
        PROCESS, HOST;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** An analyst's view of an alert. */
    public enum Status {
        OPEN, ACKNOWLEDGED, CLOSED;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Status parse(String text) {
            for (Status s : values()) {
                if (s.id().equalsIgnoreCase(text == null ? "" : text.strip())) return s;
            }
            throw new IllegalArgumentException("not an alert status: " + text + " (open, acknowledged or closed)");
        }
    }

    /** A status, who set it ({@code null} for the system) and when. */
    public record StatusChange(Status status, String by, Instant at) {
        public StatusChange {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(at, "at");
        }
    }

    /** Where an event is stored, and what kind of event it is. Any part may be null. */
    public record EventRef(String index, String id, String dataset, String action) {
    }

    public Alert {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(windowStart, "windowStart");
        Objects.requireNonNull(firstSeen, "firstSeen");
        Objects.requireNonNull(lastSeen, "lastSeen");
        Objects.requireNonNull(firstEvent, "firstEvent");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(created, "created");
        eventIds = List.copyOf(eventIds);
        context = Map.copyOf(context);
    }

    /**
     * Opens an alert for one match: the window is the one of the event's own {@code @timestamp}
     * (or {@code now} when the event has none that parses), so late events group into their own time.
     */
    public static Alert open(RuleMatch match, Duration window, Instant now) {
        return open(match, window, now, false);
    }

    /** As {@link #open(RuleMatch, Duration, Instant)}; {@code hostScope} groups by host even when the event names a process. */
    static Alert open(RuleMatch match, Duration window, Instant now, boolean hostScope) {
        return open(match, key(match, window, now, hostScope), now);
    }

    /** Opens the alert {@code key} names, with {@code match} as its first match. */
    static Alert open(RuleMatch match, Key key, Instant now) {
        AlertContext facts = AlertContext.of(match.event());
        return new Alert(key.id(), match.rule(), key.entityId() == null ? Scope.HOST : Scope.PROCESS, key.hostId(),
                facts.hostName(), key.entityId(), key.windowStart(), key.time(), key.time(), 1,
                new EventRef(match.index(), match.id(), facts.dataset(), facts.action()),
                match.id() == null ? List.of() : List.of(match.id()), facts.fields(),
                new StatusChange(Status.OPEN, null, now), now);
    }

    /** Which alert a match belongs to, and the event time it adds; cheap next to building an alert. */
    record Key(String id, String hostId, String entityId, Instant windowStart, Instant time) {
        String ruleHost(String ruleId) {
            return ruleId + "\0" + hostId + "\0" + windowStart.toEpochMilli();
        }
    }

    static Key key(RuleMatch match, Duration window, Instant now, boolean hostScope) {
        String hostId = AlertContext.bounded(match.event().text(Ecs.HOST_ID), AlertContext.MAX_ID);
        if (hostId == null || hostId.isEmpty()) {
            throw new IllegalArgumentException("the matching event has no host.id: an alert needs the host it is about");
        }
        String entity = hostScope ? null : AlertContext.bounded(match.event().text("process.entity_id"), AlertContext.MAX_ID);
        if (entity != null && entity.isEmpty()) entity = null;
        Instant time = match.event().timestamp(now);
        Instant windowStart = windowStart(time, window);
        return new Key(id(match.rule().id(), hostId, entity, windowStart), hostId, entity, windowStart, time);
    }

    /** Start of the window holding {@code time}: windows are aligned to the epoch, so every server cuts them alike. */
    public static Instant windowStart(Instant time, Duration window) {
        long length = window.toMillis();
        if (length <= 0) throw new IllegalArgumentException("a grouping window is longer than 0 ms");
        return Instant.ofEpochMilli(Math.floorDiv(time.toEpochMilli(), length) * length);
    }

    /** The alert id for a rule on a host's entity (null: the host itself) in the window starting at {@code windowStart}. */
    public static String id(String ruleId, String hostId, String entityId, Instant windowStart) {
        // NUL cannot occur in the parts as the ids are written, so the joined text names one tuple only.
        String key = "alert/v1\0" + ruleId + "\0" + hostId + "\0" + (entityId == null ? "" : entityId) + "\0"
                + windowStart.toEpochMilli();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    public Level level() {
        return rule.level();
    }

    /** {@code fleet-alerts-YYYY.MM.DD} of the window's start: fixed for the id, so an alert never lands in two indices. */
    public String index() {
        return IndexNames.alerts(windowStart);
    }

    /** The whole ECS document, as first written. */
    public ObjectNode document() {
        return AlertDocument.full(this);
    }

    /** The fields repeats change, for a partial update that leaves an analyst's status alone. */
    public ObjectNode progressDocument() {
        return AlertDocument.progress(this);
    }

    public Alert withStatus(Status newStatus, String by, Instant at) {
        return new Alert(id, rule, scope, hostId, hostName, entityId, windowStart, firstSeen, lastSeen, count, firstEvent,
                eventIds, context, new StatusChange(newStatus, by, at), created);
    }

    Alert grown(long newCount, Instant newLastSeen, List<String> newEventIds) {
        return new Alert(id, rule, scope, hostId, hostName, entityId, windowStart, firstSeen, newLastSeen, newCount, firstEvent,
                newEventIds, context, status, created);
    }

    /** A rough upper bound of the heap an alert holds, for the grouper's memory budget. */
    long approximateBytes() {
        long chars = id.length() + hostId.length() + (hostName == null ? 0 : hostName.length())
                + (entityId == null ? 0 : entityId.length()) + rule.id().length() + rule.title().length();
        for (String tag : rule.tags()) chars += tag.length() + 16;
        for (String eventId : eventIds) chars += eventId.length() + 16;
        for (Map.Entry<String, Object> e : context.entrySet()) {
            chars += 24 + (e.getValue() instanceof String s ? s.length() : 8);
        }
        return 512 + 2 * chars;
    }
}
