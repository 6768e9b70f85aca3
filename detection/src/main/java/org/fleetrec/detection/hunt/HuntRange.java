package org.fleetrec.detection.hunt;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The stretch of history a hunt reads, {@code from} inclusive to {@code to} inclusive, on the
 * events' own {@code @timestamp}. At most {@link #MAX_SPAN}: a hunt reads every matching event of
 * its range, and a range without end would read the whole history.
 */
public record HuntRange(Instant from, Instant to) {
    public static final Duration MAX_SPAN = Duration.ofDays(90);

    public HuntRange {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }

    /** The range, refused when it is empty, backwards or longer than {@link #MAX_SPAN}. */
    public static HuntRange of(Instant from, Instant to) throws HuntRefused {
        if (!from.isBefore(to)) throw new HuntRefused("from must be before to");
        if (Duration.between(from, to).compareTo(MAX_SPAN) > 0) {
            throw new HuntRefused("a hunt covers at most " + MAX_SPAN.toDays() + " days; narrow from and to");
        }
        return new HuntRange(from, to);
    }
}
