package org.fleetrec.web;

import java.util.Locale;
import java.util.Optional;

/** Domain names as typed or found in an indicator, checked and lower-cased. */
final class DomainName {
    static final int MAX_LENGTH = 253;

    private DomainName() {
    }

    /**
     * Lower case without a trailing dot, or empty when this cannot be a DNS name: only letters,
     * digits, hyphens and underscores in non-empty labels of at most 63 characters.
     */
    static Optional<String> normalize(String text) {
        if (text == null) return Optional.empty();
        String name = text.trim();
        if (name.endsWith(".")) name = name.substring(0, name.length() - 1);
        if (name.isEmpty() || name.length() > MAX_LENGTH) return Optional.empty();
        int labelLength = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.') {
                if (labelLength == 0) return Optional.empty();
                labelLength = 0;
                continue;
            }
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!allowed || ++labelLength > 63) return Optional.empty();
        }
        return Optional.of(name.toLowerCase(Locale.ROOT));
    }
}
