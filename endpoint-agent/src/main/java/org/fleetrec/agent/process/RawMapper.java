package org.fleetrec.agent.process;

import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditRecord;
import org.fleetrec.agent.audit.RecordTypes;
import org.fleetrec.agent.audit.SyscallNames;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.EventDocument;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * Everything no other mapper claims stays searchable under auditd.*: the record types, the
 * decoded fields of the first record and the original text. Nothing captured is dropped.
 */
public final class RawMapper {
    private static final int MAX_ORIGINAL = 32 * 1024;

    private final ProcessFields fields;

    public RawMapper(ProcessFields fields) {
        this.fields = fields;
    }

    public EventDocument map(AuditEvent event) {
        AuditRecord first = event.records().get(0);
        AuditRecord syscall = event.first(RecordTypes.SYSCALL);
        EventDocument doc = Documents.event(Instant.ofEpochMilli(event.epochMillis()), Dataset.AUDITD,
                first.typeName().toLowerCase(Locale.ROOT), "event", "host", "info");
        for (Map.Entry<String, String> field : first.fields().entrySet()) {
            String key = field.getKey().replace('.', '_');
            if (!key.isEmpty()) doc.put("auditd.data." + key, first.text(field.getKey()));
        }
        doc.putAll("auditd.records", event.records().stream().map(AuditRecord::typeName).toList());
        if (syscall != null) {
            doc.put("auditd.data.syscall", SyscallNames.name(syscall.field("arch"), syscall.field("syscall")));
            fields.fill(doc, event, syscall);
        } else {
            fields.users(doc, first);
            ProcessFields.audit(doc, event, first);
            long pid = ProcessFields.number(first.field("pid"));
            if (pid > 0) doc.put("process.pid", pid);
        }
        StringBuilder original = new StringBuilder();
        for (AuditRecord record : event.records()) {
            if (original.length() + record.text().length() > MAX_ORIGINAL) break;
            original.append(record.text()).append('\n');
        }
        doc.put("event.original", original.toString());
        return doc;
    }
}
