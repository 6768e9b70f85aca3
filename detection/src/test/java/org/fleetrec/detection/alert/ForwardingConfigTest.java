package org.fleetrec.detection.alert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ForwardingConfigTest {
    @Test
    void outputsAndTheirLevelsComeFromTheEnvironment() throws Exception {
        ForwardingConfig config = ForwardingConfig.fromEnvironment(Map.of(
                "FLEETREC_ALERT_WEBHOOK_URL", "https://soar.example:8443/hook", "FLEETREC_ALERT_WEBHOOK_MIN_LEVEL", "high",
                "FLEETREC_ALERT_WEBHOOK_TOKEN", "tok", "FLEETREC_ALERT_WEBHOOK_HEADER", "X-Api-Key: k v",
                "FLEETREC_ALERT_WEBHOOK_QUEUE", "50", "FLEETREC_ALERT_WEBHOOK_ATTEMPTS", "2",
                "FLEETREC_ALERT_SYSLOG_URL", "tls://[::1]", "FLEETREC_ALERT_SYSLOG_FACILITY", "authpriv",
                "FLEETREC_ALERT_SYSLOG_MIN_LEVEL", "low", "FLEETREC_ALERT_DEADLETTER_FILE", "/var/lib/fleetrec/dead.ndjson"));
        WebhookConfig webhook = config.webhook();
        assertEquals(URI.create("https://soar.example:8443/hook"), webhook.url());
        assertEquals(Level.HIGH, webhook.minimum());
        assertEquals("tok", webhook.bearerToken());
        assertEquals("X-Api-Key", webhook.headerName());
        assertEquals("k v", webhook.headerValue());
        assertEquals(50, webhook.delivery().queue());
        assertEquals(2, webhook.delivery().attempts());
        assertEquals(Duration.ofSeconds(10), webhook.timeout());
        SyslogConfig syslog = config.syslog();
        assertEquals(SyslogConfig.Transport.TLS, syslog.transport());
        assertEquals("::1", syslog.host());
        assertEquals(6514, syslog.port());
        assertEquals(10, syslog.facility());
        assertEquals(Level.LOW, syslog.minimum());
        assertEquals(8192, syslog.maxBytes());
        assertEquals(SyslogConfig.DEFAULT_SD_ID, syslog.sdId());
        assertEquals(Path.of("/var/lib/fleetrec/dead.ndjson"), config.deadLetterFile());

        ForwardingConfig none = ForwardingConfig.fromEnvironment(Map.of());
        assertNull(none.webhook());
        assertNull(none.syslog());
        SyslogConfig udp = ForwardingConfig.fromEnvironment(Map.of("FLEETREC_ALERT_SYSLOG_URL", "udp://siem")).syslog();
        assertEquals(514, udp.port());
        assertEquals(2048, udp.maxBytes());
        assertEquals(16, udp.facility(), "local0 unless told");
        assertEquals(Level.MEDIUM, udp.minimum(), "medium unless told");
    }

    @Test
    void theJsonFileSaysTheSameWithTheSameNames(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("forwarding.json");
        Files.writeString(file, """
                {"dead_letter_file": "/tmp/dead.ndjson", "dead_letter_max_mb": 4,
                 "webhook": {"url": "http://127.0.0.1:9000/hook", "min_level": "critical", "attempts": 3, "timeout_seconds": 2},
                 "syslog": {"url": "tcp://siem.example:1514", "min_level": "informational", "facility": 23, "sd_id": "alerts@99999"}}""");
        ForwardingConfig config = ForwardingConfig.fromEnvironment(Map.of(ForwardingConfig.FILE_VARIABLE, file.toString()));
        assertEquals(Level.CRITICAL, config.webhook().minimum());
        assertEquals(3, config.webhook().delivery().attempts());
        assertEquals(Duration.ofSeconds(2), config.webhook().timeout());
        assertEquals(SyslogConfig.Transport.TCP, config.syslog().transport());
        assertEquals(1514, config.syslog().port());
        assertEquals(23, config.syslog().facility());
        assertEquals("alerts@99999", config.syslog().sdId());
        assertEquals(Level.INFORMATIONAL, config.syslog().minimum());
        assertEquals(Path.of("/tmp/dead.ndjson"), config.deadLetterFile());
        assertEquals(4L << 20, config.deadLetterMaxBytes());

        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> ForwardingConfig.fromEnvironment(
                Map.of(ForwardingConfig.FILE_VARIABLE, file.toString(), "FLEETREC_ALERT_WEBHOOK_URL", "http://x/")));
        assertTrue(both.getMessage().contains("not both"));
    }

    @Test
    void mistakesAreClearErrors() {
        List<String[]> bad = List.of(
                new String[]{"{\"webhook\": {\"url\": \"http://x/\", \"min_levle\": \"high\"}}", "min_levle"},
                new String[]{"{\"syslg\": {}}", "syslg"},
                new String[]{"{\"webhook\": {\"url\": \"ftp://x/\"}}", "http:// or https://"},
                new String[]{"{\"webhook\": {\"url\": \"http://x/\", \"min_level\": \"urgent\"}}", "not a Sigma level"},
                new String[]{"{\"webhook\": {\"url\": \"http://x/\", \"header\": \"no colon\"}}", "Name: value"},
                new String[]{"{\"webhook\": {\"url\": \"http://x/\", \"header\": \"Host: evil\"}}", "HEADER"},
                new String[]{"{\"webhook\": {\"url\": \"http://x/\", \"token\": \"a b\"}}", "TOKEN"},
                new String[]{"{\"webhook\": {\"url\": \"http://x/\", \"queue\": \"many\"}}", "FLEETREC_ALERT_WEBHOOK_QUEUE"},
                new String[]{"{\"webhook\": {\"url\": \"http://x/\", \"queue\": {\"n\": 1}}}", "webhook.queue"},
                new String[]{"{\"syslog\": {\"url\": \"http://siem/\"}}", "udp://, tcp:// or tls://"},
                new String[]{"{\"syslog\": {\"url\": \"udp://siem\", \"facility\": \"mars\"}}", "FACILITY"},
                new String[]{"{\"syslog\": {\"url\": \"udp://siem\", \"sd_id\": \"no-enterprise-number\"}}", "SD_ID"},
                new String[]{"{\"syslog\": {\"url\": \"udp://siem\", \"max_bytes\": 100}}", "MAX_BYTES"},
                new String[]{"[1, 2]", "one JSON object"},
                new String[]{"{not json", "not valid JSON"});
        List<String> wrong = new ArrayList<>();
        for (String[] c : bad) {
            try {
                ForwardingConfig.fromJson(c[0]);
                wrong.add(c[0] + " was accepted");
            } catch (IllegalArgumentException e) {
                if (!e.getMessage().contains(c[1])) wrong.add(c[0] + ": " + e.getMessage());
            }
        }
        assertEquals(List.of(), wrong);
    }
}
