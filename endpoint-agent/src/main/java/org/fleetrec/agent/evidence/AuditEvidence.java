package org.fleetrec.agent.evidence;

import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditEventAssembler;
import org.fleetrec.agent.audit.AuditParseException;
import org.fleetrec.agent.audit.AuditRecord;
import org.fleetrec.agent.audit.AuditRecordParser;
import org.fleetrec.agent.host.HostIdentity;
import org.fleetrec.agent.audit.RecordTypes;
import org.fleetrec.agent.audit.SyscallNames;
import org.fleetrec.agent.process.EventMapper;
import org.fleetrec.agent.process.ProcessFields;
import org.fleetrec.agent.process.ProcessTable;
import org.fleetrec.model.EventDocument;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * audit.log text (raw or ENRICHED, plain or gzip, {@code node=} prefixed or not) from another
 * machine into documents, through the same assembler and mappers as live capture, but with a
 * process table built from the log alone: the machine's own /proc is gone, and this host's must
 * never be consulted. Each {@code node} is a host of its own, with its own table.
 */
final class AuditEvidence {
    /** Records are grouped by their own clock: a record this much older than the newest closes its event. */
    private static final long EVENT_WINDOW_MILLIS = 2_000;
    private static final int FLUSH_EVERY = 1_000;
    private static final java.util.Set<String> FORKS = java.util.Set.of("clone", "clone3", "fork", "vfork");

    private final String fallbackHost;
    private final Map<String, Node> nodes = new HashMap<>();

    AuditEvidence(String fallbackHost) {
        this.fallbackHost = fallbackHost;
    }

    /** One machine's pipeline: assembler → mapper, and where each waiting event's first record was. */
    private final class Node {
        final EvidenceHost host;
        final ProcessTable processes;
        final EventMapper mapper;
        final AuditEventAssembler assembler;
        final Map<Long, String> firstAt = new HashMap<>();
        EvidenceSink sink;
        String file;
        IOException shipping;
        InterruptedException interrupted;

        Node(EvidenceHost host) {
            this.host = host;
            HostIdentity identity = new HostIdentity(host.id(), host.name(), "evidence", "linux", "unknown", "unknown");
            this.processes = ProcessTable.forEvidence(identity);
            this.mapper = EventMapper.forEvidence(processes);
            this.assembler = new AuditEventAssembler(this::emit, EVENT_WINDOW_MILLIS);
        }

        void emit(AuditEvent event) {
            String at = firstAt.remove(event.serial());
            if (at == null) at = file + " (serial " + event.serial() + ")";
            sink.auditEvent();
            List<EventDocument> docs;
            try {
                docs = mapper.map(event);
            } catch (RuntimeException e) {
                sink.failed("could not map the audit event: " + e.getMessage(), at);
                return;
            }
            forks(event);
            if (docs.isEmpty()) {
                sink.skipped("a local IPC socket call, which is not network activity", at);
                return;
            }
            for (int i = 0; i < docs.size(); i++) {
                EventDocument doc = docs.get(i);
                EnrichedNames.fill(doc, event);
                try {
                    sink.document(host, doc, EvidenceSequence.audit(event.epochMillis(), event.serial(), i), at);
                } catch (IOException e) {
                    if (shipping == null) shipping = e;
                } catch (InterruptedException e) {
                    interrupted = e;
                    Thread.currentThread().interrupt();
                } catch (IllegalArgumentException e) {
                    sink.failed(e.getMessage(), at);
                }
            }
        }

        /** A successful fork names its child in {@code exit}: the child runs this image until it executes. */
        void forks(AuditEvent event) {
            AuditRecord syscall = event.first(RecordTypes.SYSCALL);
            if (syscall == null || "no".equals(syscall.field("success"))) return;
            String name = SyscallNames.name(syscall.field("arch"), syscall.field("syscall"));
            if (name != null && FORKS.contains(name)) {
                processes.forked(ProcessFields.number(syscall.field("pid")), ProcessFields.number(syscall.field("exit")));
            }
        }

        /** The assembler's sink cannot throw: what shipping raised inside it is raised here. */
        void rethrow() throws IOException, InterruptedException {
            if (interrupted != null) throw interrupted;
            if (shipping != null) {
                IOException e = shipping;
                shipping = null;
                throw e;
            }
        }
    }

    void read(Path file, EvidenceSink sink) throws IOException, InterruptedException {
        long lineNumber = 0;
        long sinceFlush = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(EvidenceFormat.open(file), StandardCharsets.UTF_8), 1 << 16)) {
            for (String line; (line = in.readLine()) != null; ) {
                lineNumber++;
                if (line.isBlank() || line.startsWith("#")) continue;
                sink.record();
                String at = file + ":" + lineNumber;
                AuditRecord record;
                try {
                    record = AuditRecordParser.parseLine(line);
                } catch (AuditParseException e) {
                    sink.failed(e.getMessage(), at);
                    continue;
                }
                String name = record.field("node") != null ? record.field("node") : fallbackHost;
                if (name == null) {
                    sink.failed("the record names no host (no node=), and no --host was given", at);
                    continue;
                }
                Node node;
                try {
                    node = nodes.computeIfAbsent(name, n -> new Node(EvidenceHost.named(n, "linux")));
                } catch (IllegalArgumentException e) {
                    sink.failed("unusable node name: " + e.getMessage(), at);
                    continue;
                }
                node.sink = sink;
                node.file = file.toString();
                node.firstAt.putIfAbsent(record.serial(), at);
                node.assembler.accept(record);
                if (++sinceFlush >= FLUSH_EVERY) {
                    sinceFlush = 0;
                    node.assembler.flushExpired(record.epochMillis());
                }
                node.rethrow();
            }
        }
        // An event cut by the end of this file is complete as far as the evidence goes.
        for (Node node : nodes.values()) {
            node.assembler.flushAll();
            node.firstAt.clear();
            node.rethrow();
        }
    }
}
