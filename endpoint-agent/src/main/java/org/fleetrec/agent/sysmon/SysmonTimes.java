package org.fleetrec.agent.sysmon;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Optional;

/**
 * The time spellings the Sysmon shapes use: Windows' {@code 2019-03-18T16:57:52.4333673Z}, the
 * evtx renderer's {@code 2019-04-30 20:32:50.902962} (UTC, no zone), Sysmon's own
 * {@code UtcTime} {@code 2020-10-27 20:00:14.320}, and ISO instants with an offset.
 */
public final class SysmonTimes {
    private static final DateTimeFormatter SPACED_UTC = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();

    private SysmonTimes() {
    }

    /** A time that names its zone, or one of the zone-less forms that are UTC by definition. */
    public static Optional<Instant> utc(String text) {
        if (text == null || text.isBlank()) return Optional.empty();
        String t = text.trim();
        try {
            if (t.indexOf('T') > 0) return Optional.of(OffsetDateTime.parse(t).toInstant());
            return Optional.of(LocalDateTime.parse(t, SPACED_UTC).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Only times that carry a zone: NXLog's EventTime is the collector's local time and would shift events. */
    public static Optional<Instant> zoned(String text) {
        if (text == null || text.indexOf('T') < 0) return Optional.empty();
        try {
            return Optional.of(OffsetDateTime.parse(text.trim()).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
