package org.fleetrec.agent.evidence;

import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditRecord;
import org.fleetrec.agent.audit.RecordTypes;
import org.fleetrec.model.EventDocument;

import java.util.Map;

/**
 * User and group names for evidence, taken only from what the recording machine wrote itself:
 * an ENRICHED log resolves ids to names there, at the time (UID="root"). This host's
 * /etc/passwd would name other people.
 */
final class EnrichedNames {
    private static final Map<String, String> USER_FIELDS = Map.of(
            "user.id", "UID", "user.effective.id", "EUID", "user.audit.id", "AUID", "user.group.id", "GID");

    private EnrichedNames() {
    }

    static void fill(EventDocument doc, AuditEvent event) {
        AuditRecord syscall = event.first(RecordTypes.SYSCALL);
        AuditRecord source = syscall != null ? syscall : event.records().get(0);
        Map<String, String> names = source.interpreted();
        if (names.isEmpty()) return;
        USER_FIELDS.forEach((idField, interpreted) -> {
            String name = names.get(interpreted);
            String nameField = idField.substring(0, idField.length() - 2) + "name";
            if (name != null && doc.text(idField) != null && doc.text(nameField) == null && !"unset".equals(name)) {
                doc.put(nameField, name);
            }
        });
    }
}
