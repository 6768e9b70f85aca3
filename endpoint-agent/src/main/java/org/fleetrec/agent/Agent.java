package org.fleetrec.agent;

import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditEventAssembler;
import org.fleetrec.agent.audit.AuditParseException;
import org.fleetrec.agent.audit.AuditRecord;
import org.fleetrec.agent.audit.AuditRecordParser;
import org.fleetrec.agent.audit.rule.AuditRuleData;
import org.fleetrec.agent.audit.rule.DefaultRules;
import org.fleetrec.agent.filter.EventFilter;
import org.fleetrec.agent.host.HostIdentity;
import org.fleetrec.agent.host.ThreadPriority;
import org.fleetrec.agent.host.UserNames;
import org.fleetrec.agent.process.EventMapper;
import org.fleetrec.agent.process.ProcessTable;
import org.fleetrec.agent.process.SnapshotMapper;
import org.fleetrec.agent.rules.UserRuleWatcher;
import org.fleetrec.agent.rules.UserRules;
import org.fleetrec.agent.ship.Enrollment;
import org.fleetrec.agent.ship.Shipper;
import org.fleetrec.agent.store.EventStore;
import org.fleetrec.agent.source.Capture;
import org.fleetrec.agent.source.CaptureSelector;
import org.fleetrec.agent.source.line.AuditLineSource;
import org.fleetrec.agent.source.line.LogPosition;
import org.fleetrec.agent.source.netlink.KernelAudit;
import org.fleetrec.agent.source.netlink.KernelAuditConfig;
import org.fleetrec.agent.source.netlink.NetlinkErrorException;
import org.fleetrec.agent.source.windows.EventLogApi;
import org.fleetrec.agent.source.windows.EventLogCapture;
import org.fleetrec.agent.source.windows.SysmonBatch;
import org.fleetrec.model.EventDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's data flow: kernel audit → records → events → ECS documents → filter → shipper.
 * The capture thread only hands raw records to a bounded queue (drops are counted);
 * one processing thread does everything else, so nothing downstream can stall capture.
 * On Windows the capture is Sysmon's event-log channel: its thread hands over batches of documents
 * already mapped, each with the bookmark to persist with them, through the same queue.
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    private static final Path PROC = Path.of("/proc");
    private static final long HEALTH_EVERY_MILLIS = 60_000;
    private static final long STATUS_EVERY_MILLIS = 10_000;
    private static final long RULES_EVERY_MILLIS = 2_000;
    private static final long FLUSH_EVERY_MILLIS = 200;
    private static final long RETENTION_EVERY_MILLIS = 30_000;
    private static final int EINVAL = 22;
    /** What the kernel's audit settings were before this host's agent changed them. */
    public static final String KERNEL_SETTINGS = "kernel-settings.properties";

    /**
     * A record as it arrived: netlink gives its type apart from the text; a line carries it inside, and
     * a followed log's line the position just past it (else null).
     */
    private record RawRecord(int type, String text, LogPosition after) implements Work {
        static final int LINE = -1;
    }

    /** What the processing thread takes: a record, or a batch of the Windows event log. */
    private sealed interface Work permits RawRecord, EventLogWork {
    }

    private record EventLogWork(SysmonBatch batch) implements Work {
    }

    /**
     * Event-log batches queued at most: the event log keeps what is not taken, so its reader waits rather
     * than fill memory with a hundred documents per queue slot.
     */
    private static final int EVENT_LOG_BATCHES_QUEUED = 8;

    private final AgentConfig config;
    private final BlockingQueue<Work> records = new ArrayBlockingQueue<>(65_536);
    private final java.util.concurrent.Semaphore eventLogRoom = new java.util.concurrent.Semaphore(EVENT_LOG_BATCHES_QUEUED);
    private final AgentHealth health = new AgentHealth();
    private final AtomicLong recordedCount = new AtomicLong();
    private final java.util.function.Consumer<EventDocument> recorded;
    private final HostIdentity host;
    private final EventStamp stamp;
    private final Shipper shipper;
    private final ProcessTable processes;
    private final EventMapper mapper;
    private final EventFilter filter;
    private final AuditEventAssembler assembler;
    private final Thread processing;
    private final Capture capture;
    private final EventStore store;
    private final UserRuleWatcher userRules;
    private final SourceProgress sourceProgress = new SourceProgress();
    /** Reading Sysmon's event-log channel (Windows) instead of Linux audit. */
    private final boolean eventLog;
    private volatile boolean stopping;

    public Agent(AgentConfig config) throws IOException, InterruptedException {
        this(config, doc -> { });
    }

    /** {@code recorded} sees every document the agent keeps, stamped, before it is shipped. */
    public Agent(AgentConfig config, java.util.function.Consumer<EventDocument> recorded) throws IOException, InterruptedException {
        this(config, recorded, EventLogApi::windows);
    }

    /** {@code eventLogApi} gives the Windows event log calls, asked for only when that source is chosen. */
    Agent(AgentConfig config, java.util.function.Consumer<EventDocument> recorded, EventLogSupplier eventLogApi)
            throws IOException, InterruptedException {
        this.config = config;
        this.eventLog = CaptureSelector.readsEventLog(config.auditSource());
        this.recorded = recorded;
        Files.createDirectories(config.stateDir());
        host = HostIdentity.read(config.stateDir());
        store = EventStore.open(new EventStore.Config(config.stateDir().resolve("monitor.db"),
                config.storeQuotaBytes(), config.storeMaxAge()));
        store.onGap(this::emitGap);
        String agentId;
        if (config.ship()) {
            HttpClient http = config.ingestTrust().configure(HttpClient.newBuilder()).connectTimeout(Duration.ofSeconds(10)).build();
            Enrollment.Credentials credentials = enroll(http);
            agentId = credentials.agentId();
            shipper = new Shipper(config.ingests(), credentials.token(), http, Shipper.Limits.defaults(), store);
        } else {
            agentId = "local-" + host.id();
            shipper = null;
        }
        stamp = new EventStamp(new SequenceAllocator(config.stateDir().resolve("sequence")), host, agentId,
                eventLog ? EventStamp.WINDOWS : EventStamp.LINUX);

        UserNames names = new UserNames();
        processes = new ProcessTable(host, PROC);
        mapper = new EventMapper(processes, names, PROC);
        filter = EventFilter.load(config.filters(), processes);
        assembler = new AuditEventAssembler(this::onEvent, 2_000, System::currentTimeMillis);

        // Kernel first, snapshot second: a process started in between is seen by both, never by neither.
        capture = CaptureSelector.start(config.auditSource(), this::startKernelAudit, this::onLine,
                saved -> EventLogCapture.start(eventLogApi.get(), this::onEventLogBatch, saved), store.sourcePosition());
        // A log position saved by an earlier run in log mode is stale once events came another way. Where
        // a followed log starts is safe to persist before any line is read: a stop before the first line
        // then resumes there too, not at the end. The event log's bookmark works the same way.
        if (!AuditLineSource.MODE_LOG.equals(capture.mode()) && !EventLogCapture.MODE.equals(capture.mode())) {
            store.sourcePosition(null);
        }
        capture.startPosition().ifPresent(store::sourcePosition);
        if (capture.controlsKernel()) {
            // User rules follow ours: a crashed run's copies go first, then the host's set is applied.
            if (KernelAudit.MODE_UNICAST.equals(capture.mode())) KernelAudit.removeRulesWithKey(UserRules.KEY);
            userRules = new UserRuleWatcher(config.stateDir());
            userRules.poll();
        } else {
            userRules = null;
        }
        if (!eventLog) { // no /proc on Windows: Sysmon's own events carry the processes
            SnapshotMapper snapshots = new SnapshotMapper(processes, names, PROC);
            Instant now = Instant.now();
            for (ProcessTable.Entry entry : processes.snapshot()) {
                emit(snapshots.map(entry, now));
            }
        }
        emit(healthDocument());
        store.flush();
        processing = new Thread(this::process, "audit-processing");
        processing.start();
        log.info("agent {} recording host {} ({}) in mode {}", agentId, host.name(), host.id(), capture.mode());
    }

    public String mode() {
        return capture.mode();
    }

    /** Gives the Windows event log calls; only ever asked where that source was chosen. */
    @FunctionalInterface
    interface EventLogSupplier {
        EventLogApi get() throws IOException;
    }

    private KernelAudit startKernelAudit() throws IOException {
        List<Path> watched = DefaultRules.existing(config.watchedPaths());
        List<Path> reads = DefaultRules.existingReadable(DefaultRules.READ_WATCHED_PATHS);
        long self = ProcessHandle.current().pid();
        try {
            return KernelAudit.start(config(DefaultRules.build(self, config.ruleKey(), watched, reads, true)), this::onRecord);
        } catch (NetlinkErrorException e) {
            if (e.errno() != EINVAL) throw e;
            // Kernels before saddr_fam: capture all families, drop local sockets in the agent.
            log.warn("the kernel does not filter by socket family ({}); filtering in the agent instead", e.getMessage());
            return KernelAudit.start(config(DefaultRules.build(self, config.ruleKey(), watched, reads, false)), this::onRecord);
        }
    }

    private KernelAuditConfig config(List<AuditRuleData> rules) {
        return new KernelAuditConfig(config.ruleKey(), rules, config.backlogLimit(), config.backlogWaitTime(),
                config.rateLimit(), config.stateDir().resolve(KERNEL_SETTINGS));
    }

    private Enrollment.Credentials enroll(HttpClient http) throws InterruptedException, IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return Enrollment.loadOrEnroll(config.stateDir(), config.ingests(), config.enrollmentSecret(), host, http);
            } catch (Enrollment.Refused e) {
                throw e;
            } catch (IOException e) {
                if (attempt % 5 == 1) log.warn("enrollment pending: {}", e.toString());
                Thread.sleep(Math.min(30_000, 1_000L * attempt));
            }
        }
    }

    /** Called on the capture thread: must never block. */
    private void onRecord(String text, int type) {
        offer(new RawRecord(type, text, null));
    }

    /**
     * Called on a line source's reading thread. A stream's lines (audisp: no position) must never wait.
     * A followed log keeps what is not read yet, so its lines wait for room rather than be dropped:
     * catching up after a restart is a burst. Once stopping, a line is left for the next start, which
     * reads it again (its position was never persisted).
     */
    private void onLine(String line, LogPosition after) {
        RawRecord raw = new RawRecord(RawRecord.LINE, line, after);
        if (after == null) {
            offer(raw);
            return;
        }
        try {
            while (!records.offer(raw, 100, TimeUnit.MILLISECONDS)) {
                if (stopping) return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void offer(RawRecord raw) {
        if (!records.offer(raw)) health.queueDrops.incrementAndGet();
    }

    /**
     * Called on the event-log thread; waits for room, as the event log keeps what is not taken yet. Once
     * stopping, a batch is refused: its bookmark is never persisted, so the next start reads it again.
     */
    private boolean onEventLogBatch(SysmonBatch batch) throws InterruptedException {
        while (!eventLogRoom.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            if (stopping) return false;
        }
        while (!records.offer(new EventLogWork(batch), 100, TimeUnit.MILLISECONDS)) {
            if (stopping) {
                eventLogRoom.release();
                return false;
            }
        }
        return true;
    }

    /** A batch's documents, then its bookmark: the next flush commits both, so neither is ahead of the other. */
    private void take(SysmonBatch batch) throws InterruptedException {
        for (EventDocument doc : batch.documents()) {
            // The source's own documents (unreadable records, gaps) are never filtered away.
            if (org.fleetrec.model.Dataset.AGENT.id().equals(doc.text(org.fleetrec.model.Ecs.EVENT_DATASET)) || filter.keep(doc)) {
                emit(doc);
            }
        }
        if (batch.position() != null) store.sourcePosition(batch.position());
    }

    private void process() {
        if (!eventLog) ThreadPriority.boostCurrentThread(); // Linux's per-thread nice value
        long now = System.currentTimeMillis();
        long nextHealth = now + HEALTH_EVERY_MILLIS;
        long nextStatus = now;
        long nextRules = now + RULES_EVERY_MILLIS;
        long nextFlush = now + FLUSH_EVERY_MILLIS;
        long nextRetention = now;
        while (!stopping || !records.isEmpty()) {
            try {
                Work work = records.poll(100, TimeUnit.MILLISECONDS);
                if (work instanceof EventLogWork taken) {
                    eventLogRoom.release();
                    take(taken.batch());
                } else if (work instanceof RawRecord raw) {
                    try {
                        AuditRecord record = raw.type() == RawRecord.LINE
                                ? AuditRecordParser.parseLine(raw.text())
                                : AuditRecordParser.parse(raw.type(), raw.text());
                        if (raw.after() != null) sourceProgress.reading(record);
                        assembler.accept(record);
                    } catch (AuditParseException e) {
                        health.malformed.incrementAndGet();
                        log.debug("malformed audit record ({}): {}", e.getMessage(), raw.text());
                    } finally {
                        if (raw.after() != null) sourceProgress.read(raw.after());
                    }
                }
                now = System.currentTimeMillis();
                assembler.flushExpired(now);
                if (now >= nextFlush) {
                    persistSourcePosition();
                    store.flush();
                    nextFlush = now + FLUSH_EVERY_MILLIS;
                    if (store.overQuota()) nextRetention = now;
                }
                if (now >= nextRetention) {
                    store.enforceRetention(java.time.Instant.now()).ifPresent(this::emitGap);
                    nextRetention = now + RETENTION_EVERY_MILLIS;
                }
                if (now >= nextRules && userRules != null) {
                    userRules.poll();
                    nextRules = now + RULES_EVERY_MILLIS;
                }
                if (now >= nextStatus) {
                    EventDocument doc = healthDocument();
                    if (now >= nextHealth) {
                        emit(doc);
                        nextHealth = now + HEALTH_EVERY_MILLIS;
                    }
                    AgentHealth.writeStatus(config.stateDir().resolve("status.json"), doc, ProcessHandle.current().pid());
                    nextStatus = now + STATUS_EVERY_MILLIS;
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // One bad event must not end recording.
                log.warn("event processing failed", e);
            }
        }
        assembler.flushAll();
        persistSourcePosition();
        store.flush();
    }

    /** Hands the store the source position all of whose events it has: the next flush commits both. */
    private void persistSourcePosition() {
        sourceProgress.advanced(assembler.inFlight()).ifPresent(p -> store.sourcePosition(p.encode()));
    }

    /** The quota forced out events never shipped: say how many and which, as an event of its own. */
    private void emitGap(EventStore.Gap gap) {
        log.warn("store quota reached: {} unshipped events dropped (sequences {}..{})", gap.count(), gap.firstSequence(),
                gap.lastSequence());
        health.storeGaps.addAndGet(gap.count());
        try {
            emit(org.fleetrec.agent.process.Documents.event(Instant.now(), org.fleetrec.model.Dataset.AGENT, "gap",
                            "alert", "host", "info")
                    .put("fleet.gap.count", gap.count())
                    .put("fleet.gap.first_sequence", gap.firstSequence())
                    .put("fleet.gap.last_sequence", gap.lastSequence()));
            store.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void onEvent(AuditEvent event) {
        sourceProgress.emitted(event.serial());
        try {
            List<EventDocument> docs = mapper.map(event);
            if (docs.isEmpty()) health.ipcSockets.incrementAndGet();
            for (EventDocument doc : docs) {
                if (filter.keep(doc)) emit(doc);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            health.malformed.incrementAndGet();
            log.warn("could not map audit event {}: {}", event.serial(), e.toString());
        }
    }

    private void emit(EventDocument doc) throws InterruptedException {
        health.counted(doc);
        recordedCount.incrementAndGet();
        EventDocument stamped = stamp.stamp(doc);
        recorded.accept(stamped);
        store.append(stamped);
    }

    private EventDocument healthDocument() {
        return health.document(new AgentHealth.Readings(capture.mode(), capture.kernelLost(), capture.kernelBacklog(),
                capture.overruns(), assembler.sequenceGaps(), filter.dropped(), processes.size(),
                shipper == null ? 0 : store.unshipped(), shipper == null ? 0 : shipper.shipped(),
                userRules == null ? "not applicable in " + capture.mode() + " mode" : userRules.summary()));
    }

    /** Removes our rules and restores the kernel settings first, then drains what was recorded. */
    @Override
    public void close() throws InterruptedException {
        if (userRules != null) userRules.close();
        capture.close();
        stopping = true;
        processing.join(5_000);
        if (shipper != null) shipper.close();
        store.close();
        log.info("agent stopped; {} events recorded, {} shipped", recordedCount.get(), shipper == null ? 0 : shipper.shipped());
    }
}
