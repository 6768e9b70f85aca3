package org.fleetrec.agent.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * What the running agent did with the user rules last: written by the agent after every sync to
 * {@code <stateDir>/user-rules-status.json}, read by {@code rules list}. One format for both sides.
 *
 * @param appliedAt when the agent last tried to apply user-rules.json
 * @param ok        true if the kernel now holds exactly the user set
 * @param reason    why not (the refused rule and the kernel's errno), null when ok
 */
public record UserRuleStatus(Instant appliedAt, boolean ok, String reason) {
    public static final String FILE_NAME = "user-rules-status.json";

    public static UserRuleStatus of(SyncResult result, Instant now) {
        return new UserRuleStatus(now, result.ok(), result.reason());
    }

    public static UserRuleStatus refused(String reason, Instant now) {
        return new UserRuleStatus(now, false, reason);
    }

    public static Path file(Path stateDir) {
        return stateDir.resolve(FILE_NAME);
    }

    public void write(Path stateDir) throws IOException {
        ObjectNode node = JsonFiles.MAPPER.createObjectNode()
                .put("appliedAt", appliedAt.toString())
                .put("ok", ok);
        if (reason != null) {
            node.put("reason", reason);
        }
        JsonFiles.writeAtomically(file(stateDir), node);
    }

    /** Empty when no agent has written a status yet. */
    public static Optional<UserRuleStatus> read(Path stateDir) throws IOException {
        Path file = file(stateDir);
        JsonNode node = JsonFiles.read(file);
        if (node == null) {
            return Optional.empty();
        }
        try {
            JsonNode reason = node.path("reason");
            return Optional.of(new UserRuleStatus(Instant.parse(node.path("appliedAt").asText()),
                    node.path("ok").asBoolean(false), reason.isTextual() ? reason.asText() : null));
        } catch (DateTimeParseException e) {
            throw new IOException(file + ": appliedAt is not an ISO-8601 instant", e);
        }
    }
}
