package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.BatchReader;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.EventDocument;
import org.fleetrec.model.IndexNames;
import org.fleetrec.model.MalformedEventException;

import java.io.IOException;
import java.io.InputStream;
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
    private final DocumentValidator validator = new DocumentValidator();
    private final IngestMetrics metrics;

    EventWriter(BulkWriter bulk, HostDirectory hosts, IngestMetrics metrics) {
        this.bulk = bulk;
        this.hosts = hosts;
        this.metrics = metrics;
    }

    private record Pending(int line, String index, String id, ObjectNode document) {
    }

    /** Stores a batch; {@code remoteAddress} is where it came from, kept as the host's last address. */
    BatchResult write(AgentIdentity agent, InputStream ndjson, IngestConfig limits, String remoteAddress)
            throws IOException, Backpressure, BatchTooLarge {
        HostDirectory.Facts facts = new HostDirectory.Facts();
        Instant now = Instant.now();
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
                EventDocument doc = EventCodec.parseLine(line.text());
                DocumentValidator.Valid valid = validator.validate(doc, now);
                stamp(doc, agent, now);
                facts.see(doc, valid.timestamp());
                pending.add(new Pending(line.number(), IndexNames.events(valid.dataset(), valid.timestamp()),
                        IndexNames.documentId(agent.agentId(), valid.sequence()), doc.json()));
            } catch (MalformedEventException | DocumentValidator.Invalid e) {
                reject(agent, line.number(), e.getMessage(), line.text(), rejected, deadLetters, now);
            }
        }
        BulkWriter.Outcome stored = store(pending, agent, rejected, deadLetters, now);
        if (!deadLetters.isEmpty()) storeDeadLetters(deadLetters);
        metrics.batch(stored.stored(), stored.alreadyStored(), rejected.size());
        hosts.seen(agent, facts, remoteAddress);
        return new BatchResult(stored.stored(), stored.alreadyStored(), rejected);
    }

    /** Writes the documents; moves those Elasticsearch refused for good to the dead letters. */
    private BulkWriter.Outcome store(List<Pending> pending, AgentIdentity agent, List<BatchResult.Rejection> rejected,
                                     List<Pending> deadLetters, Instant now) throws Backpressure {
        BulkWriter.Outcome outcome = bulk.write(pending.stream().map(p -> BulkOperation.of(op -> op.create(c -> c
                .index(p.index()).id(p.id()).document(p.document())))).toList());
        for (BulkWriter.Refusal refusal : outcome.refused()) {
            Pending p = pending.get(refusal.index());
            reject(agent, p.line(), refusal.reason(), p.document().toString(), rejected, deadLetters, now);
        }
        return outcome;
    }

    private void storeDeadLetters(List<Pending> deadLetters) throws Backpressure {
        BulkWriter.Outcome outcome = bulk.write(deadLetters.stream().map(p -> BulkOperation.of(op -> op.index(c -> c
                .index(p.index()).document(p.document())))).toList());
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
        deadLetters.add(new Pending(line, IndexNames.deadletter(now), null, dead));
    }

    private static void stamp(EventDocument doc, AgentIdentity agent, Instant now) {
        doc.put(Ecs.AGENT_ID, agent.agentId())
                .put(Ecs.HOST_ID, agent.hostId())
                .put(Ecs.EVENT_INGESTED, now.toString());
        if (!doc.has(Ecs.HOST_NAME)) doc.put(Ecs.HOST_NAME, agent.hostName());
    }
}
