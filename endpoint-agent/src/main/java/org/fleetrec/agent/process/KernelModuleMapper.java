package org.fleetrec.agent.process;

import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditRecord;
import org.fleetrec.agent.audit.RecordTypes;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventDocument;

import java.time.Instant;

/** init_module / finit_module / delete_module as library (driver) documents. */
public final class KernelModuleMapper {
    private final ProcessFields fields;
    private final java.nio.file.Path proc;

    public KernelModuleMapper(ProcessFields fields, java.nio.file.Path proc) {
        this.fields = fields;
        this.proc = proc;
    }

    public EventDocument map(AuditEvent event, String syscallName) {
        AuditRecord syscall = event.first(RecordTypes.SYSCALL);
        boolean unload = "delete_module".equals(syscallName);
        EventDocument doc = Documents.event(Instant.ofEpochMilli(event.epochMillis()), Dataset.LIBRARY,
                        unload ? "unloaded-kernel-module" : "loaded-kernel-module", "event", "driver", unload ? "end" : "start")
                .put(Ecs.EVENT_OUTCOME, "no".equals(syscall.field("success")) ? "failure" : "success");
        AuditRecord module = event.first(RecordTypes.KERN_MODULE);
        if (module != null) doc.put("driver.name", module.text("name"));
        if ("finit_module".equals(syscallName)) {
            long pid = ProcessFields.number(syscall.field("pid"));
            ProcStat.link(proc, pid, "fd/" + ProcessFields.argument(syscall, 0)).ifPresent(p -> doc.put("driver.path", p));
        }
        fields.fill(doc, event, syscall);
        return doc;
    }
}
