package org.fleetrec.agent;

import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditEventAssembler;
import org.fleetrec.agent.audit.AuditParseException;
import org.fleetrec.agent.audit.AuditRecordParser;
import org.fleetrec.agent.audit.rule.Arch;
import org.fleetrec.agent.audit.rule.AuditRuleData;
import org.fleetrec.agent.host.HostIdentity;
import org.fleetrec.agent.host.UserNames;
import org.fleetrec.agent.process.ExecutableHasher;
import org.fleetrec.agent.process.ExecveMapper;
import org.fleetrec.agent.process.ProcessTable;
import org.fleetrec.agent.process.SnapshotMapper;
import org.fleetrec.agent.ship.Enrollment;
import org.fleetrec.agent.ship.Shipper;
import org.fleetrec.agent.source.netlink.KernelAudit;
import org.fleetrec.agent.source.netlink.KernelAuditConfig;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's data flow: kernel audit → records → events → ECS documents → shipper.
 * The capture thread only hands raw records to a bounded queue (drops are counted);
 * one processing thread does everything else, so nothing downstream can stall capture.
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    private static final Path PROC = Path.of("/proc");
    private static final long HEALTH_EVERY_MILLIS = 60_000;

    private record RawRecord(int type, String text) {
    }

    private final AgentConfig config;
    private final BlockingQueue<RawRecord> records = new ArrayBlockingQueue<>(65_536);
    private final AtomicLong queueDrops = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final HostIdentity host;
    private final EventStamp stamp;
    private final Shipper shipper;
    private final ProcessTable processes;
    private final ExecveMapper execs;
    private final AuditEventAssembler assembler;
    private final Thread processing;
    private final KernelAudit audit;
    private volatile boolean stopping;

    public Agent(AgentConfig config) throws IOException, InterruptedException {
        this.config = config;
        Files.createDirectories(config.stateDir());
        host = HostIdentity.read(config.stateDir());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        Enrollment.Credentials credentials = enroll(http);
        stamp = new EventStamp(new SequenceAllocator(config.stateDir().resolve("sequence")), host, credentials.agentId());
        shipper = new Shipper(config.ingest(), credentials.token(), http, Shipper.Limits.defaults());

        UserNames names = new UserNames();
        processes = new ProcessTable(host, PROC);
        execs = new ExecveMapper(processes, names, new ExecutableHasher(PROC));
        assembler = new AuditEventAssembler(this::onEvent, 2_000);

        // Kernel first, snapshot second: a process started in between is seen by both, never by neither.
        audit = KernelAudit.start(new KernelAuditConfig(config.ruleKey(), defaultRules(config.ruleKey()),
                config.backlogLimit(), config.backlogWaitTime(), 0), this::onRecord);
        SnapshotMapper snapshots = new SnapshotMapper(processes, names, PROC);
        Instant now = Instant.now();
        for (ProcessTable.Entry entry : processes.snapshot()) {
            shipper.ship(stamp.stamp(snapshots.map(entry, now)));
        }
        shipper.ship(stamp.stamp(health()));
        processing = new Thread(this::process, "audit-processing");
        processing.start();
        log.info("agent {} recording host {} ({}) in mode {}", credentials.agentId(), host.name(), host.id(), audit.mode());
    }

    public String mode() {
        return audit.mode();
    }

    /** execve and execveat on both ABIs, tagged with our key, never for the agent itself. */
    static List<AuditRuleData> defaultRules(String key) {
        long self = ProcessHandle.current().pid();
        List<AuditRuleData> rules = new ArrayList<>();
        for (Arch arch : new Arch[]{Arch.B64, Arch.B32}) {
            rules.add(AuditRuleData.exitAlways().arch(arch).syscalls("execve", "execveat").pidNot(self).key(key));
        }
        return rules;
    }

    private Enrollment.Credentials enroll(HttpClient http) throws InterruptedException, IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return Enrollment.loadOrEnroll(config.stateDir(), config.ingest(), config.enrollmentSecret(), host, http);
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
        if (!records.offer(new RawRecord(type, text))) queueDrops.incrementAndGet();
    }

    private void process() {
        long nextHealth = System.currentTimeMillis() + HEALTH_EVERY_MILLIS;
        while (!stopping || !records.isEmpty()) {
            try {
                RawRecord raw = records.poll(100, TimeUnit.MILLISECONDS);
                if (raw != null) {
                    try {
                        assembler.accept(AuditRecordParser.parse(raw.type(), raw.text()));
                    } catch (AuditParseException e) {
                        malformed.incrementAndGet();
                        log.debug("malformed audit record ({}): {}", e.getMessage(), raw.text());
                    }
                }
                long now = System.currentTimeMillis();
                assembler.flushExpired(now);
                if (now >= nextHealth) {
                    shipper.ship(stamp.stamp(health()));
                    nextHealth = now + HEALTH_EVERY_MILLIS;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // One bad event must not end recording.
                log.warn("event processing failed", e);
            }
        }
        assembler.flushAll();
    }

    private void onEvent(AuditEvent event) {
        if (!ExecveMapper.isExec(event)) return;
        try {
            shipper.ship(stamp.stamp(execs.map(event)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            malformed.incrementAndGet();
            log.warn("could not map audit event {}: {}", event.serial(), e.toString());
        }
    }

    private EventDocument health() {
        var status = audit.status();
        return EventDocument.create()
                .put(Ecs.TIMESTAMP, Instant.now().toString())
                .put(Ecs.EVENT_DATASET, Dataset.AGENT.id())
                .put(Ecs.EVENT_ACTION, "health")
                .put(Ecs.EVENT_KIND, "metric")
                .putAll(Ecs.EVENT_CATEGORY, List.of("host"))
                .putAll(Ecs.EVENT_TYPE, List.of("info"))
                .put("fleet.health.source_mode", audit.mode())
                .put("fleet.health.kernel_lost", status.lost())
                .put("fleet.health.backlog", status.backlog())
                .put("fleet.health.socket_overruns", audit.overruns())
                .put("fleet.health.queue_drops", queueDrops.get())
                .put("fleet.health.sequence_gaps", assembler.sequenceGaps())
                .put("fleet.health.malformed_records", malformed.get())
                .put("fleet.health.process_table_size", processes.size())
                .put("fleet.health.ship_queue", shipper.pending());
    }

    /** Removes our rules and restores the kernel settings first, then drains what was recorded. */
    @Override
    public void close() throws InterruptedException {
        audit.close();
        stopping = true;
        processing.join(5_000);
        shipper.close();
        log.info("agent stopped; {} events shipped", shipper.shipped());
    }
}
