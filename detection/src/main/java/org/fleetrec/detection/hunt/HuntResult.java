package org.fleetrec.detection.hunt;

import org.fleetrec.detection.alert.Alert;

import java.time.Instant;
import java.util.List;

/**
 * What a retro-hunt found: the alerts live detection would have raised over the range, made by the
 * same grouping (never written to {@code fleet-alerts}), newest first.
 *
 * @param exact        the rule's query finds precisely the rule's events (else its hits are a wider set, re-checked)
 * @param complete     the query finds at least every event the rule matches; false: some may be missed (see notes)
 * @param notes        where and why the query is not exact
 * @param queryHits    events in the range the rule's query found
 * @param scanned      of those, how many were read and re-checked with the rule
 * @param confirmed    of those, how many the rule itself matched
 * @param alerts       the alerts, newest first
 * @param truncated    why the hunt stopped before reading every hit; null when it read them all
 * @param scannedUntil {@code @timestamp} of the last event read when truncated (null otherwise): the rest of the range starts after it
 * @param tookMillis   how long the hunt took
 */
public record HuntResult(boolean exact, boolean complete, List<String> notes, long queryHits, long scanned, long confirmed,
                         List<Alert> alerts, Truncation truncated, Instant scannedUntil, long tookMillis) {

    public HuntResult {
        notes = List.copyOf(notes);
        alerts = List.copyOf(alerts);
    }

    /** Which bound stopped a hunt. */
    public enum Truncation {
        MAX_EVENTS("the most events a hunt reads"),
        MAX_RESULTS("the most results a hunt makes"),
        MAX_TIME("the time a hunt may take");

        private final String description;

        Truncation(String description) {
            this.description = description;
        }

        /** {@code max_events}, {@code max_results}, {@code max_time}. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public String description() {
            return description;
        }
    }
}
