package org.fleetrec.agent.process;

import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditRecord;
import org.fleetrec.agent.audit.AuditValues;
import org.fleetrec.agent.audit.RecordTypes;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventDocument;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An execve/execveat audit event (SYSCALL + EXECVE + CWD + PATH + PROCTITLE) as an ECS
 * process document, with the new image registered in the process table.
 */
public final class ExecveMapper {
    private final ProcessTable processes;
    private final ProcessFields fields;
    private final ExecutableHasher hasher;

    public ExecveMapper(ProcessTable processes, ProcessFields fields, ExecutableHasher hasher) {
        this.processes = processes;
        this.fields = fields;
        this.hasher = hasher;
    }

    public static boolean isExec(AuditEvent event) {
        return event.first(RecordTypes.SYSCALL) != null && event.first(RecordTypes.EXECVE) != null;
    }

    public EventDocument map(AuditEvent event) {
        AuditRecord syscall = event.first(RecordTypes.SYSCALL);
        Instant time = Instant.ofEpochMilli(event.epochMillis());
        long pid = ProcessFields.number(syscall.field("pid"));
        long ppid = ProcessFields.number(syscall.field("ppid"));
        boolean success = !"no".equals(syscall.field("success"));

        List<String> args = AuditValues.execveArgs(event.all(RecordTypes.EXECVE));
        String executable = syscall.text("exe");
        AuditRecord cwd = event.first(RecordTypes.CWD);

        Optional<ProcessTable.Entry> parent = processes.current(ppid);
        ProcessTable.Entry entry = success ? processes.exec(pid, ppid, time, executable, args) : null;

        EventDocument doc = Documents.event(time, Dataset.PROCESS, "executed", "event", "process", "start")
                .put(Ecs.EVENT_OUTCOME, success ? "success" : "failure")
                .put("process.pid", pid)
                .put("process.executable", executable)
                .put("process.name", CommandLines.baseName(executable))
                .putAll("process.args", args)
                .put("process.args_count", args.size())
                .put("process.command_line", CommandLines.join(args))
                .put("process.working_directory", cwd == null ? null : cwd.text("cwd"))
                .put("process.parent.pid", ppid);
        if (entry != null) {
            doc.put("process.entity_id", entry.entityId()).put("process.start", entry.start().toString());
            ProcessFields.container(doc, entry);
        }
        parent.ifPresent(p -> ProcessFields.parent(doc, p));
        if (executable != null && success) {
            hasher.sha256(pid, executable).ifPresent(hash -> doc.put("process.hash.sha256", hash));
        }
        fields.users(doc, syscall);
        ProcessFields.session(doc, syscall);
        ProcessFields.audit(doc, event, syscall);
        doc.put("auditd.record_type", "EXECVE");
        return doc;
    }
}
