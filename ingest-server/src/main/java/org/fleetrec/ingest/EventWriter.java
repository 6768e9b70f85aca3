package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.BatchReader;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;
import org.fleetrec.model.MalformedEventException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one agent batch into Elasticsearch documents. Identity comes from the token; ids
 * are {@code agent.id:event.sequence} written with {@code create}, so a retried batch is
 * stored once; bad documents go to the dead-letter index instead of sinking their batch.
 */
final class EventWriter {
    /** Elasticsearch could not take the batch now; the agent should retry later. */
    static final class Backpressure extends Exception {
        Backpressure(String message) {
            super(message);
        }
    }

    private final BulkWriter bulk;
    private final HostDirectory hosts;
    private final DocumentStamper stamper = new DocumentStamper();
    private final IngestMetrics metrics;
    /** Null when detection is off. */
    private final LiveDetection detection;

    EventWriter(BulkWriter bulk, HostDirectory hosts, IngestMetrics metrics, LiveDetection detection) {
        this.detection = detection;
        this.bulk = bulk;
        this.hosts = hosts;
        this.metrics = metrics;
    }

    /** A document ready for Elasticsearch: its line in the batch, where it goes, and its JSON as stored. */
    private record Pending(int line, String index, String id, byte[] json) {
        String text() {
            return new String(json, StandardCharsets.UTF_8);
        }
    }

    /** Stores a batch; {@code remoteAddress} is where it came from, kept as the host's last address. */
    BatchResult write(AgentIdentity agent, InputStream ndjson, IngestConfig limits, String remoteAddress)
            throws IOException, Backpressure, BatchTooLarge {
        HostDirectory.Facts facts = new HostDirectory.Facts();
        Instant now = Instant.now();
        DocumentStamper.Stamp stamp = new DocumentStamper.Stamp(agent.agentId(), agent.hostId(), agent.hostName(), now.toString(),
                agent.importer());
        BatchReader reader = new BatchReader(new LimitedInputStream(ndjson, limits.maxBatchBytes()), limits.maxLineBytes());
        List<Pending> pending = new ArrayList<>();
        List<BatchResult.Rejection> rejected = new ArrayList<>();
        List<Pending> deadLetters = new ArrayList<>();
        int lines = 0;
        for (BatchReader.Line line; (line = reader.next()) != null; ) {
            if (++lines > limits.maxBatchLines()) {
                throw new BatchTooLarge("a batch holds at most " + limits.maxBatchLines() + " documents");
            }
            if (!line.ok()) {
                reject(agent, line.number(), line.error(), "(line not kept: over the size limit)", rejected, deadLetters, now);
                continue;
            }
            try {
                DocumentStamper.Stamped doc = stamper.stamp(line.bytes(), stamp, now);
                facts.see(doc.json(), doc.timestamp(), doc.health());
                pending.add(new Pending(line.number(), IndexNames.events(doc.dataset(), doc.timestamp()),
                        IndexNames.documentId(agent.agentId(), doc.sequence()), doc.json()));
            } catch (MalformedEventException | DocumentStamper.Invalid e) {
                reject(agent, line.number(), e.getMessage(), line.text(), rejected, deadLetters, now);
            }
        }
        BulkWriter.Outcome stored = store(pending, agent, rejected, deadLetters, now);
        if (detection != null) {
            List<LiveDetection.Stored> fresh = new ArrayList<>(stored.created().cardinality());
            for (int i = stored.created().nextSetBit(0); i >= 0; i = stored.created().nextSetBit(i + 1)) {
                Pending p = pending.get(i);
                fresh.add(new LiveDetection.Stored(p.index(), p.id(), p.json()));
            }
            detection.submit(fresh);
        }
        if (!deadLetters.isEmpty()) storeDeadLetters(deadLetters);
        metrics.batch(stored.stored(), stored.alreadyStored(), rejected.size());
        hosts.seen(agent, facts, remoteAddress);
        return new BatchResult(stored.stored(), stored.alreadyStored(), rejected);
    }

    /** Writes the documents; moves those Elasticsearch refused for good to the dead letters. */
    private BulkWriter.Outcome store(List<Pending> pending, AgentIdentity agent, List<BatchResult.Rejection> rejected,
                                     List<Pending> deadLetters, Instant now) throws Backpressure {
        BulkWriter.Outcome outcome = bulk.write(pending.stream().map(p -> BulkOperation.of(op -> op.create(c -> c
                .index(p.index()).id(p.id()).document(BinaryData.of(p.json(), ContentType.APPLICATION_JSON))))).toList());
        for (BulkWriter.Refusal refusal : outcome.refused()) {
            Pending p = pending.get(refusal.index());
            reject(agent, p.line(), refusal.reason(), p.text(), rejected, deadLetters, now);
        }
        return outcome;
    }

    private void storeDeadLetters(List<Pending> deadLetters) throws Backpressure {
        BulkWriter.Outcome outcome = bulk.write(deadLetters.stream().map(p -> BulkOperation.of(op -> op.index(c -> c
                .index(p.index()).document(BinaryData.of(p.json(), ContentType.APPLICATION_JSON))))).toList());
        if (!outcome.refused().isEmpty()) {
            // A dead letter that cannot be stored would be a silent loss: make the agent retry instead.
            throw new Backpressure("the dead-letter index refused documents: " + outcome.refused().get(0).reason());
        }
    }

    private static void reject(AgentIdentity agent, int line, String reason, String raw,
                               List<BatchResult.Rejection> rejected, List<Pending> deadLetters, Instant now) {
        rejected.add(new BatchResult.Rejection(line, reason));
        ObjectNode dead = EventCodec.mapper().createObjectNode()
                .put("@timestamp", now.toString()).put("agent_id", agent.agentId()).put("host_id", agent.hostId())
                .put("line", line).put("reason", reason).put("raw", raw);
        try {
            deadLetters.add(new Pending(line, IndexNames.deadletter(now), null, EventCodec.mapper().writeValueAsBytes(dead)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an in-memory JSON tree always serialises", e);
        }
    }
}
