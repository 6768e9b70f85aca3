package org.fleetrec.detection.alert;

import org.fleetrec.model.ServerTrust;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how alerts are POSTed as JSON. Secrets (the bearer token, the header value, and the URL,
 * which for many chat hooks is itself the secret) never appear in {@link #toString()}.
 *
 * @param url         http or https URL the alert document is POSTed to
 * @param minimum     lowest level sent
 * @param bearerToken sent as {@code Authorization: Bearer ...}, or null
 * @param headerName  a header of the receiver's own ({@code X-Api-Key}), or null
 * @param headerValue its value
 * @param trust       whom https trusts: the JDK's CAs, a CA file, a pinned certificate
 * @param timeout     connect timeout, and the time an answer may take
 * @param delivery    queue, attempts and backoff
 */
public record WebhookConfig(URI url, Level minimum, String bearerToken, String headerName, String headerValue,
                            ServerTrust trust, Duration timeout, DeliveryLimits delivery) {
    public static final String PREFIX = "FLEETREC_ALERT_WEBHOOK";

    public WebhookConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(minimum, "minimum");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(delivery, "delivery");
        if (trust == null) trust = ServerTrust.system();
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw new IllegalArgumentException(PREFIX + "_URL must be an http:// or https:// URL with a host");
        }
        if (bearerToken != null && (bearerToken.isBlank() || !bearerToken.matches("[\\x21-\\x7e]+"))) {
            throw new IllegalArgumentException(PREFIX + "_TOKEN must be printable ASCII without spaces");
        }
        if ((headerName == null) != (headerValue == null)) {
            throw new IllegalArgumentException(PREFIX + "_HEADER needs a name and a value: \"Name: value\"");
        }
        if (headerName != null) {
            try {
                // The HTTP client's own rules: a token name, no line breaks, none of the headers it sets itself.
                HttpRequest.newBuilder(url).header(headerName, headerValue);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(PREFIX + "_HEADER is not a header the client can send: " + e.getMessage());
            }
        }
    }

    /** From the {@code FLEETREC_ALERT_WEBHOOK_*} variables; null when {@code FLEETREC_ALERT_WEBHOOK_URL} is unset. */
    public static WebhookConfig fromEnvironment(Map<String, String> env) {
        String url = Settings.text(env, PREFIX + "_URL");
        if (url == null) return null;
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PREFIX + "_URL is not a URL");
        }
        String header = Settings.text(env, PREFIX + "_HEADER");
        String headerName = null;
        String headerValue = null;
        if (header != null) {
            int colon = header.indexOf(':');
            if (colon <= 0) throw new IllegalArgumentException(PREFIX + "_HEADER must read \"Name: value\"");
            headerName = header.substring(0, colon).strip();
            headerValue = header.substring(colon + 1).strip();
        }
        String level = Settings.text(env, PREFIX + "_MIN_LEVEL");
        return new WebhookConfig(uri, level == null ? Level.MEDIUM : Level.parse(level), Settings.text(env, PREFIX + "_TOKEN"),
                headerName, headerValue, ServerTrust.fromEnvironment(env, PREFIX),
                Duration.ofSeconds(Settings.number(env, PREFIX + "_TIMEOUT_SECONDS", 10, 1, 600)),
                DeliveryLimits.fromEnvironment(env, PREFIX));
    }

    @Override
    public String toString() {
        return "WebhookConfig[url=" + url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + "/..., minimum=" + minimum.id() + ", bearerToken=" + (bearerToken == null ? "none" : "(set)")
                + ", header=" + (headerName == null ? "none" : headerName + ": (set)") + ", trust=" + trust
                + ", timeout=" + timeout + ", delivery=" + delivery + "]";
    }
}
