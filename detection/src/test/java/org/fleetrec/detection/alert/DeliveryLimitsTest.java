package org.fleetrec.detection.alert;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeliveryLimitsTest {
    private final DeliveryLimits limits = new DeliveryLimits(10, 8, Duration.ofMillis(100), Duration.ofSeconds(2),
            Duration.ofSeconds(30), Duration.ofSeconds(1));

    @Test
    void backoffDoublesWithJitterUpToItsCap() {
        for (int retry = 1; retry <= 8; retry++) {
            long base = Math.min(100L << (retry - 1), 2000);
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                long wait = limits.delay(retry, null).toMillis();
                assertTrue(wait >= base / 2 && wait <= base, "retry " + retry + " waited " + wait);
                seen.add(wait);
            }
            assertTrue(seen.size() > 5, "jittered: " + seen.size() + " distinct waits");
        }
        assertTrue(limits.delay(60, null).toMillis() <= 2000, "no overflow on many retries");
    }

    @Test
    void retryAfterWinsButIsCapped() {
        assertEquals(Duration.ofSeconds(7), limits.delay(1, Duration.ofSeconds(7)));
        assertEquals(Duration.ofSeconds(30), limits.delay(1, Duration.ofHours(1)), "a receiver cannot park an output for an hour");
    }

    @Test
    void nonsenseLimitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> limits.withQueue(0));
        assertThrows(IllegalArgumentException.class, () -> limits.withAttempts(0));
        assertThrows(IllegalArgumentException.class, () -> new DeliveryLimits(1, 1, Duration.ofSeconds(5), Duration.ofSeconds(1),
                Duration.ZERO, Duration.ZERO));
    }
}
