package org.fleetrec.ingest;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Detection is on unless turned off, the catalogue is read again on a bounded period, and a typo is an error. */
class DetectionSettingsTest {
    @Test
    void onByDefaultOffWhenSaid() throws Exception {
        LiveDetection.Settings defaults = LiveDetection.Settings.fromEnvironment(Map.of());
        assertTrue(defaults.on());
        assertEquals(Duration.ofSeconds(15), defaults.refresh());
        assertTrue(defaults.ruleFolders().isEmpty());
        assertFalse(LiveDetection.Settings.fromEnvironment(Map.of("FLEETREC_DETECTION", "off")).on());
        assertEquals(Duration.ofSeconds(2), LiveDetection.Settings.fromEnvironment(Map.of("FLEETREC_RULES_REFRESH_SECONDS", "2")).refresh());
    }

    @Test
    void mistakesAreRefusedAtStart() {
        assertThrows(IllegalArgumentException.class, () -> LiveDetection.Settings.fromEnvironment(Map.of("FLEETREC_DETECTION", "yes")));
        assertThrows(IllegalArgumentException.class, () -> LiveDetection.Settings.fromEnvironment(Map.of("FLEETREC_RULES_REFRESH_SECONDS", "0")));
        assertThrows(IllegalArgumentException.class, () -> LiveDetection.Settings.fromEnvironment(Map.of("FLEETREC_RULES_DIR", "/no/such/folder")));
        assertThrows(IllegalArgumentException.class, () -> IngestConfig.fromEnvironment(Map.of("FLEETREC_DETECTION", "of")));
    }
}
