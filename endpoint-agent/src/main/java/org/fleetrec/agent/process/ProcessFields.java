package org.fleetrec.agent.process;

import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditRecord;
import org.fleetrec.agent.host.UserNames;
import org.fleetrec.model.EventDocument;

import java.util.Optional;

/**
 * The acting process and its users, as every syscall event carries them: ids from the
 * SYSCALL record, the entity and command line from the process table.
 */
public final class ProcessFields {
    static final String UNSET_ID = "4294967295";

    private final ProcessTable processes;
    private final UserNames names;

    public ProcessFields(ProcessTable processes, UserNames names) {
        this.processes = processes;
        this.names = names;
    }

    /** Fills process.*, user.* and auditd.* for the process that made the syscall. */
    public Optional<ProcessTable.Entry> fill(EventDocument doc, AuditEvent event, AuditRecord syscall) {
        long pid = number(syscall.field("pid"));
        long ppid = number(syscall.field("ppid"));
        Optional<ProcessTable.Entry> entry = processes.current(pid);
        doc.put("process.pid", pid).put("process.parent.pid", ppid);
        String executable = syscall.text("exe");
        doc.put("process.executable", executable).put("process.name", CommandLines.baseName(executable));
        entry.ifPresent(e -> {
            doc.put("process.entity_id", e.entityId());
            if (e.start() != null) doc.put("process.start", e.start().toString());
            if (!e.args().isEmpty()) {
                doc.putAll("process.args", e.args()).put("process.command_line", e.commandLine());
            }
            container(doc, e);
        });
        processes.current(ppid).ifPresent(p -> parent(doc, p));
        users(doc, syscall);
        session(doc, syscall);
        audit(doc, event, syscall);
        return entry;
    }

    static void parent(EventDocument doc, ProcessTable.Entry parent) {
        doc.put("process.parent.entity_id", parent.entityId())
                .put("process.parent.executable", parent.executable())
                .put("process.parent.name", parent.name());
        if (!parent.args().isEmpty()) doc.put("process.parent.command_line", parent.commandLine());
        if (parent.start() != null) doc.put("process.parent.start", parent.start().toString());
    }

    /** container.* of the process (ECS): nothing for a process of the host. */
    static void container(EventDocument doc, ProcessTable.Entry entry) {
        Container c = entry.container();
        if (c == null) return;
        doc.put("container.id", c.id());
        if (c.runtime() != null) doc.put("container.runtime", c.runtime());
    }

    /** user.* (real), user.effective.*, user.group.* and user.audit.* (the login user). */
    public void users(EventDocument doc, AuditRecord record) {
        String uid = record.field("uid");
        String euid = record.field("euid");
        String gid = record.field("gid");
        String auid = record.field("auid");
        if (uid != null) doc.put("user.id", uid).put("user.name", names.user(uid));
        if (euid != null) doc.put("user.effective.id", euid).put("user.effective.name", names.user(euid));
        if (gid != null) doc.put("user.group.id", gid).put("user.group.name", names.group(gid));
        if (auid != null && !UNSET_ID.equals(auid) && !"-1".equals(auid) && !"unset".equals(auid)) {
            doc.put("user.audit.id", auid).put("user.audit.name", names.user(auid));
        }
    }

    static void session(EventDocument doc, AuditRecord syscall) {
        String tty = syscall.field("tty");
        if (tty != null && !"(none)".equals(tty)) doc.put("process.tty.name", tty);
        String session = syscall.field("ses");
        if (session != null && !UNSET_ID.equals(session)) doc.put("process.session_id", session);
    }

    static void audit(EventDocument doc, AuditEvent event, AuditRecord first) {
        String key = first.field("key");
        if (key != null && !"(null)".equals(key)) {
            // A rule may carry several keys, which the kernel joins with 0x01.
            doc.putAll("auditd.key", java.util.List.of(first.text("key").split("\u0001")));
        }
        doc.put("auditd.sequence", event.serial())
                .put("auditd.record_type", first.typeName());
    }

    public static long number(String value) {
        try {
            return value == null ? -1 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Syscall arguments a0..a3 are hex in SYSCALL records. */
    static long argument(AuditRecord syscall, int index) {
        String value = syscall.field("a" + index);
        try {
            return value == null ? -1 : Long.parseUnsignedLong(value, 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
