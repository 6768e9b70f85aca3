package org.fleetrec.model;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The index layout of DESIGN.md: daily indices per dataset, chosen by the event's own time. */
public final class IndexNames {
    public static final String EVENTS_PREFIX = "fleet-events-";
    public static final String ALL_EVENTS = "fleet-events-*";
    public static final String HOSTS = "fleet-hosts";
    public static final String AGENTS = "fleet-agents";
    public static final String ENROLLMENT_SECRETS = "fleet-enrollment-secrets";
    public static final String DEADLETTER_PREFIX = "fleet-deadletter-";
    /** Daily alert indices, named by the start of the alert's grouping window. */
    public static final String ALERTS_PREFIX = "fleet-alerts-";
    public static final String ALL_ALERTS = "fleet-alerts-*";
    public static final String API_TOKENS = "fleet-api-tokens";
    public static final String USERS = "fleet-users";
    /** Who searched what in the web app: one document an API call. */
    public static final String AUDIT = "fleet-audit";
    /** The rule catalogue: one document per detection rule, by rule id. */
    public static final String RULES = "fleet-rules";

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy.MM.dd").withZone(ZoneOffset.UTC);

    public static String events(Dataset dataset, Instant timestamp) {
        return EVENTS_PREFIX + dataset.id() + "-" + day(timestamp);
    }

    public static String deadletter(Instant receivedAt) {
        return DEADLETTER_PREFIX + day(receivedAt);
    }

    public static String alerts(Instant windowStart) {
        return ALERTS_PREFIX + day(windowStart);
    }

    /** A day's name, remembered: the ingest server names an index for every document, nearly all of one day. */
    private record Day(long epochDay, String name) {
    }

    private static volatile Day lastDay = new Day(Long.MIN_VALUE, "");

    private static String day(Instant time) {
        long epochDay = Math.floorDiv(time.getEpochSecond(), 86_400);
        Day last = lastDay;
        if (last.epochDay() == epochDay) return last.name();
        String name = DAY.format(time);
        lastDay = new Day(epochDay, name);
        return name;
    }

    /** Document id that makes a retried batch idempotent under {@code create}. */
    public static String documentId(String agentId, long sequence) {
        return agentId + ":" + sequence;
    }

    private IndexNames() {
    }
}
