package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
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

    private static final int ATTEMPTS = 4;

    private final ElasticsearchClient client;
    private final DocumentValidator validator = new DocumentValidator();
    private final IngestMetrics metrics;

    EventWriter(ElasticsearchClient client, IngestMetrics metrics) {
        this.client = client;
        this.metrics = metrics;
    }

    private record Pending(int line, String index, String id, ObjectNode document) {
    }

    BatchResult write(AgentIdentity agent, InputStream ndjson, IngestConfig limits)
            throws IOException, Backpressure, BatchTooLarge {
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
                pending.add(new Pending(line.number(), IndexNames.events(valid.dataset(), valid.timestamp()),
                        IndexNames.documentId(agent.agentId(), valid.sequence()), doc.json()));
            } catch (MalformedEventException | DocumentValidator.Invalid e) {
                reject(agent, line.number(), e.getMessage(), line.text(), rejected, deadLetters, now);
            }
        }
        int[] counts = store(pending, agent, rejected, deadLetters, now);
        if (!deadLetters.isEmpty()) storeDeadLetters(deadLetters);
        metrics.batch(counts[0], counts[1], rejected.size());
        return new BatchResult(counts[0], counts[1], rejected);
    }

    /** Returns {accepted, duplicates}; moves mapping failures to the dead letters. */
    private int[] store(List<Pending> pending, AgentIdentity agent, List<BatchResult.Rejection> rejected,
                        List<Pending> deadLetters, Instant now) throws IOException, Backpressure {
        int accepted = 0;
        int duplicates = 0;
        List<Pending> todo = pending;
        for (int attempt = 1; !todo.isEmpty(); attempt++) {
            List<BulkOperation> operations = new ArrayList<>(todo.size());
            for (Pending p : todo) {
                operations.add(BulkOperation.of(op -> op.create(c -> c.index(p.index()).id(p.id()).document(p.document()))));
            }
            long started = System.nanoTime();
            BulkResponse response = client.bulk(b -> b.operations(operations));
            metrics.elasticsearchLatency(System.nanoTime() - started);
            List<Pending> retry = new ArrayList<>();
            for (int i = 0; i < todo.size(); i++) {
                BulkResponseItem item = response.items().get(i);
                Pending p = todo.get(i);
                int status = item.status();
                if (status == 200 || status == 201) {
                    accepted++;
                } else if (status == 409) {
                    duplicates++;
                } else if (status == 429 || status >= 500) {
                    retry.add(p);
                } else {
                    String reason = item.error() == null ? "status " + status
                            : item.error().type() + ": " + item.error().reason();
                    reject(agent, p.line(), "Elasticsearch refused the document: " + reason,
                            p.document().toString(), rejected, deadLetters, now);
                }
            }
            if (!retry.isEmpty() && attempt >= ATTEMPTS) {
                throw new Backpressure(retry.size() + " documents were not accepted by Elasticsearch after "
                        + attempt + " attempts");
            }
            if (!retry.isEmpty()) sleep(200L << attempt);
            todo = retry;
        }
        return new int[]{accepted, duplicates};
    }

    private void storeDeadLetters(List<Pending> deadLetters) throws IOException, Backpressure {
        List<BulkOperation> operations = new ArrayList<>();
        for (Pending p : deadLetters) {
            operations.add(BulkOperation.of(op -> op.index(c -> c.index(p.index()).document(p.document()))));
        }
        BulkResponse response = client.bulk(b -> b.operations(operations));
        if (response.errors()) {
            // A dead letter that cannot be stored would be a silent loss: make the agent retry instead.
            throw new Backpressure("the dead-letter index refused documents");
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

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while backing off", e);
        }
    }
}
