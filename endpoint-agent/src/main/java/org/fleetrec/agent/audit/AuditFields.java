package org.fleetrec.agent.audit;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The unmodifiable, insertion-ordered field map of an {@link AuditRecord}. It is a plain {@code Map} for
 * callers, but also remembers which values were double-quoted in the original text: audit writes an
 * untrusted string quoted when it is safe text and as bare hex otherwise, so "was it quoted" decides
 * whether {@code cafe} means the word or the bytes 0xCA 0xFE. ENRICHED-format interpreted values (after
 * the 0x1D separator) are kept apart in {@link #interpreted()} so raw fields stay raw.
 */
public final class AuditFields extends AbstractMap<String, String> {
    private static final AuditFields EMPTY = new AuditFields(new LinkedHashMap<>(), Set.of(), Map.of());

    private final Map<String, String> values;
    private final Set<String> quoted;
    private final Map<String, String> interpreted;

    private AuditFields(LinkedHashMap<String, String> values, Set<String> quoted, Map<String, String> interpreted) {
        this.values = Collections.unmodifiableMap(values);
        this.quoted = quoted;
        this.interpreted = interpreted;
    }

    public static AuditFields empty() {
        return EMPTY;
    }

    /** Wraps a map built elsewhere; without quoting information every value counts as unquoted. */
    public static AuditFields copyOf(Map<String, String> map) {
        if (map instanceof AuditFields f) {
            return f;
        }
        return new AuditFields(new LinkedHashMap<>(map), Set.of(), Map.of());
    }

    /** True if the value was written in double (or single) quotes, i.e. it is text, never hex. */
    public boolean quoted(String name) {
        return quoted.contains(name);
    }

    /** ENRICHED-format interpreted fields ({@code UID="root"}, {@code SYSCALL=execve}); empty for raw logs. */
    public Map<String, String> interpreted() {
        return interpreted;
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        return values.entrySet();
    }

    @Override
    public String get(Object key) {
        return values.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return values.containsKey(key);
    }

    @Override
    public int size() {
        return values.size();
    }

    /** Collects fields in order; the first occurrence of a name wins (later duplicates are dropped). */
    static final class Builder {
        private final LinkedHashMap<String, String> values = new LinkedHashMap<>();
        private final Set<String> quoted = new HashSet<>();
        private final LinkedHashMap<String, String> interpreted = new LinkedHashMap<>();

        void put(String name, String value, boolean wasQuoted) {
            if (values.putIfAbsent(name, value) == null && wasQuoted) {
                quoted.add(name);
            }
        }

        void putInterpreted(String name, String value) {
            interpreted.putIfAbsent(name, value);
        }

        AuditFields build() {
            return new AuditFields(values, Set.copyOf(quoted),
                    interpreted.isEmpty() ? Map.of() : Collections.unmodifiableMap(interpreted));
        }
    }
}
