package org.fleetrec.agent.ship;

import org.fleetrec.model.EventCodec;
import org.fleetrec.model.EventDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends events to the ingest server in gzip NDJSON batches bounded by count and linger
 * time, retrying a batch (same ids, so never duplicated) with jittered exponential backoff
 * and honouring Retry-After, until the server has acknowledged every document of it.
 */
public final class Shipper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Shipper.class);

    /** How batches are cut. */
    public record Limits(int maxEvents, Duration linger, int queueCapacity) {
        public static Limits defaults() {
            return new Limits(500, Duration.ofMillis(500), 100_000);
        }
    }

    private final URI bulkUrl;
    private final String token;
    private final HttpClient http;
    private final Limits limits;
    private final BlockingQueue<EventDocument> queue;
    private final Thread thread;
    private final AtomicLong shipped = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean closing;

    public Shipper(URI ingest, String token, HttpClient http, Limits limits) {
        this.bulkUrl = ingest.resolve("/api/v1/events/_bulk");
        this.token = token;
        this.http = http;
        this.limits = limits;
        this.queue = new ArrayBlockingQueue<>(limits.queueCapacity());
        this.thread = new Thread(this::run, "shipper");
        thread.setDaemon(true);
        thread.start();
    }

    /** Blocks while the queue is full: back-pressure reaches the processing thread, never capture. */
    public void ship(EventDocument doc) throws InterruptedException {
        queue.put(doc);
    }

    public long shipped() {
        return shipped.get();
    }

    public int pending() {
        return queue.size();
    }

    private void run() {
        List<EventDocument> batch = new ArrayList<>(limits.maxEvents());
        while (!(closing && queue.isEmpty() && batch.isEmpty())) {
            try {
                if (batch.isEmpty()) {
                    EventDocument first = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) continue;
                    batch.add(first);
                }
                long deadline = System.nanoTime() + limits.linger().toNanos();
                while (batch.size() < limits.maxEvents()) {
                    long wait = deadline - System.nanoTime();
                    EventDocument next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) break;
                    batch.add(next);
                }
                send(batch);
                shipped.addAndGet(batch.size());
                batch.clear();
            } catch (InterruptedException e) {
                if (!closing) Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Returns only when the server acknowledged the batch, or when interrupted. */
    private void send(List<EventDocument> batch) throws InterruptedException {
        byte[] body = EventCodec.gzipNdjson(batch);
        long backoff = 500;
        while (true) {
            long retryAfterMillis;
            try {
                HttpRequest request = HttpRequest.newBuilder(bulkUrl)
                        .timeout(Duration.ofSeconds(60))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", EventCodec.CONTENT_TYPE)
                        .header("Content-Encoding", EventCodec.CONTENT_ENCODING)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 200) {
                    if (response.body().contains("\"rejected\":0") || !response.body().contains("\"rejected\"")) return;
                    log.warn("server stored a batch but rejected some documents: {}", abbreviate(response.body()));
                    return;
                }
                failures.incrementAndGet();
                retryAfterMillis = response.headers().firstValue("Retry-After")
                        .map(Shipper::seconds).orElse(-1L);
                if (status >= 400 && status < 500 && status != 408 && status != 429) {
                    // A request the server will never take as it is: say so loudly and keep retrying
                    // slowly, since dropping the events would be a silent loss.
                    log.error("ingest refused a batch ({}): {}", status, abbreviate(response.body()));
                    retryAfterMillis = Math.max(retryAfterMillis, 30_000);
                }
            } catch (IOException e) {
                failures.incrementAndGet();
                log.warn("ingest unreachable: {}", e.toString());
                retryAfterMillis = -1;
            }
            long wait = retryAfterMillis > 0 ? retryAfterMillis : backoff + ThreadLocalRandom.current().nextLong(backoff);
            backoff = Math.min(backoff * 2, 30_000);
            if (closing && queue.isEmpty() && wait > 5_000) {
                log.warn("stopping with {} events not acknowledged", batch.size());
                throw new InterruptedException("closing");
            }
            Thread.sleep(wait);
        }
    }

    private static long seconds(String value) {
        try {
            return Long.parseLong(value.trim()) * 1000;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 500 ? text.substring(0, 500) + "…" : text;
    }

    /** Sends what is queued, giving up after the timeout. */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        thread.join(10_000);
        thread.interrupt();
    }
}
