package org.fleetrec.agent.ship;

import org.fleetrec.model.EventCodec;
import org.fleetrec.agent.store.EventStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends what the store holds after the shipped cursor, in gzip NDJSON batches bounded by count
 * and bytes, and moves the cursor (in the same database) only once the server acknowledged
 * every document. A batch is retried as it is (same ids, so never duplicated) with jittered
 * exponential backoff, honouring Retry-After. Memory holds one batch, whatever the backlog.
 */
public final class Shipper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Shipper.class);

    /** How batches are cut. */
    public record Limits(int maxEvents, long maxBytes, Duration idlePoll) {
        public static Limits defaults() {
            return new Limits(1000, 4L << 20, Duration.ofMillis(200));
        }
    }

    private final java.util.List<URI> bulkUrls;
    private int current;
    private final String token;
    private final HttpClient http;
    private final Limits limits;
    private final EventStore store;
    private final Thread thread;
    private final AtomicLong shipped = new AtomicLong();
    private volatile long cursor;
    private volatile boolean closing;

    public Shipper(java.util.List<URI> ingests, String token, HttpClient http, Limits limits, EventStore store) {
        if (ingests.isEmpty()) throw new IllegalArgumentException("no ingest server to ship to");
        this.bulkUrls = ingests.stream().map(u -> u.resolve("/api/v1/events/_bulk")).toList();
        this.token = token;
        this.http = http;
        this.limits = limits;
        this.store = store;
        this.cursor = store.shippedCursor();
        this.thread = new Thread(this::run, "shipper");
        thread.setDaemon(true);
        thread.start();
    }

    public long shipped() {
        return shipped.get();
    }

    /** The last sequence the server acknowledged. */
    public long cursor() {
        return cursor;
    }

    private void run() {
        while (!closing) {
            try {
                List<EventStore.Stored> batch = store.readAfter(cursor, limits.maxEvents(), limits.maxBytes());
                if (batch.isEmpty()) {
                    Thread.sleep(limits.idlePoll().toMillis());
                    continue;
                }
                send(batch);
                long last = batch.get(batch.size() - 1).sequence();
                store.acknowledge(last);
                cursor = last;
                shipped.addAndGet(batch.size());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("shipping failed, retrying: {}", e.toString());
                sleepQuietly(1_000);
            }
        }
    }

    /** Returns only when the server acknowledged the batch, or when interrupted. */
    private void send(List<EventStore.Stored> batch) throws InterruptedException {
        byte[] body = gzip(batch);
        long backoff = 500;
        while (true) {
            long retryAfterMillis;
            try {
                HttpRequest request = HttpRequest.newBuilder(bulkUrls.get(current))
                        .timeout(Duration.ofSeconds(60))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", EventCodec.CONTENT_TYPE)
                        .header("Content-Encoding", EventCodec.CONTENT_ENCODING)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 200) {
                    if (!response.body().contains("\"rejected\":0")) {
                        log.warn("server stored a batch but rejected some documents: {}", abbreviate(response.body()));
                    }
                    return;
                }
                retryAfterMillis = response.headers().firstValue("Retry-After").map(Shipper::retryAfterMillis).orElse(-1L);
                if (status >= 500 || status == 429) failOver();
                if (status >= 400 && status < 500 && status != 408 && status != 429) {
                    // A request the server will never take as it is: say so loudly and keep retrying
                    // slowly, since dropping the events would be a silent loss.
                    log.error("ingest refused a batch ({}): {}", status, abbreviate(response.body()));
                    retryAfterMillis = Math.max(retryAfterMillis, 30_000);
                }
            } catch (IOException e) {
                log.warn("ingest {} unreachable: {}", bulkUrls.get(current).getAuthority(), e.toString());
                retryAfterMillis = -1;
                if (failOver()) continue; // another server may take it at once
            }
            if (closing) throw new InterruptedException("closing; the batch stays in the store");
            long wait = retryAfterMillis > 0 ? retryAfterMillis : backoff + ThreadLocalRandom.current().nextLong(backoff);
            backoff = Math.min(backoff * 2, 30_000);
            Thread.sleep(wait);
        }
    }

    /** Moves to the next ingest server; true when one is left to try before backing off. */
    private boolean failOver() {
        if (bulkUrls.size() == 1) return false;
        current = (current + 1) % bulkUrls.size();
        log.info("failing over to ingest {}", bulkUrls.get(current).getAuthority());
        return current != 0;
    }

    private static byte[] gzip(List<EventStore.Stored> batch) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(bytes, 64 * 1024)) {
            for (EventStore.Stored stored : batch) gzip.write(stored.json());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A Retry-After header (seconds or an HTTP-date) in milliseconds; -1 when it is unreadable. */
    public static long retryAfterMillis(String value) {
        java.time.Duration wait = org.fleetrec.model.RetryAfter.parse(value, java.time.Instant.now());
        return wait == null ? -1 : wait.toMillis();
    }

    /** A server's answer cut to a length fit for a log line. */
    public static String abbreviate(String text) {
        return text.length() > 500 ? text.substring(0, 500) + "…" : text;
    }

    /** Stops after the batch in flight (or at once when the server is away); unsent events stay stored. */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        thread.interrupt();
        thread.join(10_000);
    }
}
