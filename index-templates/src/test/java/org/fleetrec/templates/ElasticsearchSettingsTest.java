package org.fleetrec.templates;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ElasticsearchSettingsTest {
    @Test
    void credentialsInTheUrlAreTakenOutAndNeverPrinted() {
        ElasticsearchSettings settings = ElasticsearchSettings.of("https://elastic:p%40ss:w@es.example:9243/");
        assertEquals("elastic", settings.username());
        assertEquals("p@ss:w", settings.password());
        assertEquals("https://es.example:9243/", settings.url().toString());
        assertEquals("https://elastic:***@es.example:9243/", settings.redactedUrl());
        assertFalse(settings.toString().contains("p@ss"));
    }

    @Test
    void environmentGivesApiKeyAndCa() {
        ElasticsearchSettings settings = ElasticsearchSettings.fromEnvironment(Map.of(
                "FLEETREC_ES_URL", "https://es.example:9200", "FLEETREC_ES_API_KEY", "abc==",
                "FLEETREC_ES_CA", "/etc/ca.pem", "FLEETREC_ES_USER", " "), null);
        assertEquals("abc==", settings.apiKey());
        assertEquals("/etc/ca.pem", settings.caCertificate().toString());
        assertNull(settings.username(), "a blank value is no value");
        assertFalse(settings.toString().contains("abc=="));
        assertThrows(IllegalArgumentException.class, () -> ElasticsearchSettings.fromEnvironment(Map.of(), null));
    }

    @Test
    void aCommaListNamesEveryNodeOfOneCluster() {
        ElasticsearchSettings settings = ElasticsearchSettings.fromEnvironment(Map.of(
                "FLEETREC_ES_URL", "http://127.0.0.1:9201, http://u:secret@127.0.0.1:9202,"), null);
        assertEquals(java.util.List.of(java.net.URI.create("http://127.0.0.1:9201"), java.net.URI.create("http://127.0.0.1:9202")),
                settings.urls());
        assertEquals("http://127.0.0.1:9201,http://127.0.0.1:9202", settings.redactedUrl());
        assertThrows(IllegalArgumentException.class,
                () -> ElasticsearchSettings.fromEnvironment(Map.of("FLEETREC_ES_URL", " , "), null));
    }
}
