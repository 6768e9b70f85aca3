package org.fleetrec.agent.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * The records the kernel wrote for one event (same serial), in arrival order. The EOE marker itself is
 * not included: it carries no data.
 */
public record AuditEvent(long serial, long epochMillis, List<AuditRecord> records) {

    public AuditEvent {
        records = List.copyOf(records);
    }

    /** First record of the type, or null. */
    public AuditRecord first(int type) {
        for (AuditRecord r : records) {
            if (r.type() == type) {
                return r;
            }
        }
        return null;
    }

    /** All records of the type, in order (EXECVE and PATH often come several times). */
    public List<AuditRecord> all(int type) {
        List<AuditRecord> out = new ArrayList<>();
        for (AuditRecord r : records) {
            if (r.type() == type) {
                out.add(r);
            }
        }
        return out;
    }
}
