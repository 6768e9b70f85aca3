package org.fleetrec.agent.process;

import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditRecord;
import org.fleetrec.agent.audit.AuditValues;
import org.fleetrec.agent.audit.RecordTypes;
import org.fleetrec.agent.host.UserNames;
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
    private static final String UNSET_ID = "4294967295";

    private final ProcessTable processes;
    private final UserNames names;
    private final ExecutableHasher hasher;

    public ExecveMapper(ProcessTable processes, UserNames names, ExecutableHasher hasher) {
        this.processes = processes;
        this.names = names;
        this.hasher = hasher;
    }

    public static boolean isExec(AuditEvent event) {
        AuditRecord syscall = event.first(RecordTypes.SYSCALL);
        return syscall != null && event.first(RecordTypes.EXECVE) != null;
    }

    public EventDocument map(AuditEvent event) {
        AuditRecord syscall = event.first(RecordTypes.SYSCALL);
        Instant time = Instant.ofEpochMilli(event.epochMillis());
        long pid = Long.parseLong(syscall.field("pid"));
        long ppid = Long.parseLong(syscall.field("ppid"));
        boolean success = !"no".equals(syscall.field("success"));

        List<String> args = AuditValues.execveArgs(event.all(RecordTypes.EXECVE));
        String executable = decoded(syscall, "exe");
        AuditRecord cwd = event.first(RecordTypes.CWD);

        Optional<ProcessTable.Entry> parent = processes.parent(ppid);
        ProcessTable.Entry entry = success ? processes.exec(pid, ppid, time, executable, args) : null;

        EventDocument doc = EventDocument.create()
                .put(Ecs.TIMESTAMP, time.toString())
                .put(Ecs.EVENT_DATASET, Dataset.PROCESS.id())
                .put(Ecs.EVENT_ACTION, "executed")
                .put(Ecs.EVENT_OUTCOME, success ? "success" : "failure")
                .put(Ecs.EVENT_KIND, "event")
                .putAll(Ecs.EVENT_CATEGORY, List.of("process"))
                .putAll(Ecs.EVENT_TYPE, List.of("start"))
                .put("process.pid", pid)
                .put("process.executable", executable)
                .put("process.name", CommandLines.baseName(executable))
                .putAll("process.args", args)
                .put("process.args_count", args.size())
                .put("process.command_line", CommandLines.join(args))
                .put("process.working_directory", cwd == null ? null : decoded(cwd, "cwd"))
                .put("process.parent.pid", ppid);
        if (entry != null) {
            doc.put("process.entity_id", entry.entityId()).put("process.start", entry.start().toString());
        }
        parent.ifPresent(p -> doc.put("process.parent.entity_id", p.entityId())
                .put("process.parent.executable", p.executable())
                .put("process.parent.name", p.name())
                .put("process.parent.command_line", p.commandLine())
                .put("process.parent.start", p.start().toString()));
        if (executable != null && success) {
            hasher.sha256(pid, executable).ifPresent(hash -> doc.put("process.hash.sha256", hash));
        }
        users(doc, syscall);
        String tty = syscall.field("tty");
        if (tty != null && !"(none)".equals(tty)) doc.put("process.tty.name", tty);
        String session = syscall.field("ses");
        if (session != null && !UNSET_ID.equals(session)) doc.put("process.session_id", session);
        doc.put("auditd.key", syscall.field("key") == null || "(null)".equals(syscall.field("key")) ? null : decoded(syscall, "key"))
                .put("auditd.sequence", event.serial())
                .put("auditd.record_type", "EXECVE");
        return doc;
    }

    private void users(EventDocument doc, AuditRecord syscall) {
        String uid = syscall.field("uid");
        String euid = syscall.field("euid");
        String auid = syscall.field("auid");
        String gid = syscall.field("gid");
        doc.put("user.id", uid).put("user.name", names.user(uid))
                .put("user.effective.id", euid).put("user.effective.name", names.user(euid))
                .put("user.group.id", gid).put("user.group.name", names.group(gid));
        if (auid != null && !UNSET_ID.equals(auid)) {
            doc.put("user.audit.id", auid).put("user.audit.name", names.user(auid));
        }
    }

    private static String decoded(AuditRecord record, String field) {
        return record.text(field);
    }
}
