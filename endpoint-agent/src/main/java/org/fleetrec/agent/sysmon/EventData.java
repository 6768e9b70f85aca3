package org.fleetrec.agent.sysmon;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The EventData fields of one event, remembering which ones the mapper used: what is left over
 * is kept under {@code winlog.event_data} so nothing captured is thrown away. Sysmon writes
 * "-" (and an all-zero GUID) for "no value"; those read as absent.
 */
final class EventData {
    private static final String ZERO_GUID = "{00000000-0000-0000-0000-000000000000}";

    private final Map<String, String> fields;
    private final Set<String> used = new HashSet<>();

    EventData(Map<String, String> fields) {
        this.fields = fields;
    }

    /** The value, or null when absent or empty; either way the field counts as used. */
    String take(String name) {
        used.add(name);
        return present(fields.get(name));
    }

    /** The first of several spellings that has a value (Sysmon versions differ: GUID / Guid). */
    String takeAny(String... names) {
        String found = null;
        for (String name : names) {
            String value = take(name);
            if (found == null) found = value;
        }
        return found;
    }

    /** Reads without using: the value stays in the leftovers. */
    String peek(String name) {
        return present(fields.get(name));
    }

    Map<String, String> leftovers() {
        Map<String, String> rest = new LinkedHashMap<>();
        fields.forEach((name, value) -> {
            if (!used.contains(name) && present(value) != null) rest.put(name, value);
        });
        return rest;
    }

    private static String present(String value) {
        if (value == null) return null;
        String trimmed = value.trim();
        return trimmed.isEmpty() || "-".equals(trimmed) || ZERO_GUID.equals(trimmed) ? null : value;
    }
}
