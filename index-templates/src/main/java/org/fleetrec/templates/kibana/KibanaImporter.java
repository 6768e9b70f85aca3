package org.fleetrec.templates.kibana;

import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.ServerTrust;
import org.fleetrec.model.TerminalText;

import javax.net.ssl.SSLException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Sends an ndjson export to Kibana's saved objects import API ({@code POST /api/saved_objects/_import?overwrite=true},
 * a multipart form with the file, header {@code kbn-xsrf}), in a space if one is named, and turns
 * every way that can go wrong into a sentence: no connection, refused credentials, not a Kibana.
 */
public final class KibanaImporter {
    /** Kibana answers an import with a short summary; anything much larger is not that. */
    static final int MAX_ANSWER_BYTES = 8 * 1024 * 1024;
    private static final Pattern SPACE_ID = Pattern.compile("[a-z0-9_-]{1,100}");

    /**
     * Where Kibana is and how to sign in: an API key ({@code Authorization: ApiKey}), or a user and
     * password (basic), or neither for a Kibana without security.
     *
     * @param space a space id, or null for the default space
     * @param ca    PEM file of CAs for an https URL, or null for the JDK's
     */
    public record Target(URI url, String apiKey, String user, String password, String space, Path ca, Duration timeout) {
        public Target {
            if (url == null || url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
                throw new IllegalArgumentException("the Kibana URL must be http:// or https:// with a host, not " + url);
            }
            if (url.getRawUserInfo() != null) {
                throw new IllegalArgumentException("give credentials with --user/--password or --api-key, not in the URL");
            }
            if (url.getRawQuery() != null || url.getRawFragment() != null) {
                throw new IllegalArgumentException("the Kibana URL is its base URL, without ?query or #fragment: " + url);
            }
            if (apiKey != null && user != null) throw new IllegalArgumentException("either an API key or a user, not both");
            if (user != null && password == null) throw new IllegalArgumentException("a user needs a password");
            if ("default".equals(space)) space = null;
            if (space != null && !SPACE_ID.matcher(space).matches()) {
                throw new IllegalArgumentException("a Kibana space id is lower-case letters, digits, _ and -: " + space);
            }
            if (timeout == null || timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("a timeout must be positive");
        }

        /** The base URL plus the space prefix, without a trailing slash: what Kibana's paths are appended to. */
        public String spaceUrl() {
            String base = url.toString().replaceAll("/+$", "");
            return space == null ? base : base + "/s/" + space;
        }

        String where() {
            return "Kibana at " + url + (space == null ? "" : " (space " + space + ")");
        }
    }

    /** Kibana could not be asked, or answered with no import result; {@code exitCode} says which. */
    public static final class ImportFailed extends Exception {
        private static final long serialVersionUID = 1L;
        private final int exitCode;

        ImportFailed(String message, int exitCode, Throwable cause) {
            super(message, cause);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    /** Kibana was not reached, or gave no answer in time. */
    public static final int UNREACHABLE = 3;
    /** Kibana answered, but not with an import result. */
    public static final int REFUSED = 1;

    private final Target target;

    public KibanaImporter(Target target) {
        this.target = target;
    }

    /** Imports the file, overwriting objects with the same ids; per-object failures are in the report. */
    public ImportReport importNdjson(byte[] ndjson, String fileName) throws ImportFailed {
        String boundary = "fleetrec-" + UUID.randomUUID().toString().replace("-", "");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.spaceUrl() + "/api/saved_objects/_import?overwrite=true"))
                .timeout(target.timeout())
                .header("kbn-xsrf", "true")
                .header("Accept", "application/json")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(multipart(boundary, fileName, ndjson)));
        if (target.apiKey() != null) request.header("Authorization", "ApiKey " + encodedKey(target.apiKey()));
        if (target.user() != null) {
            String pair = target.user() + ":" + target.password();
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        Answer answer = send(request.build());
        return interpret(answer);
    }

    private record Answer(int status, String contentType, String location, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private Answer send(HttpRequest request) throws ImportFailed {
        String where = target.where();
        try {
            HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(target.timeout().compareTo(Duration.ofSeconds(10)) < 0 ? target.timeout() : Duration.ofSeconds(10))
                    .followRedirects(HttpClient.Redirect.NEVER);
            if (target.ca() != null) new ServerTrust(target.ca(), null).configure(builder);
            HttpResponse<InputStream> response = builder.build().send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                byte[] body = in.readNBytes(MAX_ANSWER_BYTES + 1);
                if (body.length > MAX_ANSWER_BYTES) {
                    throw new ImportFailed(where + " answered HTTP " + response.statusCode() + " with more than "
                            + MAX_ANSWER_BYTES + " bytes: that is not an import result", REFUSED, null);
                }
                return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                        response.headers().firstValue("Location").orElse(""), body);
            }
        } catch (HttpConnectTimeoutException e) {
            // For https the handshake counts too: a plain-HTTP server that never answers a ClientHello ends here.
            throw new ImportFailed("no connection to " + where + " within " + seconds()
                    + ("https".equals(target.url().getScheme()) ? " (TCP connect and TLS handshake)" : "")
                    + ": is it up, and is the address right?", UNREACHABLE, e);
        } catch (HttpTimeoutException e) {
            throw new ImportFailed(where + " did not answer within " + seconds(), UNREACHABLE, e);
        } catch (ConnectException e) {
            throw new ImportFailed("cannot connect to " + where + ": " + connectFailure(e), UNREACHABLE, e);
        } catch (SSLException e) {
            throw new ImportFailed("TLS with " + where + " failed: " + e.getMessage()
                    + (target.ca() == null ? "; for a certificate of your own CA give --ca FILE" : ""), UNREACHABLE, e);
        } catch (IOException e) {
            // A plain-HTTP server answering a ClientHello fails the exchange in ways that depend on timing
            // (an SSLException, or an end of stream before any header): over https, both get the TLS hint.
            boolean tls = "https".equals(target.url().getScheme());
            throw new ImportFailed((tls ? "talking to " + where + " over TLS failed: " : "talking to " + where + " failed: ") + e
                    + (tls && target.ca() == null ? "; if it speaks plain HTTP use http://, for a certificate of your own CA give --ca FILE" : ""),
                    UNREACHABLE, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImportFailed("interrupted while waiting for " + where, UNREACHABLE, e);
        }
    }

