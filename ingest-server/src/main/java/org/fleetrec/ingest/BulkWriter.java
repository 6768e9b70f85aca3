package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkIngester;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkListener;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import org.fleetrec.templates.ElasticsearchErrors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One BulkIngester shared by every request of the server, so documents of many agent batches
 * travel in a few large bulk requests, several at once. Each agent batch waits for its own
 * documents only: it is done when every one of them is stored, already stored (409 on create) or
 * refused for good (a mapping error, which the caller dead-letters). Items Elasticsearch pushed
 * back (429, 5xx) or that a failed request carried are retried with jittered backoff; when they
 * keep failing the batch fails as a whole and the agent, told to retry, sends it again later.
 */
final class BulkWriter implements AutoCloseable {
    /** How bulk requests are cut and how long a batch may keep retrying. */
    record Limits(int maxOperations, long maxBytes, int concurrentRequests, Duration flushInterval,
                  int attempts, Duration batchDeadline) {
        /**
         * Cut for latency, not only size: every agent waits for its batch to be stored, so a request
         * goes out as soon as an agent's batch fills it rather than waiting to pool with others
         * (measured with {@code ./fleetrec bench ingest}: 5,000-operation requests left four
         * busy agents waiting on the flush timer at 0.6 of the direct rate).
         */
        static Limits defaults() {
            return new Limits(1_000, 8L << 20, 4, Duration.ofMillis(50), 6, Duration.ofSeconds(45));
        }
    }

    /** A document Elasticsearch will never take as it is: its place in the list written, and why. */
    record Refusal(int index, String reason) {
    }

    /**
     * What happened to the documents of one batch; {@code created} marks the places of those stored
     * now, not before: only they are new to anything that follows the stream (detection).
     */
    record Outcome(int stored, int alreadyStored, List<Refusal> refused, java.util.BitSet created) {
    }

    private final BulkIngester<Slot> ingester;
    private final ScheduledExecutorService retries;
    private final IngestMetrics metrics;
    private final Limits limits;
    private final Map<Long, Long> started = new ConcurrentHashMap<>();

    BulkWriter(ElasticsearchClient client, IngestMetrics metrics, Limits limits) {
        this.metrics = metrics;
        this.limits = limits;
        this.retries = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "bulk-retry");
            t.setDaemon(true);
            return t;
        });
        this.ingester = BulkIngester.of(b -> b.client(client)
                .maxOperations(limits.maxOperations())
                .maxSize(limits.maxBytes())
                .maxConcurrentRequests(limits.concurrentRequests())
                .flushInterval(limits.flushInterval().toMillis(), TimeUnit.MILLISECONDS)
                .listener(new Listener()));
        metrics.bulkGauges(ingester::pendingOperations, ingester::pendingRequests);
    }

    /** Writes the operations and waits until each is settled; throws when Elasticsearch kept refusing. */
    Outcome write(List<BulkOperation> operations) throws EventWriter.Backpressure {
        if (operations.isEmpty()) return new Outcome(0, 0, List.of(), new java.util.BitSet());
        Batch batch = new Batch(operations.size());
        for (int i = 0; i < operations.size(); i++) ingester.add(operations.get(i), new Slot(batch, operations.get(i), i, 1));
        try {
            return batch.done.get(limits.batchDeadline().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            batch.abandon();
            throw new EventWriter.Backpressure("Elasticsearch did not store the batch within "
                    + limits.batchDeadline().toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new EventWriter.Backpressure(e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            batch.abandon();
            throw new EventWriter.Backpressure("interrupted while waiting for Elasticsearch");
        }
    }

    /** Sends what is buffered and waits for the requests in flight. */
    @Override
    public void close() {
        ingester.close();
        retries.shutdownNow();
    }

    /** Where an operation stands: which batch waits for it, its place there, and how many times it was sent. */
    private record Slot(Batch batch, BulkOperation operation, int index, int attempt) {
    }

    private static final class Batch {
        final CompletableFuture<Outcome> done = new CompletableFuture<>();
        final AtomicInteger unsettled;
        final AtomicInteger alreadyStored = new AtomicInteger();
        final List<Refusal> refused = Collections.synchronizedList(new ArrayList<>());
        final java.util.BitSet created = new java.util.BitSet();

        Batch(int size) {
            unsettled = new AtomicInteger(size);
        }

        void settle() {
            if (unsettled.decrementAndGet() == 0) {
                // Every slot is settled, so no bit is set after this: the lock makes the last ones visible here,
                // and completing the future hands them on to whoever reads the outcome.
                int stored;
                synchronized (created) {
                    stored = created.cardinality();
                }
                done.complete(new Outcome(stored, alreadyStored.get(), List.copyOf(refused), created));
            }
        }

        void fail(String why) {
            done.completeExceptionally(new IllegalStateException(why));
        }

        /** Nobody waits any more: later retries of its items are dropped (the agent will send them again). */
        void abandon() {
            fail("abandoned");
        }

        boolean abandoned() {
            return done.isDone();
        }
    }

    private void retry(Slot slot, String why) {
        if (slot.batch().abandoned()) return;
        if (slot.attempt() >= limits.attempts()) {
            slot.batch().fail(why + " (after " + slot.attempt() + " attempts)");
            return;
        }
        long base = 100L << slot.attempt();
        long delay = base + ThreadLocalRandom.current().nextLong(base);
        try {
            retries.schedule(() -> {
                if (!slot.batch().abandoned()) {
                    ingester.add(slot.operation(), new Slot(slot.batch(), slot.operation(), slot.index(), slot.attempt() + 1));
                }
            }, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            slot.batch().fail("the server is stopping");
        }
    }

    private final class Listener implements BulkListener<Slot> {
        @Override
        public void beforeBulk(long executionId, BulkRequest request, List<Slot> slots) {
            started.put(executionId, System.nanoTime());
        }

        @Override
        public void afterBulk(long executionId, BulkRequest request, List<Slot> slots, BulkResponse response) {
            elapsed(executionId);
            for (int i = 0; i < slots.size(); i++) {
                Slot slot = slots.get(i);
                BulkResponseItem item = response.items().get(i);
                int status = item.status();
                if (status >= 200 && status < 300) {
                    synchronized (slot.batch().created) {
                        slot.batch().created.set(slot.index());
                    }
                    slot.batch().settle();
                } else if (status == 409) {
                    slot.batch().alreadyStored.incrementAndGet();
                    slot.batch().settle();
                } else if (status == 429 || status >= 500) {
                    metrics.error(status == 429 ? "elasticsearch_rejected" : "elasticsearch_item_failed");
                    retry(slot, "Elasticsearch answered " + status + reason(item));
                } else {
                    metrics.error("elasticsearch_refused_document");
                    slot.batch().refused.add(new Refusal(slot.index(), "Elasticsearch refused the document:" + reason(item)));
                    slot.batch().settle();
                }
            }
        }

        @Override
        public void afterBulk(long executionId, BulkRequest request, List<Slot> slots, Throwable failure) {
            elapsed(executionId);
            int status = ElasticsearchErrors.status(failure);
            metrics.error(status == 429 ? "elasticsearch_rejected" : "elasticsearch_unavailable");
            String why = "Elasticsearch could not take a bulk request: " + failure;
            for (Slot slot : slots) retry(slot, why);
        }

        private void elapsed(long executionId) {
            Long start = started.remove(executionId);
            if (start != null) metrics.elasticsearchLatency(System.nanoTime() - start);
        }

        private static String reason(BulkResponseItem item) {
            return item.error() == null ? "" : " " + item.error().type() + ": " + item.error().reason();
        }
    }
}
