package org.fleetrec.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.BadRequestResponse;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The sweepable indicators of a STIX 2.1 bundle: the comparisons of {@code indicator} patterns, and
 * observables (addresses, domains, URLs, files) given directly as cyber-observable objects.
 */
final class StixBundle {
    /** Observable types a sweep has no field for: reported, unlike reports, campaigns and other context. */
    private static final Set<String> OTHER_OBSERVABLES = Set.of("artifact", "autonomous-system", "directory", "email-addr",
            "email-message", "mac-addr", "mutex", "network-traffic", "process", "software", "user-account",
            "windows-registry-key", "x509-certificate");

    private StixBundle() {
    }

    static void read(JsonNode root, IndicatorSet into) {
        if (!root.isObject() || !"bundle".equals(root.path("type").asText()) || !root.path("objects").isArray()) {
            throw new BadRequestResponse("expected a STIX 2.1 bundle: {\"type\": \"bundle\", \"objects\": [...]}");
        }
        int index = 0;
        for (JsonNode object : root.path("objects")) {
            String where = object.path("id").isTextual() ? object.path("id").asText() : "objects[" + index + "]";
            index++;
            if (!object.isObject()) {
                into.unsupported(where + ": not a JSON object");
                continue;
            }
            switch (object.path("type").asText()) {
                case "indicator" -> indicator(object, where, into);
                case "ipv4-addr", "ipv6-addr" -> into.add(IndicatorType.IP, text(object, "value"), where, null, where);
                case "domain-name" -> into.add(IndicatorType.DOMAIN, text(object, "value"), where, null, where);
                case "url" -> into.add(IndicatorType.URL, text(object, "value"), where, null, where);
                case "file" -> file(object, where, into);
                default -> {
                    if (OTHER_OBSERVABLES.contains(object.path("type").asText())) {
                        into.unsupported(where + ": " + object.path("type").asText() + " objects are not swept");
                    }
                }
            }
        }
    }

    private static void indicator(JsonNode object, String where, IndicatorSet into) {
        String patternType = object.path("pattern_type").asText("stix");
        if (!patternType.equals("stix")) {
            into.unsupported(where + ": pattern_type " + patternType + " is not read, only stix");
            return;
        }
        if (!object.path("pattern").isTextual()) {
            into.unsupported(where + ": indicator without a pattern");
            return;
        }
        String name = object.path("name").isTextual() ? object.path("name").asText() : null;
        List<StixPattern.Comparison> comparisons;
        try {
            comparisons = StixPattern.parse(object.path("pattern").asText());
        } catch (StixPattern.SyntaxException e) {
            into.unsupported(where + ": pattern not understood: " + e.getMessage());
            return;
        }
        for (StixPattern.Comparison comparison : comparisons) {
            Optional<IndicatorType> type = sweepable(comparison);
            if (type.isEmpty()) {
                into.unsupported(where + ": " + comparison.describe() + " is not swept");
                continue;
            }
            for (StixPattern.Constant value : comparison.values()) into.add(type.get(), value.text(), where, name, where);
        }
    }

    /** Equality (or IN) of plain strings on a property a sweep has fields for; anything else is not swept. */
    static Optional<IndicatorType> sweepable(StixPattern.Comparison comparison) {
        boolean equality = comparison.operator().equals("=") || comparison.operator().equals("IN");
        if (!equality || comparison.negated() || comparison.values().isEmpty()
                || comparison.values().stream().anyMatch(v -> v.kind() != StixPattern.ConstantKind.STRING)) {
            return Optional.empty();
        }
        List<String> path = comparison.path();
        return switch (comparison.objectType()) {
            case "ipv4-addr", "ipv6-addr" -> path.equals(List.of("value")) ? Optional.of(IndicatorType.IP) : Optional.empty();
            case "domain-name" -> path.equals(List.of("value")) ? Optional.of(IndicatorType.DOMAIN) : Optional.empty();
            case "url" -> path.equals(List.of("value")) ? Optional.of(IndicatorType.URL) : Optional.empty();
            case "file" -> {
                if (path.equals(List.of("name"))) yield Optional.of(IndicatorType.FILE_NAME);
                if (path.size() == 2 && path.get(0).equals("hashes")) yield IndicatorType.hash(path.get(1));
                yield Optional.empty();
            }
            default -> Optional.empty();
        };
    }

    private static void file(JsonNode object, String where, IndicatorSet into) {
        boolean any = false;
        if (object.path("hashes").isObject()) {
            for (Map.Entry<String, JsonNode> hash : object.path("hashes").properties()) {
                Optional<IndicatorType> type = IndicatorType.hash(hash.getKey());
                if (type.isEmpty()) {
                    into.unsupported(where + ": hash " + hash.getKey() + " is not swept");
                } else {
                    into.add(type.get(), hash.getValue().asText(), where, null, where);
                }
                any = true;
            }
        }
        if (object.path("name").isTextual()) {
            into.add(IndicatorType.FILE_NAME, object.path("name").asText(), where, null, where);
            any = true;
        }
        if (!any) into.unsupported(where + ": file object without hashes or name");
    }

    private static String text(JsonNode object, String field) {
        return object.path(field).isTextual() ? object.path(field).asText() : null;
    }
}
