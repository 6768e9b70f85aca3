package org.fleetrec.agent.process;

import org.fleetrec.agent.host.UserNames;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventDocument;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** A process found running at agent start, so later events have a parent to hang from. */
public final class SnapshotMapper {
    private final ProcessTable processes;
    private final UserNames names;
    private final Path proc;

    public SnapshotMapper(ProcessTable processes, UserNames names, Path proc) {
        this.processes = processes;
        this.names = names;
        this.proc = proc;
    }

    public EventDocument map(ProcessTable.Entry entry, Instant now) {
        EventDocument doc = EventDocument.create()
                .put(Ecs.TIMESTAMP, now.toString())
                .put(Ecs.EVENT_DATASET, Dataset.PROCESS.id())
                .put(Ecs.EVENT_ACTION, "already-running")
                .put(Ecs.EVENT_KIND, "state")
                .putAll(Ecs.EVENT_CATEGORY, List.of("process"))
                .putAll(Ecs.EVENT_TYPE, List.of("info"))
                .put("process.entity_id", entry.entityId())
                .put("process.pid", entry.pid())
                .put("process.start", entry.start().toString())
                .put("process.executable", entry.executable())
                .put("process.name", entry.name())
                .putAll("process.args", entry.args())
                .put("process.command_line", entry.commandLine())
                .put("process.parent.pid", entry.ppid());
        ProcessFields.container(doc, entry);
        processes.get(entry.ppid()).ifPresent(p -> doc.put("process.parent.entity_id", p.entityId())
                .put("process.parent.name", p.name())
                .put("process.parent.executable", p.executable())
                .put("process.parent.command_line", p.commandLine()));
        ProcStat.ids(proc, entry.pid(), "Uid").ifPresent(uids -> doc
                .put("user.id", uids[0]).put("user.name", names.user(uids[0]))
                .put("user.effective.id", uids[1]).put("user.effective.name", names.user(uids[1])));
        ProcStat.link(proc, entry.pid(), "cwd").ifPresent(cwd -> doc.put("process.working_directory", cwd));
        return doc;
    }
}
