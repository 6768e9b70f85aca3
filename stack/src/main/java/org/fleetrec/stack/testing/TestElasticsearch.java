package org.fleetrec.stack.testing;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * The Elasticsearch an integration test talks to (injected by {@link ElasticsearchExtension}).
 *
 * @param url base URL without credentials and without trailing slash, e.g. {@code http://127.0.0.1:9200}
 * @param username basic-auth user, or null
 * @param password basic-auth password, or null
 */
public record TestElasticsearch(URI url, String username, String password) {

    public TestElasticsearch {
        if (url == null) {
            throw new IllegalArgumentException("url is required");
        }
        String s = url.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        url = URI.create(s);
    }

    /** True when requests carry basic auth. */
    public boolean hasCredentials() {
        return username != null && !username.isEmpty();
    }

    /** {@code url} + {@code path} ({@code path} may or may not start with a slash and may carry a query). */
    public URI uri(String path) {
        String p = path == null ? "" : path;
        return URI.create(url + (p.isEmpty() || p.startsWith("/") ? p : "/" + p));
    }

    /**
     * A request builder for {@code path} with a 60 s timeout, {@code Content-Type: application/json} and basic auth
     * when credentials are present; choose the method yourself, e.g. {@code es.request("/fleet-x/_doc/1").GET()
     * .build()}. To send another content type use {@code setHeader("Content-Type", ...)} (not {@code header}, which
     * would add a second value); {@code _bulk} accepts {@code application/json} as is.
     */
    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        String auth = authorizationHeader();
        if (auth != null) {
            builder.header("Authorization", auth);
        }
        return builder;
    }

    /** {@code Basic ...} header value, or null without credentials. */
    public String authorizationHeader() {
        if (!hasCredentials()) {
            return null;
        }
        String pair = username + ":" + (password == null ? "" : password);
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "TestElasticsearch[" + url + (hasCredentials() ? " as " + username : "") + "]";
    }
}
