package org.fleetrec.agent.ship;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.agent.host.HostIdentity;
import org.fleetrec.model.EventCodec;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/**
 * The agent's credentials: enrolled once with the fleet secret, then kept in a 0600 file.
 * The token is what the ingest server trusts for this host's identity.
 */
public final class Enrollment {
    /** The server answered and said no (wrong secret, bad host data): retrying will not help. */
    public static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    /** What the server issued to this agent. */
    public record Credentials(String token, String agentId) {
    }

    private Enrollment() {
    }

    /** Tries each ingest server in turn; a refusal (4xx) from any of them is final. */
    public static Credentials loadOrEnroll(Path stateDir, java.util.List<URI> ingests, String secret, HostIdentity host,
                                           HttpClient http) throws IOException, InterruptedException {
        IOException last = new IOException("no ingest server configured");
        for (URI ingest : ingests) {
            try {
                return loadOrEnroll(stateDir, ingest, secret, host, http);
            } catch (Refused e) {
                throw e;
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    /**
     * Exchanges the fleet secret for a token for the host {@code description} describes
     * ({@code id}, {@code name}, {@code os}, ...). {@code purpose} is {@code live} for an agent
     * recording its own host, {@code import} for evidence brought from another machine.
     */
    public static Credentials enroll(URI ingest, String secret, ObjectNode description, String purpose, HttpClient http)
            throws IOException, InterruptedException {
        ObjectNode body = EventCodec.mapper().createObjectNode().put("secret", secret).put("purpose", purpose);
        body.set("host", description);
        HttpRequest request = HttpRequest.newBuilder(ingest.resolve("/api/v1/enroll"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 400 && response.statusCode() < 500) {
            throw new Refused("enrollment refused (" + response.statusCode() + "): " + response.body());
        }
        if (response.statusCode() != 200) {
            throw new IOException("enrollment failed (" + response.statusCode() + "): " + response.body());
        }
        JsonNode answer = EventCodec.mapper().readTree(response.body());
        return new Credentials(answer.path("token").asText(), answer.path("agent_id").asText());
    }

    static Credentials loadOrEnroll(Path stateDir, URI ingest, String secret, HostIdentity host,
                                    HttpClient http) throws IOException, InterruptedException {
        Path file = stateDir.resolve("agent-token.json");
        if (Files.exists(file)) {
            JsonNode saved = EventCodec.mapper().readTree(file.toFile());
            return new Credentials(saved.path("token").asText(), saved.path("agent_id").asText());
        }
        if (secret == null || secret.isBlank()) {
            throw new IOException("not enrolled yet and no enrollment secret given (FLEETREC_ENROLLMENT_SECRET)");
        }
        ObjectNode description = EventCodec.mapper().createObjectNode();
        description.put("id", host.id()).put("name", host.name())
                .put("architecture", host.architecture())
                .putObject("os").put("name", host.osName()).put("kernel", host.kernel()).put("type", "linux");
        Credentials credentials = enroll(ingest, secret, description, "live", http);
        Path temp = stateDir.resolve("agent-token.json.tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temp, EventCodec.mapper().createObjectNode()
                .put("token", credentials.token()).put("agent_id", credentials.agentId()).toString());
        Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return credentials;
    }
}
