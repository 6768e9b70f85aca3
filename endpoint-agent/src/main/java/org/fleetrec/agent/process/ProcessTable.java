package org.fleetrec.agent.process;

import org.fleetrec.agent.host.HostIdentity;
import org.fleetrec.model.EntityIds;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The images current on this host, by pid. It gives each exec its {@code process.entity_id}
 * and each event the entity of its parent as it was when the exec happened. Filled from /proc
 * at start so the processes already running are the roots of the trees that follow.
 */
public final class ProcessTable {
    /**
     * One executed image of one task; an entry inferred from evidence has no image, args or start.
     * {@code container} is null for a process of the host (or one whose cgroup could not be read).
     */
    public record Entry(long pid, long ppid, long startTicks, int ordinal, String entityId, String executable,
                        List<String> args, Instant start, Container container) {
        public String name() {
            return CommandLines.baseName(executable);
        }

        public String commandLine() {
            return CommandLines.join(args);
        }
    }

    /**
     * A /proc that can never exist (a path under a device file): given to mappers of evidence from
     * another machine, so nothing of this host (its processes, files, sockets) leaks into it.
     */
    public static final Path NO_PROC = Path.of("/dev/null/proc");

    private static final int SWEEP_EVERY = 4096;
    private static final java.time.Duration SWEEP_GRACE = java.time.Duration.ofMinutes(1);
    /** Evidence has no /proc to tell which tasks are gone: the table is bounded by size instead. */
    private static final int EVIDENCE_MAX_ENTRIES = 200_000;

    private final HostIdentity host;
    private final Path proc;
    private final boolean evidence;
    private final long bootSeconds;
    private final Map<Long, Entry> byPid = new HashMap<>();
    private int changesSinceSweep;
    private long inferred;

    public ProcessTable(HostIdentity host, Path proc) {
        this(host, proc, false);
    }

    private ProcessTable(HostIdentity host, Path proc, boolean evidence) {
        this.host = host;
        this.proc = proc;
        this.evidence = evidence;
        this.bootSeconds = ProcStat.bootTimeSeconds(proc);
    }

    /**
     * The table for a log recorded elsewhere: built from the log alone. Start times are the first
     * exec seen; a parent the log never showed executing becomes an inferred entry (no image, no
     * start) that its children share until that pid executes or exits in the log.
     */
    public static ProcessTable forEvidence(HostIdentity host) {
        return new ProcessTable(host, NO_PROC, true);
    }

