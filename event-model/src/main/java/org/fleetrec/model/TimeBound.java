package org.fleetrec.model;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bound of a time range as people write it, the same in the web app and on the command line:
 * an ISO-8601 time, a date (UTC midnight), {@code now} or {@code now-<n><s|m|h|d|w>}.
 */
public final class TimeBound {
    public static final String FORMS = "an ISO-8601 time, a date, now or now-<n><s|m|h|d|w>";
    private static final Pattern RELATIVE = Pattern.compile("now(?:-(\\d{1,6})([smhdw]))?");

    private TimeBound() {
    }

    /** The instant {@code text} names, relative to {@code now}; IllegalArgumentException when it is none of {@link #FORMS}. */
    public static Instant parse(String text, Instant now) {
        Matcher relative = RELATIVE.matcher(text);
        if (relative.matches()) {
            return relative.group(1) == null ? now : now.minus(duration(relative.group(1) + relative.group(2)));
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException notATime) {
            try {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notADate) {
                throw new IllegalArgumentException("must be " + FORMS);
            }
        }
    }

    /** {@code <n><s|m|h|d|w>} as a duration. */
    public static Duration duration(String interval) {
        long n = Long.parseLong(interval.substring(0, interval.length() - 1));
        return switch (interval.charAt(interval.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            case 'w' -> Duration.ofDays(7 * n);
            default -> throw new IllegalArgumentException(interval);
        };
    }
}
