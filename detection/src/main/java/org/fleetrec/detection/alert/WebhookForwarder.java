package org.fleetrec.detection.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.fleetrec.model.EventCodec;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POSTs each alert's document as JSON to a URL: the simplest way into a chat, a ticket system or a
 * SOAR. A 2xx is delivered. 5xx, 408, 425, 429 and connection failures may pass and are retried
 * with backoff (or after the receiver's {@code Retry-After}); any other status will not pass by
 * retrying and is dead-lettered at once. Redirects are not followed, so a secret header never goes
 * to a host it was not meant for.
 */
public final class WebhookForwarder implements AlertForwarder {
    public static final String NAME = "webhook";

    private final WebhookConfig config;
    private final HttpClient client;
    private final Clock clock;
    private final DeliveryQueue queue;

    public WebhookForwarder(WebhookConfig config, DeadLetterSink deadLetters) throws IOException {
        this(config, deadLetters, Clock.systemUTC());
    }

    WebhookForwarder(WebhookConfig config, DeadLetterSink deadLetters, Clock clock) throws IOException {
        this.config = config;
        this.clock = clock;
        this.client = config.trust().configure(HttpClient.newBuilder())
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.queue = new DeliveryQueue(NAME, this::send, config.delivery(), deadLetters);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void forward(Alert alert) {
        queue.offer(alert);
    }

    @Override
    public ForwarderStats stats() {
        return queue.stats();
    }

    @Override
    public void close() {
        queue.close();
    }

    private DeliveryQueue.Attempt send(Alert alert) throws InterruptedException {
        byte[] body;
        try {
            body = EventCodec.mapper().writeValueAsBytes(alert.document());
        } catch (JsonProcessingException e) {
            return DeliveryQueue.Attempt.fail("the alert does not serialise: " + e.getOriginalMessage());
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(config.url())
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "fleetrec-alerts")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (config.bearerToken() != null) request.header("Authorization", "Bearer " + config.bearerToken());
        if (config.headerName() != null) request.header(config.headerName(), config.headerValue());
        CompletableFuture<HttpResponse<Void>> answer = client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding());
        HttpResponse<Void> response;
        try {
            // The request timeout covers the headers; this bounds a body that trickles in without end too.
            response = answer.get(2 * config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            return DeliveryQueue.Attempt.retry("no complete answer within " + 2 * config.timeout().toSeconds() + " s", null);
        } catch (ExecutionException e) {
            return DeliveryQueue.Attempt.retry("cannot reach the receiver: " + e.getCause(), null);
        } catch (InterruptedException e) {
            answer.cancel(true);
            throw e;
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) return DeliveryQueue.Attempt.delivered();
        if (status >= 500 || status == 408 || status == 425 || status == 429) {
            Duration retryAfter = org.fleetrec.model.RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock.instant());
            return DeliveryQueue.Attempt.retry("the receiver answered HTTP " + status, retryAfter);
        }
        return DeliveryQueue.Attempt.fail("the receiver refused the alert: HTTP " + status);
    }
}
