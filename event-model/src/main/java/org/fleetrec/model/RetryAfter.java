package org.fleetrec.model;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** An HTTP {@code Retry-After} header, as every sender of the project honours it. */
public final class RetryAfter {
    private RetryAfter() {
    }

    /** Delta-seconds or an HTTP-date (a date already past is zero); null when absent or unreadable. */
    public static Duration parse(String header, Instant now) {
        if (header == null || header.isBlank()) return null;
        String text = header.strip();
        if (text.matches("\\d{1,9}")) return Duration.ofSeconds(Long.parseLong(text));
        try {
            Duration until = Duration.between(now, ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return until.isNegative() ? Duration.ZERO : until;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
