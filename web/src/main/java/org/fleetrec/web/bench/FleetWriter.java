package org.fleetrec.web.bench;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkIngester;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkListener;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.transport.BackoffPolicy;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prepared JSON straight into the cluster through one BulkIngester with several requests in flight.
 * {@code add} blocks while that many are out, so the generator never runs ahead of the cluster.
 * Rejections (429) are retried with backoff; any other failure is counted and its first reasons kept.
 */
final class FleetWriter implements AutoCloseable {
    private final BulkIngester<Void> ingester;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong conflicts = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final ConcurrentLinkedQueue<String> reasons = new ConcurrentLinkedQueue<>();
    private boolean closed;

    FleetWriter(ElasticsearchClient client, int concurrentRequests) {
        ingester = BulkIngester.of(b -> b.client(client).maxOperations(5_000).maxSize(8L << 20)
                .maxConcurrentRequests(concurrentRequests).flushInterval(200, TimeUnit.MILLISECONDS)
                .backoffPolicy(BackoffPolicy.exponentialBackoff(100L, 8))
                .listener(new BulkListener<Void>() {
                    @Override
                    public void beforeBulk(long id, BulkRequest request, List<Void> contexts) {
                    }

                    @Override
                    public void afterBulk(long id, BulkRequest request, List<Void> contexts, BulkResponse response) {
                        response.items().forEach(item -> {
                            if (item.error() == null) {
                                acknowledged.incrementAndGet();
                            } else if (item.status() == 409) {
                                conflicts.incrementAndGet(); // a create over a document of a run that was not removed
                            } else {
                                failed.incrementAndGet();
                                if (reasons.size() < 5) reasons.add(item.index() + "/" + item.id() + ": " + item.error().reason());
                            }
                        });
                    }

                    @Override
                    public void afterBulk(long id, BulkRequest request, List<Void> contexts, Throwable failure) {
                        failed.addAndGet(request.operations().size());
                        if (reasons.size() < 5) reasons.add(failure.toString());
                    }
                }));
    }

    /** {@code create}: an event is written once under its agent:sequence id, as the ingest server writes it. */
    void create(String index, String id, byte[] json) {
        BinaryData doc = BinaryData.of(json, ContentType.APPLICATION_JSON);
        ingester.add(op -> op.create(c -> c.index(index).id(id).document(doc)));
    }

    /** {@code index}: replaces a document (a host's directory entry). */
    void index(String index, String id, byte[] json) {
        BinaryData doc = BinaryData.of(json, ContentType.APPLICATION_JSON);
        ingester.add(op -> op.index(c -> c.index(index).id(id).document(doc)));
    }

    void delete(String index, String id) {
        ingester.add(op -> op.delete(d -> d.index(index).id(id)));
    }

    void flush() {
        ingester.flush();
    }

    long acknowledged() {
        return acknowledged.get();
    }

    long conflicts() {
        return conflicts.get();
    }

    long failed() {
        return failed.get();
    }

    List<String> reasons() {
        return List.copyOf(reasons);
    }

    /** Sends what is left and waits until every request is answered; closing again does nothing. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        ingester.close();
    }
}
