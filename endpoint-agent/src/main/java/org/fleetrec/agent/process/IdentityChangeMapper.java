package org.fleetrec.agent.process;

import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditRecord;
import org.fleetrec.agent.audit.RecordTypes;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventDocument;

import java.time.Instant;

/**
 * setuid/setgid family: a process changing whose rights it runs with. The SYSCALL record
 * carries the ids as they are after the call, so user.* is who the process is now.
 */
public final class IdentityChangeMapper {
    private final ProcessFields fields;

    public IdentityChangeMapper(ProcessFields fields) {
        this.fields = fields;
    }

    public EventDocument map(AuditEvent event, String syscallName) {
        AuditRecord syscall = event.first(RecordTypes.SYSCALL);
        String action = syscallName.contains("gid") ? "changed-group-identity" : "changed-identity";
        EventDocument doc = Documents.event(Instant.ofEpochMilli(event.epochMillis()), Dataset.AUTH, action, "event", "iam", "change")
                .put(Ecs.EVENT_OUTCOME, "no".equals(syscall.field("success")) ? "failure" : "success")
                .put("auditd.data.syscall", syscallName);
        fields.fill(doc, event, syscall);
        return doc;
    }
}
