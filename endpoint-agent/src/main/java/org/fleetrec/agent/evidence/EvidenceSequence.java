package org.fleetrec.agent.evidence;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * {@code event.sequence} for imported documents, derived from where each record sits in the
 * machine's own log, never from a counter: importing the same evidence again (or the same record
 * from another export of it) gives the same {@code agent.id:event.sequence} id, which Elasticsearch
 * refuses to store twice. Audit and Windows records use disjoint ranges so they can never collide on one host.
 */
final class EvidenceSequence {
    /** Audit events: millisecond, low 12 bits of the serial, document index: [2^40, 2^57) until 2109. */
    private static final long AUDIT_FLOOR = 1L << 40;
    private static final int DOCUMENT_BITS = 3;
    private static final int SERIAL_BITS = 12;
    /** Windows records: a hash in [2^62, 2^63). */
    private static final long HASHED = 1L << 62;

    private EvidenceSequence() {
    }

    /**
     * A Windows/Sysmon record. Record ids start again when a log is cleared, so one machine's
     * exports can hold two records with one id: the id counts only with the event id and the second
     * it was written. Truncating to the second lets renderings that keep 6 or 7 digits agree.
     * A record without an id is known by everything it holds.
     */
    static long record(long recordId, int eventId, java.time.Instant written, String content) {
        if (recordId > 0 && written != null) {
            return hashed("record|" + recordId + "|" + eventId + "|" + written.getEpochSecond());
        }
        return hashed("content|" + content);
    }

    /**
     * An audit event's {@code index}-th document. The serial alone repeats after every boot; the
     * millisecond and the serial together do not, since a kernel never issues 4096 serials in one millisecond
     * that wrap onto each other.
     */
    static long audit(long epochMillis, long serial, int index) {
        if (index < 0 || index >= 1 << DOCUMENT_BITS) throw new IllegalArgumentException("document index " + index);
        long value = (((epochMillis << SERIAL_BITS) | (serial & ((1 << SERIAL_BITS) - 1))) << DOCUMENT_BITS) | index;
        if (epochMillis < 0 || value >= HASHED || value < AUDIT_FLOOR) {
            throw new IllegalArgumentException("audit event time out of range: " + epochMillis);
        }
        return value;
    }

    static long hashed(String content) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
            return HASHED | (ByteBuffer.wrap(digest).getLong() & (HASHED - 1));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the JDK", e);
        }
    }
}
