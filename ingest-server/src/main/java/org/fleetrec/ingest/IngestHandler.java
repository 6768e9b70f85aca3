package org.fleetrec.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.fleetrec.model.EventCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Routes requests. Work that waits on Elasticsearch runs on the worker pool, never on
 * the event loop, so one slow bulk cannot stall every connection.
 */
@ChannelHandler.Sharable
final class IngestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(IngestHandler.class);

    private final IngestConfig config;
    private final AgentRegistry agents;
    private final EnrollmentSecrets secrets;
    private final EventWriter writer;
    private final IngestMetrics metrics;
    private final Readiness readiness;
    private final ExecutorService workers;

    IngestHandler(IngestConfig config, AgentRegistry agents, EnrollmentSecrets secrets, EventWriter writer,
                  IngestMetrics metrics, Readiness readiness, ExecutorService workers) {
        this.config = config;
        this.agents = agents;
        this.secrets = secrets;
        this.writer = writer;
        this.metrics = metrics;
        this.readiness = readiness;
        this.workers = workers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        request.retain();
        try {
            workers.execute(() -> {
                try {
                    respond(ctx, route(request, ctx), keepAlive);
                } finally {
                    request.release();
                }
            });
        } catch (RejectedExecutionException e) {
            request.release();
            metrics.error("overloaded");
            FullHttpResponse busy = HttpResponses.error(HttpResponseStatus.TOO_MANY_REQUESTS, "the server is busy; retry later");
            busy.headers().set(HttpHeaderNames.RETRY_AFTER, "5");
            respond(ctx, busy, keepAlive);
        }
    }

    private FullHttpResponse route(FullHttpRequest request, ChannelHandlerContext ctx) {
        String path = new QueryStringDecoder(request.uri()).path();
        try {
            return switch (path) {
                case "/healthz" -> HttpResponses.text(HttpResponseStatus.OK, "text/plain", "ok\n");
                case "/readyz" -> readiness.ready()
                        ? HttpResponses.text(HttpResponseStatus.OK, "text/plain", "ready\n")
                        : HttpResponses.error(HttpResponseStatus.SERVICE_UNAVAILABLE, readiness.reason());
                case "/metrics" -> HttpResponses.text(HttpResponseStatus.OK, "text/plain; version=0.0.4", metrics.render());
                case "/api/v1/enroll" -> post(request, () -> enroll(request));
                case "/api/v1/events/_bulk" -> post(request, () -> bulk(request, remoteAddress(ctx)));
                default -> HttpResponses.error(HttpResponseStatus.NOT_FOUND, "no such endpoint");
            };
        } catch (IOException e) {
            log.warn("request to {} failed: {}", path, e.toString());
            metrics.error("elasticsearch_unavailable");
            FullHttpResponse unavailable = HttpResponses.error(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "Elasticsearch is unavailable; retry later");
            unavailable.headers().set(HttpHeaderNames.RETRY_AFTER, "10");
            return unavailable;
        } catch (RuntimeException e) {
            // Never leave an agent waiting for an answer that will not come: it retries a 500.
            log.error("request to {} failed", path, e);
            metrics.error("internal");
            return HttpResponses.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error; retry later");
        }
    }

    private interface Action {
        FullHttpResponse run() throws IOException;
    }

    private FullHttpResponse post(FullHttpRequest request, Action action) throws IOException {
        if (!HttpMethod.POST.equals(request.method())) {
            FullHttpResponse response = HttpResponses.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "use POST");
            response.headers().set(HttpHeaderNames.ALLOW, "POST");
            return response;
        }
        if (!readiness.ready()) {
            // Before the templates exist, a write would create indices with guessed mappings.
            metrics.error("not_ready");
            FullHttpResponse response = HttpResponses.error(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "not ready: " + readiness.reason());
            response.headers().set(HttpHeaderNames.RETRY_AFTER, "5");
            return response;
        }
        return action.run();
    }

    /** Which secret this is: the server's own ("server"), or a live one made with the admin command. */
    private Optional<String> enrollmentSecretId(String secret) throws IOException {
        if (config.enrollmentSecret() != null && Secrets.constantTimeEquals(secret, config.enrollmentSecret())) {
            return Optional.of("server");
        }
        // Made secrets are 43 characters: a much longer one is not worth a search.
        return secret.length() > 256 ? Optional.empty() : secrets.accepts(secret);
    }

    private FullHttpResponse enroll(FullHttpRequest request) throws IOException {
        JsonNode body;
        try {
            body = EventCodec.mapper().readTree(new ByteBufInputStream(request.content()));
        } catch (IOException e) {
            return HttpResponses.error(HttpResponseStatus.BAD_REQUEST, "the body must be a JSON object");
        }
        if (body == null || !body.path("secret").isTextual()) {
            return HttpResponses.error(HttpResponseStatus.BAD_REQUEST, "expected {\"secret\": ..., \"host\": {...}}");
        }
        String secret = body.path("secret").asText();
        Optional<String> secretId = enrollmentSecretId(secret);
        if (secretId.isEmpty()) {
            metrics.error("bad_enrollment_secret");
            return HttpResponses.error(HttpResponseStatus.FORBIDDEN, "the enrollment secret is not valid");
        }
        JsonNode host = body.path("host");
        String hostId = host.path("id").asText("");
        String hostName = host.path("name").asText("");
        if (!hostId.matches("[A-Za-z0-9._:-]{1,128}") || hostName.isEmpty() || hostName.length() > 255) {
            return HttpResponses.error(HttpResponseStatus.BAD_REQUEST,
                    "host.id (1-128 characters of A-Z a-z 0-9 . _ : -) and host.name are required");
        }
        String purpose = body.path("purpose").asText("live");
        if (!purpose.equals("live") && !purpose.equals(AgentIdentity.IMPORT)) {
            return HttpResponses.error(HttpResponseStatus.BAD_REQUEST, "purpose must be live or import");
        }
        AgentRegistry.Enrollment enrollment = agents.enroll(hostId, hostName, host, secretId.get(),
                purpose.equals(AgentIdentity.IMPORT));
        ObjectNode response = EventCodec.mapper().createObjectNode()
                .put("token", enrollment.token())
                .put("agent_id", enrollment.identity().agentId())
                .put("host_id", hostId);
        log.info("enrolled agent {} for host {} ({})", enrollment.identity().agentId(), hostId, hostName);
        return HttpResponses.json(HttpResponseStatus.OK, response);
    }

    private static String remoteAddress(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress address && address.getAddress() != null
                ? address.getAddress().getHostAddress().replaceFirst("%.*$", "") : null; // no IPv6 zone: an ip field refuses it
    }

    private FullHttpResponse bulk(FullHttpRequest request, String remoteAddress) throws IOException {
        AgentRegistry.Authentication authentication = authenticate(request);
        if (authentication.revoked()) {
            metrics.error("revoked_token");
            return HttpResponses.error(HttpResponseStatus.FORBIDDEN, "this agent's token was revoked; enroll it again");
        }
        Optional<AgentIdentity> agent = authentication.identity();
        if (agent.isEmpty()) {
            metrics.error("unauthorized");
            FullHttpResponse response = HttpResponses.error(HttpResponseStatus.UNAUTHORIZED,
                    "a valid agent token is required (Authorization: Bearer <token>)");
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
            return response;
        }
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        if (!contentType.startsWith(EventCodec.CONTENT_TYPE) && !contentType.startsWith("application/json")) {
            metrics.error("unsupported_media_type");
            return HttpResponses.error(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type must be " + EventCodec.CONTENT_TYPE);
        }
        metrics.bytes(request.content().readableBytes());
        metrics.inFlight().incrementAndGet();
        try (InputStream body = decode(request)) {
            BatchResult result = writer.write(agent.get(), body, config, remoteAddress);
            return HttpResponses.json(HttpResponseStatus.OK, toJson(result));
        } catch (ZipException e) {
            metrics.error("bad_gzip");
            return HttpResponses.error(HttpResponseStatus.BAD_REQUEST, "the body is not valid gzip: " + e.getMessage());
        } catch (LimitedInputStream.LimitExceeded | BatchTooLarge e) {
            metrics.error("too_large");
            return HttpResponses.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, e.getMessage());
        } catch (EventWriter.Backpressure e) {
            metrics.error("backpressure");
            FullHttpResponse response = HttpResponses.error(HttpResponseStatus.SERVICE_UNAVAILABLE, e.getMessage());
            response.headers().set(HttpHeaderNames.RETRY_AFTER, "5");
            return response;
        } finally {
            metrics.inFlight().decrementAndGet();
        }
    }

    private AgentRegistry.Authentication authenticate(FullHttpRequest request) throws IOException {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION, "");
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) return AgentRegistry.Authentication.UNKNOWN;
        String token = header.substring(7).trim();
        if (token.isEmpty() || token.length() > 256) return AgentRegistry.Authentication.UNKNOWN;
        return agents.authenticate(token);
    }

    private static InputStream decode(FullHttpRequest request) throws IOException {
        InputStream raw = new ByteBufInputStream(request.content());
        String encoding = request.headers().get(HttpHeaderNames.CONTENT_ENCODING, "identity");
        return "gzip".equalsIgnoreCase(encoding) ? new GZIPInputStream(raw, 64 * 1024) : raw;
    }

    private static ObjectNode toJson(BatchResult result) {
        ObjectNode body = EventCodec.mapper().createObjectNode()
                .put("accepted", result.accepted())
                .put("duplicates", result.duplicates())
                .put("rejected", result.rejected().size());
        ArrayNode errors = body.putArray("errors");
        for (BatchResult.Rejection r : result.rejected()) {
            errors.addObject().put("line", r.line()).put("reason", r.reason());
        }
        return body;
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection error: {}", cause.toString());
        ctx.close();
    }
}
