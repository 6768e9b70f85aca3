package org.fleetrec.web;

import com.fasterxml.jackson.annotation.JsonValue;
import org.fleetrec.model.IpLiteral;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Kinds of indicator a sweep understands, each with the ECS fields it is looked for in. */
enum IndicatorType {
    IP("ip", List.of("source.ip", "destination.ip", "dns.resolved_ip")),
    DOMAIN("domain", List.of("destination.domain", "dns.question.name", "url.domain")),
    URL("url", List.of("url.full", "url.original")),
    MD5("md5", List.of("process.hash.md5", "file.hash.md5", "dll.hash.md5")),
    SHA1("sha1", List.of("process.hash.sha1", "file.hash.sha1", "dll.hash.sha1")),
    SHA256("sha256", List.of("process.hash.sha256", "file.hash.sha256", "dll.hash.sha256")),
    FILE_NAME("file-name", List.of("file.name", "process.name"));

    static final int MAX_TEXT = 8191;

    private final String id;
    private final List<String> fields;

    IndicatorType(String id, List<String> fields) {
        this.id = id;
        this.fields = fields;
    }

    @JsonValue
    String id() {
        return id;
    }

    List<String> fields() {
        return fields;
    }

    /** {@code md5}, {@code sha1} or {@code sha256} from a STIX hash key such as {@code SHA-256}. */
    static Optional<IndicatorType> hash(String algorithmKey) {
        return switch (StixPattern.hashAlgorithm(algorithmKey)) {
            case "md5" -> Optional.of(MD5);
            case "sha1" -> Optional.of(SHA1);
            case "sha256" -> Optional.of(SHA256);
            default -> Optional.empty();
        };
    }

    /** The value checked and in the form it is searched in, or empty when it is not one of this kind. */
    Optional<String> normalize(String raw) {
        if (raw == null) return Optional.empty();
        String value = raw.trim();
        return switch (this) {
            case IP -> IpLiteral.addressOrCidr(value);
            case DOMAIN -> DomainName.normalize(value);
            case URL -> value.isEmpty() || value.length() > MAX_TEXT || hasSpaceOrControl(value) ? Optional.empty() : Optional.of(value);
            case MD5 -> hex(value, 32);
            case SHA1 -> hex(value, 40);
            case SHA256 -> hex(value, 64);
            case FILE_NAME -> value.isEmpty() || value.length() > 1024 || value.indexOf('/') >= 0 || value.indexOf('\\') >= 0
                    || value.chars().anyMatch(Character::isISOControl) ? Optional.empty() : Optional.of(value);
        };
    }

    /** The terms to search: hashes in both cases, since sources differ in how they print them. */
    List<String> searchValues(String normalized) {
        return switch (this) {
            case MD5, SHA1, SHA256 -> List.of(normalized, normalized.toUpperCase(Locale.ROOT));
            default -> List.of(normalized);
        };
    }

    private static Optional<String> hex(String value, int length) {
        if (value.length() != length) return Optional.empty();
        for (int i = 0; i < length; i++) {
            if (Character.digit(value.charAt(i), 16) < 0) return Optional.empty();
        }
        return Optional.of(value.toLowerCase(Locale.ROOT));
    }

    private static boolean hasSpaceOrControl(String value) {
        return value.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c));
    }
}
