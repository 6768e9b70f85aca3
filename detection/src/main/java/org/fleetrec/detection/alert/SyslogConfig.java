package org.fleetrec.detection.alert;

import org.fleetrec.model.ServerTrust;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how alerts go out as RFC 5424 syslog.
 *
 * @param transport UDP (RFC 5426, a datagram each), TCP (RFC 6587 octet counting) or TLS (RFC 5425)
 * @param host      receiver host
 * @param port      receiver port
 * @param minimum   lowest level sent
 * @param facility  RFC 5424 facility 0-23 (the PRI is facility × 8 + the level's severity)
 * @param hostname  HOSTNAME field: this server, the machine that sends the message
 * @param sdId      SD-ID of the structured data, {@code name@<private enterprise number>}
 * @param trust     whom TLS trusts
 * @param timeout   connect, handshake and write timeout
 * @param maxBytes  longest message; long values are cut shorter until it fits (UDP: 2048, RFC 5426's safe size)
 * @param delivery  queue, attempts and backoff
 */
public record SyslogConfig(Transport transport, String host, int port, Level minimum, int facility, String hostname,
                           String sdId, ServerTrust trust, Duration timeout, int maxBytes, DeliveryLimits delivery) {
    public static final String PREFIX = "FLEETREC_ALERT_SYSLOG";
    /**
     * The SD-ID used unless configured: 32473 is the enterprise number RFC 5612 sets aside for
     * examples and documentation. A site with its own IANA number should use it instead.
     */
    public static final String DEFAULT_SD_ID = "fleetrec@32473";

    public enum Transport {
        UDP(514, 2048), TCP(601, 8192), TLS(6514, 8192);

        final int defaultPort;
        final int defaultMaxBytes;

        Transport(int defaultPort, int defaultMaxBytes) {
            this.defaultPort = defaultPort;
            this.defaultMaxBytes = defaultMaxBytes;
        }
    }

    private static final List<String> FACILITIES = List.of("kern", "user", "mail", "daemon", "auth", "syslog", "lpr",
            "news", "uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "clock",
            "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7");

    public SyslogConfig {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(minimum, "minimum");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(delivery, "delivery");
        if (host == null || host.isBlank()) throw new IllegalArgumentException(PREFIX + "_URL needs a host");
        if (port < 1 || port > 65_535) throw new IllegalArgumentException(PREFIX + "_URL has no valid port: " + port);
        if (facility < 0 || facility > 23) throw new IllegalArgumentException(PREFIX + "_FACILITY is 0 to 23, not " + facility);
        if (trust == null) trust = ServerTrust.system();
        if (hostname == null || hostname.isBlank()) hostname = localHostName();
        if (sdId == null || sdId.isBlank()) sdId = DEFAULT_SD_ID;
        if (!sdId.matches("[\\x21-\\x7e&&[^=\\]\" @]]{1,32}@\\d+(\\.\\d+)*") || sdId.length() > 32) {
            throw new IllegalArgumentException(PREFIX + "_SD_ID must read name@<enterprise number>, at most 32 characters, not " + sdId);
        }
        if (maxBytes < 1024) throw new IllegalArgumentException(PREFIX + "_MAX_BYTES is 1024 at least");
    }

    /** From the {@code FLEETREC_ALERT_SYSLOG_*} variables; null when {@code FLEETREC_ALERT_SYSLOG_URL} is unset. */
    public static SyslogConfig fromEnvironment(Map<String, String> env) {
        String url = Settings.text(env, PREFIX + "_URL");
        if (url == null) return null;
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PREFIX + "_URL is not a URL like udp://host:514, tcp://host:601 or tls://host:6514");
        }
        Transport transport;
        try {
            transport = Transport.valueOf(String.valueOf(uri.getScheme()).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PREFIX + "_URL must start with udp://, tcp:// or tls://");
        }
        String host = uri.getHost();
        if (host != null && host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        String level = Settings.text(env, PREFIX + "_MIN_LEVEL");
        String facility = Settings.text(env, PREFIX + "_FACILITY");
        return new SyslogConfig(transport, host, uri.getPort() < 0 ? transport.defaultPort : uri.getPort(),
                level == null ? Level.MEDIUM : Level.parse(level),
                facility == null ? FACILITIES.indexOf("local0") : facility(facility),
                Settings.text(env, PREFIX + "_HOSTNAME"), Settings.text(env, PREFIX + "_SD_ID"),
                ServerTrust.fromEnvironment(env, PREFIX),
                Duration.ofSeconds(Settings.number(env, PREFIX + "_TIMEOUT_SECONDS", 10, 1, 600)),
                (int) Settings.number(env, PREFIX + "_MAX_BYTES", transport.defaultMaxBytes, 1024, 65_000),
                DeliveryLimits.fromEnvironment(env, PREFIX));
    }

    /** A facility by name ({@code auth}, {@code local0}, ...) or number 0-23. */
    public static int facility(String text) {
        String name = text.strip().toLowerCase(Locale.ROOT);
        int index = FACILITIES.indexOf(name);
        if (index >= 0) return index;
        if (name.matches("\\d{1,2}") && Integer.parseInt(name) <= 23) return Integer.parseInt(name);
        throw new IllegalArgumentException(PREFIX + "_FACILITY is a facility name (" + String.join(", ", FACILITIES)
                + ") or 0 to 23, not " + text);
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "-";
        }
    }
}
