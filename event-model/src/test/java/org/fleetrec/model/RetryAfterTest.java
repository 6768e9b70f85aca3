package org.fleetrec.model;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RetryAfterTest {
    @Test
    void secondsOrAnHttpDateAndNothingElse() {
        Instant now = Instant.parse("2026-03-04T10:00:00Z");
        assertEquals(Duration.ofSeconds(7), RetryAfter.parse(" 7 ", now));
        assertEquals(Duration.ofSeconds(90), RetryAfter.parse("Wed, 04 Mar 2026 10:01:30 GMT", now));
        assertEquals(Duration.ZERO, RetryAfter.parse("Wed, 04 Mar 2026 09:00:00 GMT", now), "a date already past");
        assertNull(RetryAfter.parse("soon", now));
        assertNull(RetryAfter.parse("-5", now));
        assertNull(RetryAfter.parse("99999999999999999999", now), "no overflow");
        assertNull(RetryAfter.parse(null, now));
    }
}
