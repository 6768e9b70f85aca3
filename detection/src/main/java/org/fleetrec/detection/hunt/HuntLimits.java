package org.fleetrec.detection.hunt;

import java.time.Duration;

/**
 * How much one hunt may do: events read and re-checked, alerts it makes, and time. A hunt that
 * reaches one stops there and says which (the oldest part of the range is read first).
 *
 * @param maxEvents  hits of the rule's query read, at most {@link #CAP_EVENTS}
 * @param maxResults alert-shaped results made, at most {@link #CAP_RESULTS}
 * @param maxTime    wall-clock time, checked between pages, at most {@link #CAP_TIME}
 */
public record HuntLimits(int maxEvents, int maxResults, Duration maxTime) {
    public static final int CAP_EVENTS = 1_000_000;
    public static final int CAP_RESULTS = 10_000;
    public static final Duration CAP_TIME = Duration.ofMinutes(5);

    public HuntLimits {
        if (maxEvents < 1 || maxEvents > CAP_EVENTS) throw new IllegalArgumentException("max events is 1 to " + CAP_EVENTS);
        if (maxResults < 1 || maxResults > CAP_RESULTS) throw new IllegalArgumentException("max results is 1 to " + CAP_RESULTS);
        if (maxTime.isNegative() || maxTime.isZero() || maxTime.compareTo(CAP_TIME) > 0) {
            throw new IllegalArgumentException("max time is above 0 and at most " + CAP_TIME.toSeconds() + " s");
        }
    }

    /** 100,000 events, 1,000 results, 60 seconds. */
    public static HuntLimits defaults() {
        return new HuntLimits(100_000, 1_000, Duration.ofSeconds(60));
    }
}
