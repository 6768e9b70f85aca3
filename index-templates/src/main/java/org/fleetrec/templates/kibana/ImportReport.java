package org.fleetrec.templates.kibana;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Kibana's answer to {@code POST /api/saved_objects/_import}: how many objects it stored, and per
 * object what went wrong. Kibana answers 200 even when some objects failed; {@code success} is
 * false then.
 */
public record ImportReport(boolean success, int successCount, List<Failure> failures, List<String> newIds,
                           List<String> warnings) {

    /** One object Kibana did not import, with the reason it gave. */
    public record Failure(String type, String id, String title, String reason) {
    }

    /**
     * @throws IllegalArgumentException when the answer is not shaped like an import result
     */
    public static ImportReport parse(JsonNode answer) {
        if (!answer.isObject() || !answer.path("success").isBoolean() || !answer.path("successCount").canConvertToInt()) {
            throw new IllegalArgumentException("not an import result (no \"success\" and \"successCount\")");
        }
        List<Failure> failures = new ArrayList<>();
        for (JsonNode error : answer.path("errors")) {
            String title = error.path("meta").path("title").asText(error.path("title").asText(""));
            failures.add(new Failure(error.path("type").asText("?"), error.path("id").asText("?"), title,
                    reason(error.path("error"))));
        }
        // Kibana gives an object a new id when the one in the file is taken in another space.
        List<String> newIds = new ArrayList<>();
        for (JsonNode result : answer.path("successResults")) {
            if (result.hasNonNull("destinationId") && !result.get("destinationId").asText().equals(result.path("id").asText())) {
                newIds.add(result.path("type").asText("?") + " " + result.path("id").asText("?") + " as "
                        + result.get("destinationId").asText());
            }
        }
        List<String> warnings = new ArrayList<>();
        for (JsonNode warning : answer.path("warnings")) warnings.add(warning.path("message").asText(warning.toString()));
        return new ImportReport(answer.get("success").asBoolean(), answer.get("successCount").asInt(), List.copyOf(failures),
                List.copyOf(newIds), List.copyOf(warnings));
    }

    /** Kibana's error kinds: conflict, ambiguous_conflict, missing_references, unsupported_type, unknown. */
    private static String reason(JsonNode error) {
        String type = error.path("type").asText("unknown");
        return switch (type) {
            case "missing_references" -> {
                List<String> missing = new ArrayList<>();
                error.path("references").forEach(r -> missing.add(r.path("type").asText("?") + " " + r.path("id").asText("?")));
                yield "missing references: " + String.join(", ", missing);
            }
            case "conflict" -> "conflicts with an existing object" + (error.hasNonNull("destinationId")
                    ? " (" + error.get("destinationId").asText() + ")" : "");
            case "ambiguous_conflict" -> "conflicts with several existing objects";
            case "unsupported_type" -> "this Kibana does not know the type";
            default -> type + (error.hasNonNull("message") ? ": " + error.get("message").asText() : "")
                    + (error.hasNonNull("statusCode") ? " (" + error.get("statusCode").asText() + ")" : "");
        };
    }
}
