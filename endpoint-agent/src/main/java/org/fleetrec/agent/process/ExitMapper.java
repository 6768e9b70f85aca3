package org.fleetrec.agent.process;

import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditRecord;
import org.fleetrec.agent.audit.RecordTypes;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.EventDocument;

import java.time.Instant;

/** exit_group: the end of a process, with its exit code; the table forgets the pid. */
public final class ExitMapper {
    private final ProcessTable processes;
    private final ProcessFields fields;

    public ExitMapper(ProcessTable processes, ProcessFields fields) {
        this.processes = processes;
        this.fields = fields;
    }

    public EventDocument map(AuditEvent event) {
        AuditRecord syscall = event.first(RecordTypes.SYSCALL);
        Instant time = Instant.ofEpochMilli(event.epochMillis());
        EventDocument doc = Documents.event(time, Dataset.PROCESS, "ended", "event", "process", "end");
        fields.fill(doc, event, syscall);
        // exit_group(int status): the code is the low byte the parent sees.
        long status = ProcessFields.argument(syscall, 0);
        if (status >= 0) doc.put("process.exit_code", (int) (status & 0xff));
        doc.put("process.end", time.toString());
        processes.exit(ProcessFields.number(syscall.field("pid")));
        return doc;
    }
}
