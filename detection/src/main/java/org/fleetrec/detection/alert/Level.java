package org.fleetrec.detection.alert;

import java.util.Locale;

/**
 * A Sigma rule's level. Alerts carry it as the rule said it; the numbers beside it are what ECS
 * ({@code event.severity}, on the 0-100 scale Kibana colours) and syslog (RFC 5424 severity) expect,
 * so every output ranks an alert the same way.
 */
public enum Level {
    INFORMATIONAL(1, 6),
    LOW(21, 5),
    MEDIUM(47, 4),
    HIGH(73, 3),
    CRITICAL(99, 2);

    private final int severity;
    private final int syslogSeverity;

    Level(int severity, int syslogSeverity) {
        this.severity = severity;
        this.syslogSeverity = syslogSeverity;
    }

    /** The Sigma spelling: {@code informational}, {@code low}, ... */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code event.severity}: 21/47/73/99 as Elastic Security ranks low to critical, 1 for informational. */
    public int severity() {
        return severity;
    }

    /** RFC 5424 severity: critical → 2 (Critical), high → 3 (Error), medium → 4 (Warning), low → 5 (Notice), informational → 6. */
    public int syslogSeverity() {
        return syslogSeverity;
    }

    public boolean atLeast(Level minimum) {
        return compareTo(minimum) >= 0;
    }

    /** Parses a Sigma level, any case; the message names the accepted ones. */
    public static Level parse(String text) {
        if (text != null) {
            String wanted = text.strip().toUpperCase(Locale.ROOT);
            for (Level level : values()) {
                if (level.name().equals(wanted)) return level;
            }
        }
        throw new IllegalArgumentException("not a Sigma level: " + text
                + " (one of informational, low, medium, high, critical)");
    }
}
