package org.fleetrec.detection.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.model.EventCodec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which outputs alerts go to, each with the lowest level it gets, and where undeliverable ones are kept.
 * Read from environment variables, or from one JSON file that says the same with the same names:
 *
 * <pre>{@code
 * {"dead_letter_file": "/var/lib/fleetrec/alerts-deadletter.ndjson",
 *  "webhook": {"url": "https://soar.example/hook", "min_level": "high", "token": "...", "ca": "/etc/ca.pem"},
 *  "syslog":  {"url": "tls://siem.example:6514", "min_level": "medium", "facility": "local4"}}
 * }</pre>
 *
 * {@code "webhook": {"min_level": ...}} is {@code FLEETREC_ALERT_WEBHOOK_MIN_LEVEL}, and so on for every
 * key: one parser reads both, so the two forms cannot drift.
 *
 * @param webhook            the webhook output, or null
 * @param syslog             the syslog output, or null
 * @param deadLetterFile     NDJSON file for alerts no output could deliver, or null
 * @param deadLetterMaxBytes the most that file may grow to
 */
public record ForwardingConfig(WebhookConfig webhook, SyslogConfig syslog, Path deadLetterFile, long deadLetterMaxBytes) {
    public static final String FILE_VARIABLE = "FLEETREC_ALERT_FORWARDING_FILE";
    private static final int MAX_FILE_BYTES = 1 << 20;
    private static final Map<String, List<String>> KEYS = Map.of(
            "webhook", List.of("url", "min_level", "token", "header", "ca", "pin", "timeout_seconds", "queue", "attempts"),
            "syslog", List.of("url", "min_level", "facility", "hostname", "sd_id", "ca", "pin", "timeout_seconds", "max_bytes",
                    "queue", "attempts"));
    private static final List<String> TOP_KEYS = List.of("dead_letter_file", "dead_letter_max_mb", "webhook", "syslog");

    public static ForwardingConfig none() {
        return new ForwardingConfig(null, null, null, 0);
    }

    /**
     * From {@code FLEETREC_ALERT_WEBHOOK_*}, {@code FLEETREC_ALERT_SYSLOG_*} and {@code FLEETREC_ALERT_DEADLETTER_FILE}
     * / {@code _MAX_MB}; or, when {@code FLEETREC_ALERT_FORWARDING_FILE} names a JSON file, from that file alone.
     */
    public static ForwardingConfig fromEnvironment(Map<String, String> env) throws IOException {
        String file = Settings.text(env, FILE_VARIABLE);
        if (file == null) return parse(env);
        for (String name : env.keySet()) {
            if (name.startsWith(WebhookConfig.PREFIX + "_") || name.startsWith(SyslogConfig.PREFIX + "_")
                    || name.startsWith("FLEETREC_ALERT_DEADLETTER_")) {
                throw new IllegalArgumentException("set either " + FILE_VARIABLE + " or " + name + ", not both");
            }
        }
        Path path = Path.of(file);
        if (Files.size(path) > MAX_FILE_BYTES) throw new IllegalArgumentException(path + " is larger than a forwarding configuration can be");
        return fromJson(Files.readString(path));
    }

    /** From the JSON form; unknown keys are an error, so a misspelt setting is never silently ignored. */
    public static ForwardingConfig fromJson(String json) {
        JsonNode root;
        try {
            root = EventCodec.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the alert forwarding configuration is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("the alert forwarding configuration is one JSON object");
        Map<String, String> env = new HashMap<>();
        root.properties().forEach(top -> {
            String key = top.getKey();
            if (!TOP_KEYS.contains(key)) throw new IllegalArgumentException("unknown alert forwarding setting: " + key + " (known: " + TOP_KEYS + ")");
            if (KEYS.containsKey(key)) {
                if (!top.getValue().isObject()) throw new IllegalArgumentException(key + " is an object of settings");
                top.getValue().properties().forEach(setting -> {
                    if (!KEYS.get(key).contains(setting.getKey())) {
                        throw new IllegalArgumentException("unknown " + key + " setting: " + setting.getKey() + " (known: " + KEYS.get(key) + ")");
                    }
                    env.put("FLEETREC_ALERT_" + key.toUpperCase(Locale.ROOT) + "_" + setting.getKey().toUpperCase(Locale.ROOT),
                            scalar(key + "." + setting.getKey(), setting.getValue()));
                });
            } else {
                env.put("FLEETREC_ALERT_" + key.toUpperCase(Locale.ROOT).replace("DEAD_LETTER", "DEADLETTER"), scalar(key, top.getValue()));
            }
        });
        return parse(env);
    }

    private static String scalar(String name, JsonNode value) {
        if (!value.isValueNode() || value.isNull()) throw new IllegalArgumentException(name + " is a string or a number");
        return value.asText();
    }

    private static ForwardingConfig parse(Map<String, String> env) {
        String file = Settings.text(env, "FLEETREC_ALERT_DEADLETTER_FILE");
        return new ForwardingConfig(WebhookConfig.fromEnvironment(env), SyslogConfig.fromEnvironment(env),
                file == null ? null : Path.of(file),
                Settings.number(env, "FLEETREC_ALERT_DEADLETTER_MAX_MB", 256, 1, 1 << 20) << 20);
    }
}
