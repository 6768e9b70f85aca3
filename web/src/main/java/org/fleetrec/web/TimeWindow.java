package org.fleetrec.web;

import io.javalin.http.BadRequestResponse;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code from}/{@code to} window resolved to instants, so a timeline can be cut into buckets
 * that fit a page: about {@value #MAX_BUCKETS} at most. Accepts ISO-8601 times, dates (UTC
 * midnight), {@code now} and {@code now-<n><s|m|h|d|w>}.
 */
record TimeWindow(Instant from, Instant to) {
    static final int MAX_BUCKETS = 120;
    private static final Pattern RELATIVE = Pattern.compile("now(?:-(\\d{1,6})([smhdw]))?");
    private static final List<String> INTERVALS = List.of("1m", "5m", "10m", "30m", "1h", "3h", "6h", "12h", "1d", "7d", "30d");

    static TimeWindow parse(String from, String to, Duration defaultSpan) {
        Instant now = Instant.now();
        Instant end = to == null || to.isBlank() ? now : instant(to.trim(), now, "to");
        Instant start = from == null || from.isBlank() ? end.minus(defaultSpan) : instant(from.trim(), now, "from");
        if (!start.isBefore(end)) throw new BadRequestResponse("from must be before to");
        return new TimeWindow(start, end);
    }

    /** The shortest of the usual intervals that cuts the window into at most {@value #MAX_BUCKETS} buckets. */
    String interval() {
        Duration span = Duration.between(from, to);
        for (String interval : INTERVALS) {
            if (span.dividedBy(duration(interval)) <= MAX_BUCKETS) return interval;
        }
        return INTERVALS.get(INTERVALS.size() - 1);
    }

    static Duration duration(String interval) {
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

    private static Instant instant(String text, Instant now, String name) {
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
                throw new BadRequestResponse(name + " must be an ISO-8601 time, a date, now or now-<n><s|m|h|d|w>");
            }
        }
    }
}