    /** Reads every live process from /proc and returns the entries, parents first where possible. */
    public List<Entry> snapshot() throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path dir : dirs) {
                long pid = Long.parseLong(dir.getFileName().toString());
                ProcStat.read(proc, pid).ifPresent(stat -> entries.add(register(stat)));
            }
        }
        entries.sort(java.util.Comparator.comparingLong(Entry::startTicks));
        return entries;
    }

    public synchronized Optional<Entry> get(long pid) {
        return Optional.ofNullable(byPid.get(pid));
    }

    /**
     * The entity current for {@code pid}; when the table never saw it, it is inferred from /proc
     * (or, if the task is gone too, returned empty: the tree shows it as a missing node).
     */
    public synchronized Optional<Entry> current(long pid) {
        if (pid <= 0) return Optional.empty();
        Entry known = byPid.get(pid);
        if (known != null) return Optional.of(known);
        if (evidence) return Optional.of(infer(pid));
        return ProcStat.read(proc, pid).map(this::register);
    }

    private Entry infer(long pid) {
        // A negative start and a counter as ordinal: never equal to the id of an image seen executing.
        long ordinal = ++inferred;
        Entry entry = new Entry(pid, 0, -1, 0,
                EntityIds.process(host.id(), host.bootId(), pid, -1, (int) Math.min(Integer.MAX_VALUE, ordinal)),
                null, List.of(), null, null);
        put(entry);
        return entry;
    }

    /** Records a successful exec by {@code pid} and returns its new entry. */
    public synchronized Entry exec(long pid, long ppid, Instant eventTime, String executable, List<String> args) {
        // Evidence has no /proc to ask, nor has a task already exited: the start is estimated from
        // the event time so the id stays stable for this run.
        long estimated = Math.max(0, (eventTime.toEpochMilli() - bootSeconds * 1000) * ProcStat.TICKS_PER_SECOND / 1000);
        long startTicks = evidence ? estimated : ProcStat.read(proc, pid).map(ProcStat::startTicks).orElse(estimated);
        Entry previous = byPid.get(pid);
        int ordinal = previous != null && previous.startTicks() == startTicks ? previous.ordinal() + 1 : 0;
        Entry entry = new Entry(pid, ppid, startTicks, ordinal,
                EntityIds.process(host.id(), host.bootId(), pid, startTicks, ordinal), executable, List.copyOf(args),
                startInstant(startTicks), container(pid, ppid));
        put(entry);
        return entry;
    }

    /**
     * Evidence only: a task forked by {@code parentPid} runs its parent's image until it executes
     * one of its own, so it is that entity (subshells fold into their shell) and the programs it
     * starts hang under the image that really ran. Live tables learn the same from /proc.
     */
    public synchronized void forked(long parentPid, long childPid) {
        if (!evidence || childPid <= 0 || childPid == parentPid) return;
        Entry parent = current(parentPid).orElse(null);
        if (parent == null) return;
        put(new Entry(childPid, parentPid, parent.startTicks(), parent.ordinal(), parent.entityId(), parent.executable(),
                parent.args(), parent.start(), parent.container()));
    }

    public synchronized void exit(long pid) {
        byPid.remove(pid);
    }

    public synchronized int size() {
        return byPid.size();
    }

    private synchronized Entry register(ProcStat stat) {
        Entry existing = byPid.get(stat.pid());
        if (existing != null && existing.startTicks() == stat.startTicks()) return existing;
        String executable = ProcStat.link(proc, stat.pid(), "exe").orElse(null);
        List<String> args = ProcStat.cmdline(proc, stat.pid());
        if (executable == null) executable = args.isEmpty() ? "[" + stat.comm() + "]" : args.get(0);
        if (args.isEmpty()) args = List.of("[" + stat.comm() + "]");
        Entry entry = new Entry(stat.pid(), stat.ppid(), stat.startTicks(), 0,
                EntityIds.process(host.id(), host.bootId(), stat.pid(), stat.startTicks(), 0), executable, args,
                startInstant(stat.startTicks()), container(stat.pid(), stat.ppid()));
        put(entry);
        return entry;
    }

    /**
     * The container of a task, read when the table first meets it. A short-lived task may be gone
     * before its event is mapped: it then shares its parent's container, which a task only leaves
     * when a runtime moves it, and runtimes move a task before it executes the container's program.
     */
    private Container container(long pid, long ppid) {
        // Evidence logs carry no cgroups, and this host's are not the recording machine's.
        if (evidence) return null;
        Optional<String> cgroup = ProcStat.cgroup(proc, pid);
        if (cgroup.isPresent()) return CgroupContainers.parse(cgroup.get()).orElse(null);
        Entry parent = byPid.get(ppid);
        return parent == null ? null : parent.container();
    }

    private Instant startInstant(long startTicks) {
        long millis = bootSeconds * 1000 + startTicks * 1000 / ProcStat.TICKS_PER_SECOND;
        return Instant.ofEpochMilli(millis);
    }

    private void put(Entry entry) {
        byPid.put(entry.pid(), entry);
        if (++changesSinceSweep >= SWEEP_EVERY) sweep();
    }

    /**
     * Drops entries whose task is gone (or whose pid now belongs to another task) and whose exit
     * was never seen, bounding memory. A task that started recently is kept even when gone: its
     * last events (a write, its exit) may still be on their way through the pipeline.
     */
    private void sweep() {
        changesSinceSweep = 0;
        if (evidence) {
            if (byPid.size() > EVIDENCE_MAX_ENTRIES) {
                List<Entry> oldest = new ArrayList<>(byPid.values());
                oldest.sort(java.util.Comparator.comparingLong(Entry::startTicks));
                oldest.subList(0, byPid.size() - EVIDENCE_MAX_ENTRIES / 2).forEach(e -> byPid.remove(e.pid()));
            }
            return;
        }
        Instant settled = Instant.now().minus(SWEEP_GRACE);
        byPid.values().removeIf(e -> e.start().isBefore(settled)
                && ProcStat.read(proc, e.pid()).map(s -> s.startTicks() != e.startTicks()).orElse(true));
    }
}
