package org.fleetrec.agent.audit;

import java.util.Map;
import java.util.Objects;

/**
 * One audit record: the kernel's {@code audit(epoch.millis:serial): key=value ...} text split into fields.
 *
 * @param type        record type number (see {@link RecordTypes})
 * @param epochMillis event time from the {@code audit(...)} stamp
 * @param serial      the kernel's event serial (u32, wraps at 2^32); records of one event share it
 * @param fields      fields in original order, quotes stripped, values otherwise raw (hex stays hex).
 *                    Always an {@link AuditFields}, which also knows which values were quoted.
 * @param text        the input exactly as given to the parser, minus trailing NUL/CR/LF
 */
public record AuditRecord(int type, long epochMillis, long serial, Map<String, String> fields, String text) {

    public AuditRecord {
        fields = AuditFields.copyOf(Objects.requireNonNull(fields, "fields"));
        text = text == null ? "" : text;
    }

    public String typeName() {
        return RecordTypes.name(type);
    }

    /** Raw value (quotes stripped), or null if absent. */
    public String field(String name) {
        return fields.get(name);
    }

    /** Whether the field was quoted in the original text (quoted values are text, never hex). */
    public boolean quoted(String name) {
        return ((AuditFields) fields).quoted(name);
    }

    /**
     * The field as readable text: quoted values as they are, unquoted hex-encoded values of the fields the
     * kernel hex-encodes (see {@link AuditValues#isUntrustedStringField}) decoded. Null if absent.
     */
    public String text(String name) {
        String raw = fields.get(name);
        if (raw == null || quoted(name) || !AuditValues.isUntrustedStringField(type, name)) {
            return raw;
        }
        return AuditValues.decodeHexOrText(raw);
    }

    /** ENRICHED-format interpreted fields, empty for raw records. */
    public Map<String, String> interpreted() {
        return ((AuditFields) fields).interpreted();
    }
}
