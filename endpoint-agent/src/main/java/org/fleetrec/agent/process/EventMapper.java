package org.fleetrec.agent.process;

import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditRecord;
import org.fleetrec.agent.audit.RecordTypes;
import org.fleetrec.agent.audit.SyscallNames;
import org.fleetrec.agent.host.UserNames;
import org.fleetrec.model.EventDocument;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Routes each audit event to the mapper of its kind: exec, exit, network, file, kernel
 * module, identity change, user-space auth records — and everything else to the raw mapper,
 * so an event is never dropped for lack of a mapping.
 */
public final class EventMapper {
    private static final Set<String> NETWORK = Set.of("connect", "accept", "accept4", "bind", "listen");
    private static final Set<String> MODULES = Set.of("init_module", "finit_module", "delete_module");
    private static final Set<String> IDENTITY = Set.of("setuid", "setgid", "setreuid", "setregid", "setresuid",
            "setresgid", "setfsuid", "setfsgid", "setuid32", "setgid32", "setreuid32", "setregid32", "setresuid32",
            "setresgid32", "setfsuid32", "setfsgid32");

    private final ExecveMapper execs;
    private final ExitMapper exits;
    private final NetworkMapper network;
    private final FileMapper files;
    private final KernelModuleMapper modules;
    private final IdentityChangeMapper identity;
    private final AuthMapper auth;
    private final RawMapper raw;

    public EventMapper(ProcessTable processes, UserNames names, Path proc) {
        this(processes, names, proc, true);
    }

    private EventMapper(ProcessTable processes, UserNames names, Path proc, boolean localFiles) {
        ProcessFields fields = new ProcessFields(processes, names);
        execs = new ExecveMapper(processes, fields, new ExecutableHasher(proc, localFiles));
        exits = new ExitMapper(processes, fields);
        network = new NetworkMapper(fields, new SocketTable(proc));
        files = new FileMapper(fields, names, proc, localFiles);
        modules = new KernelModuleMapper(fields, proc);
        identity = new IdentityChangeMapper(fields);
        auth = new AuthMapper(fields, names, processes);
        raw = new RawMapper(fields);
    }

    /**
     * Maps a log recorded on another machine: processes come from the log alone, and nothing is
     * looked up on this host (no /proc, no executable hashes, no symlinks of its file system, no
     * user names from /etc/passwd, which would name the wrong users; ENRICHED logs carry their own names).
     */
    public static EventMapper forEvidence(ProcessTable processes) {
        return new EventMapper(processes, UserNames.none(), ProcessTable.NO_PROC, false);
    }

    /** The documents for one event: none only for local IPC sockets, which are not network activity. */
    public List<EventDocument> map(AuditEvent event) {
        if (event.records().isEmpty()) return List.of();
        AuditRecord syscall = event.first(RecordTypes.SYSCALL);
        if (syscall == null) {
            AuditRecord first = event.records().get(0);
            return List.of(AuthMapper.handles(first) ? auth.map(event, first) : raw.map(event));
        }
        if (ExecveMapper.isExec(event)) return List.of(execs.map(event));
        String name = SyscallNames.name(syscall.field("arch"), syscall.field("syscall"));
        if ("exit_group".equals(name)) return List.of(exits.map(event));
        if (NETWORK.contains(name)) return network.map(event, name).map(List::of).orElse(List.of());
        if (MODULES.contains(name)) return List.of(modules.map(event, name));
        if (IDENTITY.contains(name)) return List.of(identity.map(event, name));
        return files.map(event, name).map(List::of).orElseGet(() -> List.of(raw.map(event)));
    }
}
