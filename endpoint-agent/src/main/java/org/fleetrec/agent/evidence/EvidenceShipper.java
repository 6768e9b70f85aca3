package org.fleetrec.agent.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.agent.ship.Enrollment;
import org.fleetrec.agent.ship.Shipper;
import org.fleetrec.model.EventCodec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPOutputStream;

/**
 * Ships imported documents to the ingest server as each machine they came from: every host found in
 * the evidence enrolls once per import as an {@code import} identity (which the server lets write
 * old days), and its documents go in gzip NDJSON batches like a live agent's. A batch is sent again,
 * unchanged, while the server pushes back; what the server refuses is counted with its reason and
 * the record it came from.
 */
final class EvidenceShipper implements ImportRun.Outlet {
    /** Shipping cannot go on: the server refused or stayed away. Reading errors are not this. */
    static final class Failed extends IOException {
        Failed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final int BATCH_DOCUMENTS = 1_000;
    private static final int BATCH_BYTES = 2 << 20;
    private static final int ATTEMPTS = 8;

    private final URI ingest;
    private final String secret;
    private final HttpClient http;
    private final ImportSummary summary;
    private final Map<String, Pending> byHost = new HashMap<>();

    /** One host's token and the batch it is filling. */
    private static final class Pending {
        final EvidenceHost host;
        String token;
        final ByteArrayOutputStream lines = new ByteArrayOutputStream();
        final List<String> origins = new ArrayList<>();

        Pending(EvidenceHost host) {
            this.host = host;
        }
    }

    EvidenceShipper(URI ingest, String secret, HttpClient http, ImportSummary summary) {
        this.ingest = ingest;
        this.secret = secret;
        this.http = http;
        this.summary = summary;
    }

    @Override
    public void ship(EvidenceHost host, org.fleetrec.model.EventDocument doc, String at) throws IOException, InterruptedException {
        Pending pending = byHost.computeIfAbsent(host.id(), id -> new Pending(host));
        pending.lines.write(EventCodec.toLine(doc));
        pending.origins.add(at);
        if (pending.origins.size() >= BATCH_DOCUMENTS || pending.lines.size() >= BATCH_BYTES) send(pending);
    }

    /** Sends every partly filled batch; returns when the server has them all. */
    void flush() throws IOException, InterruptedException {
        for (Pending pending : byHost.values()) {
            if (!pending.origins.isEmpty()) send(pending);
        }
    }

    private void send(Pending pending) throws IOException, InterruptedException {
        byte[] body = gzip(pending.lines.toByteArray());
        long backoff = 500;
        boolean enrolledAgain = false;
        for (int attempt = 1; ; attempt++) {
            if (pending.token == null) {
                try {
                    pending.token = enroll(pending.host);
                } catch (IOException e) {
                    throw new Failed("could not enroll " + pending.host.name() + " for import: " + e.getMessage(), e);
                }
            }
            HttpResponse<String> response;
            try {
                response = http.send(HttpRequest.newBuilder(ingest.resolve("/api/v1/events/_bulk"))
                        .timeout(Duration.ofSeconds(120))
                        .header("Authorization", "Bearer " + pending.token)
                        .header("Content-Type", EventCodec.CONTENT_TYPE)
                        .header("Content-Encoding", EventCodec.CONTENT_ENCODING)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (attempt >= ATTEMPTS) throw new Failed("ingest server unreachable: " + e.getMessage(), e);
                backoff = pause(backoff, -1);
                continue;
            }
            int status = response.statusCode();
            if (status == 200) {
                outcome(pending, EventCodec.mapper().readTree(response.body()));
                pending.lines.reset();
                pending.origins.clear();
                return;
            }
            if (status == 401 && !enrolledAgain) {
                // Another import of the same machine enrolled since: its token replaced ours.
                enrolledAgain = true;
                pending.token = null;
                continue;
            }
            boolean transient_ = status == 429 || status == 408 || status >= 500;
            if (!transient_ || attempt >= ATTEMPTS) {
                throw new Failed("the ingest server refused a batch of " + pending.origins.size() + " documents of "
                        + pending.host.name() + " (" + status + "): " + Shipper.abbreviate(response.body())
                        + "; first record " + pending.origins.get(0), null);
            }
            backoff = pause(backoff, response.headers().firstValue("Retry-After").map(Shipper::retryAfterMillis).orElse(-1L));
        }
    }

    private void outcome(Pending pending, JsonNode answer) {
        summary.shipped(answer.path("accepted").asInt(), answer.path("duplicates").asInt());
        for (JsonNode error : answer.path("errors")) {
            int line = error.path("line").asInt();
            String at = line >= 1 && line <= pending.origins.size() ? pending.origins.get(line - 1) : "batch line " + line;
            summary.rejected(error.path("reason").asText("no reason given"), at);
        }
    }

    private String enroll(EvidenceHost host) throws IOException, InterruptedException {
        ObjectNode description = EventCodec.mapper().createObjectNode().put("id", host.id()).put("name", host.name());
        description.putObject("os").put("type", host.osType());
        return Enrollment.enroll(ingest, secret, description, "import", http).token();
    }

    private static long pause(long backoff, long retryAfterMillis) throws InterruptedException {
        Thread.sleep(retryAfterMillis > 0 ? retryAfterMillis : backoff + ThreadLocalRandom.current().nextLong(backoff));
        return Math.min(backoff * 2, 30_000);
    }

    private static byte[] gzip(byte[] lines) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(lines.length / 8 + 64);
        try (GZIPOutputStream out = new GZIPOutputStream(bytes, 64 * 1024)) {
            out.write(lines);
        }
        return bytes.toByteArray();
    }
}