    /** The JDK's client says little: a refused connection is a ConnectException without a message. */
    private static String connectFailure(ConnectException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) return "the host name does not resolve";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) return t.getMessage();
        }
        return "connection refused (does Kibana listen at that address and port?)";
    }

    private ImportReport interpret(Answer answer) throws ImportFailed {
        String where = target.where();
        JsonNode json = json(answer);
        String kibanaSays = json != null && json.hasNonNull("message") ? ": " + TerminalText.safe(json.get("message").asText()) : "";
        switch (answer.status()) {
            case 200 -> {
                if (json == null) throw unexpected(answer, "something that is not JSON");
                try {
                    return ImportReport.parse(json);
                } catch (IllegalArgumentException e) {
                    throw unexpected(answer, "JSON that is not an import result");
                }
            }
            case 401 -> throw new ImportFailed(where + " refused the credentials (401)" + kibanaSays + "; "
                    + (target.apiKey() == null && target.user() == null ? "give --api-key or --user and --password"
                    : "check the " + (target.apiKey() != null ? "API key" : "user and password")), REFUSED, null);
            case 403 -> throw new ImportFailed(where + " does not let " + (target.apiKey() != null ? "this API key" : "this user")
                    + " import saved objects (403)" + kibanaSays + "; it needs write access to saved objects"
                    + " (e.g. the Saved Objects Management feature) in the space", REFUSED, null);
            case 404 -> throw new ImportFailed(where + " has no saved objects import API (404)" + kibanaSays + ": "
                    + (target.space() != null ? "does the space " + target.space() + " exist, and is " : "is ")
                    + target.url() + " Kibana's base URL (with its base path, if it has one)?", REFUSED, null);
            case 413 -> throw new ImportFailed(where + " refused the file as too large (413)" + kibanaSays
                    + "; raise savedObjects.maxImportPayloadBytes in kibana.yml", REFUSED, null);
            default -> {
                if (answer.status() >= 300 && answer.status() < 400) {
                    throw new ImportFailed(where + " redirected (" + answer.status() + ") to " + TerminalText.safe(answer.location())
                            + ": give the URL Kibana's API answers at", REFUSED, null);
                }
                if (json != null && json.hasNonNull("message") && json.has("statusCode")) {
                    throw new ImportFailed(where + " refused the import (" + answer.status()
                            + " " + TerminalText.safe(json.path("error").asText("")) + ")" + kibanaSays, REFUSED, null);
                }
                throw unexpected(answer, "an unexpected status");
            }
        }
    }

    private ImportFailed unexpected(Answer answer, String what) {
        return new ImportFailed(target.where() + " answered " + what + " (HTTP " + answer.status()
                + (answer.contentType().isEmpty() ? "" : ", " + TerminalText.safe(answer.contentType())) + "): "
                + snippet(answer.text()) + " — is that Kibana?", REFUSED, null);
    }

    private static JsonNode json(Answer answer) {
        try {
            JsonNode node = EventCodec.mapper().readTree(answer.body());
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String snippet(String text) {
        String flat = text.strip().replaceAll("\\s+", " ");
        if (flat.isEmpty()) return "(empty)";
        return TerminalText.safe(flat.length() > 200 ? flat.substring(0, 200) + "…" : flat);
    }

    private String seconds() {
        return target.timeout().toSeconds() + " s";
    }

    /** Kibana takes the encoded form (base64 of id:key); an {@code id:key} pair is encoded here. */
    static String encodedKey(String apiKey) {
        return apiKey.contains(":") ? Base64.getEncoder().encodeToString(apiKey.getBytes(StandardCharsets.UTF_8)) : apiKey;
    }

    static byte[] multipart(String boundary, String fileName, byte[] content) {
        if (new String(content, StandardCharsets.UTF_8).contains(boundary)) {
            throw new IllegalStateException("the multipart boundary occurs in the file");
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(content.length + 512);
        String head = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"" + fileName + "\"\r\n"
                + "Content-Type: application/ndjson\r\n\r\n";
        body.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }
}
