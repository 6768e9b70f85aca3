package org.fleetrec.detection.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.ServerTrust;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.fleetrec.detection.alert.Recording.await;
import static org.fleetrec.detection.alert.Recording.quick;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The webhook against a real HTTP receiver (the JDK's server) that answers as each test scripts it. */
class WebhookForwarderTest {
    private static final Instant T = Instant.parse("2026-03-04T10:00:00Z");

    /** One request as the receiver saw it. */
    record Received(long nanos, String authorization, String apiKey, String contentType, JsonNode body) {
    }

    /** A receiver answering the scripted statuses in turn, then {@code otherwise}; it may hold each answer until released. */
    static final class Receiver implements AutoCloseable {
        final HttpServer server;
        final List<Received> requests = new CopyOnWriteArrayList<>();
        final Deque<Integer> script = new ArrayDeque<>();
        volatile int otherwise = 200;
        volatile String retryAfter;
        volatile CountDownLatch hold;

        Receiver(HttpServer server) {
            this.server = server;
            server.createContext("/hook", this::handle);
            server.setExecutor(Executors.newCachedThreadPool());
            server.start();
        }

        static Receiver http() throws IOException {
            return new Receiver(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
        }

        static Receiver https(TestCertificate certificate) throws Exception {
            HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
            return new Receiver(server);
        }

        URI url(String scheme) {
            return URI.create(scheme + "://localhost:" + server.getAddress().getPort() + "/hook");
        }

        private void handle(HttpExchange exchange) throws IOException {
            byte[] body = exchange.getRequestBody().readAllBytes();
            requests.add(new Received(System.nanoTime(), exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("X-Api-Key"), exchange.getRequestHeaders().getFirst("Content-Type"),
                    EventCodec.mapper().readTree(body)));
            CountDownLatch latch = hold;
            if (latch != null) {
                try {
                    latch.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int status;
            synchronized (script) {
                status = script.isEmpty() ? otherwise : script.pop();
            }
            if (retryAfter != null) exchange.getResponseHeaders().add("Retry-After", retryAfter);
            if (status == 302) exchange.getResponseHeaders().add("Location", "http://elsewhere.invalid/");
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        }

        @Override
        public void close() {
            CountDownLatch latch = hold;
            if (latch != null) latch.countDown();
            server.stop(0);
        }
    }

    private Receiver receiver;
    private WebhookForwarder forwarder;
    private final Recording.Sink deadLetters = new Recording.Sink();

    @AfterEach
    void stop() {
        if (forwarder != null) forwarder.close();
        if (receiver != null) receiver.close();
    }

    private WebhookForwarder start(URI url, ServerTrust trust, DeliveryLimits limits) throws IOException {
        forwarder = new WebhookForwarder(new WebhookConfig(url, Level.LOW, "s3cret-token", "X-Api-Key", "k-123", trust,
                Duration.ofSeconds(5), limits), deadLetters);
        return forwarder;
    }

    /** As events compare: a parsed 73 and a built 73 are the same value. */
    static org.fleetrec.model.EventDocument doc(JsonNode json) {
        return org.fleetrec.model.EventDocument.wrap((com.fasterxml.jackson.databind.node.ObjectNode) json);
    }

    private static Alert alert(String entity) {
        return Alert.open(Fixtures.match(Fixtures.REVERSE_SHELL, Fixtures.exec("h1", entity, T, "bash -i"), "a:" + entity),
                Duration.ofMinutes(10), T);
    }

    @Test
    void serverErrorsAreRetriedAndTheAlertDeliveredOnce() throws Exception {
        receiver = Receiver.http();
        receiver.script.addAll(List.of(500, 500));
        Alert alert = alert("e1");
        start(receiver.url("http"), null, quick(10, 6)).forward(alert);
        await("delivery", Duration.ofSeconds(10), () -> forwarder.stats().sent() == 1);
        assertEquals(3, receiver.requests.size());
        for (Received r : receiver.requests) {
            assertEquals("Bearer s3cret-token", r.authorization());
            assertEquals("k-123", r.apiKey());
            assertEquals("application/json", r.contentType());
            assertEquals(doc(alert.document()), doc(r.body()), "the body is the alert document");
        }
        assertEquals(new ForwarderStats(0, 1, 2, 0, 0), forwarder.stats());
        assertTrue(deadLetters.letters.isEmpty());
    }

    @Test
    void aReceiverThatAlwaysFailsGetsTheAlertDeadLetteredAfterTheLastAttempt() throws Exception {
        receiver = Receiver.http();
        receiver.otherwise = 500;
        Alert alert = alert("e1");
        start(receiver.url("http"), null, quick(10, 3)).forward(alert);
        await("dead letter", Duration.ofSeconds(10), () -> deadLetters.letters.size() == 1);
        assertEquals(3, receiver.requests.size());
        Recording.DeadLetter letter = deadLetters.letters.get(0);
        assertEquals("webhook", letter.output());
        assertEquals(alert, letter.alert());
        assertTrue(letter.reason().contains("HTTP 500") && letter.reason().contains("3 attempts"), letter.reason());
        assertEquals(new ForwarderStats(0, 0, 2, 1, 0), forwarder.stats());
    }

    @Test
    void aRefusalOrARedirectIsNotRetried() throws Exception {
        receiver = Receiver.http();
        receiver.script.addAll(List.of(400, 302));
        start(receiver.url("http"), null, quick(10, 6));
        forwarder.forward(alert("e1"));
        forwarder.forward(alert("e2"));
        await("dead letters", Duration.ofSeconds(10), () -> deadLetters.letters.size() == 2);
        assertEquals(2, receiver.requests.size(), "one request each, the redirect not followed");
        assertTrue(deadLetters.letters.get(0).reason().contains("HTTP 400"));
        assertTrue(deadLetters.letters.get(1).reason().contains("HTTP 302"));
        assertEquals(0, forwarder.stats().retried());
    }

    @Test
    void retryAfterIsHonoured() throws Exception {
        receiver = Receiver.http();
        receiver.script.add(429);
        receiver.retryAfter = "1";
        start(receiver.url("http"), null, quick(10, 3)).forward(alert("e1"));
        await("delivery", Duration.ofSeconds(10), () -> forwarder.stats().sent() == 1);
        long gap = receiver.requests.get(1).nanos() - receiver.requests.get(0).nanos();
        // The backoff alone would wait 10 to 20 ms: only Retry-After explains a second.
        assertTrue(gap >= TimeUnit.MILLISECONDS.toNanos(950), "retried after " + gap / 1_000_000 + " ms");
    }

    @Test
    void aSlowReceiverNeverBlocksTheCallerNorGrowsTheQueue() throws Exception {
        receiver = Receiver.http();
        receiver.hold = new CountDownLatch(1);
        start(receiver.url("http"), null, quick(5, 1));
        long started = System.nanoTime();
        for (int i = 0; i < 50; i++) forwarder.forward(alert("e" + i));
        long took = System.nanoTime() - started;
        assertTrue(took < TimeUnit.MILLISECONDS.toNanos(1000), "forwarding 50 alerts took " + took / 1_000_000 + " ms");
        ForwarderStats stats = forwarder.stats();
        assertTrue(stats.queued() <= 5, stats.toString());
        assertTrue(stats.queueFull() >= 44, stats.toString());
        assertEquals(stats.queueFull(), deadLetters.letters.size());
        assertTrue(deadLetters.letters.get(0).reason().startsWith("queue full"), deadLetters.letters.get(0).reason());
        receiver.hold.countDown();
        await("the queued alerts", Duration.ofSeconds(10), () -> forwarder.stats().sent() + forwarder.stats().deadLettered() == 50);
        assertEquals(50 - stats.queueFull(), forwarder.stats().sent());
    }

    @Test
    void aClosedPortIsRetriedThenDeadLettered() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        start(URI.create("http://127.0.0.1:" + port + "/hook"), null, quick(10, 3)).forward(alert("e1"));
        await("dead letter", Duration.ofSeconds(10), () -> deadLetters.letters.size() == 1);
        assertTrue(deadLetters.letters.get(0).reason().contains("cannot reach"), deadLetters.letters.get(0).reason());
        assertEquals(2, forwarder.stats().retried());
    }

    @Test
    void httpsTrustsTheConfiguredCaAndNothingElse() throws Exception {
        TestCertificate certificate = TestCertificate.shared();
        receiver = Receiver.https(certificate);
        start(receiver.url("https"), new ServerTrust(certificate.pem(), null), quick(10, 2)).forward(alert("e1"));
        await("delivery over TLS", Duration.ofSeconds(10), () -> forwarder.stats().sent() == 1);
        forwarder.close();

        // The JDK's CAs do not know this certificate: never delivered, dead-lettered with the reason.
        start(receiver.url("https"), ServerTrust.system(), quick(10, 2)).forward(alert("e2"));
        await("dead letter", Duration.ofSeconds(10), () -> deadLetters.letters.size() == 1);
        assertEquals(1, receiver.requests.size());
        assertTrue(deadLetters.letters.get(0).reason().toLowerCase().contains("certification")
                || deadLetters.letters.get(0).reason().contains("SSL"), deadLetters.letters.get(0).reason());
    }

    @Test
    void closingLosesNothing() throws Exception {
        receiver = Receiver.http();
        receiver.hold = new CountDownLatch(1);
        start(receiver.url("http"), null, quick(10, 3));
        for (int i = 0; i < 4; i++) forwarder.forward(alert("e" + i));
        await("the first request", Duration.ofSeconds(5), () -> receiver.requests.size() == 1);
        forwarder.close();
        forwarder.forward(alert("late"));
        ForwarderStats stats = forwarder.stats();
        assertEquals(5, stats.sent() + stats.deadLettered(), stats.toString());
        assertEquals(5, deadLetters.letters.size());
        assertTrue(deadLetters.letters.stream().anyMatch(l -> l.reason().startsWith("stopped while sending")));
        assertTrue(deadLetters.letters.stream().anyMatch(l -> l.reason().equals("not sent before the output closed")));
        assertTrue(deadLetters.letters.stream().anyMatch(l -> l.reason().equals("the output is closed")));
    }

    @Test
    void secretsStayOutOfTheConfigurationsText() {
        WebhookConfig config = new WebhookConfig(URI.create("https://hooks.example/T000/B000/XXXXsecretpath"), Level.HIGH,
                "tok-secret", "X-Api-Key", "key-secret", null, Duration.ofSeconds(3), DeliveryLimits.defaults());
        String text = config.toString();
        for (String secret : List.of("tok-secret", "key-secret", "XXXXsecretpath")) assertTrue(!text.contains(secret), text);
    }

    @Test
    void deadLettersGoToAFileAsNdjsonUpToItsCap(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/dead.ndjson");
        Alert alert = alert("e1");
        DeadLetterFile sink = new DeadLetterFile(file, alert.document().toString().length() * 2L + 400);
        sink.deadLetter("webhook", alert, "HTTP 500 (after 6 attempts)");
        sink.deadLetter("syslog", alert, "connection refused");
        sink.deadLetter("syslog", alert, "third does not fit");
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        JsonNode first = EventCodec.mapper().readTree(lines.get(0));
        assertEquals("webhook", first.path("output").asText());
        assertEquals("HTTP 500 (after 6 attempts)", first.path("reason").asText());
        assertEquals(doc(alert.document()), doc(first.path("alert")));
        assertEquals(2, sink.written());
        assertEquals(1, sink.refused());

        JsonNode document = DeadLetterSink.document("webhook", alert, "HTTP 500", T);
        assertEquals("h1", document.path("host_id").asText());
        assertTrue(document.path("reason").asText().contains(alert.id()));
        assertEquals(doc(alert.document()), doc(EventCodec.mapper().readTree(document.path("raw").asText())));
    }
}
