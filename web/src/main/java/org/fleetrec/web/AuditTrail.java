package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Who searched what: one {@code fleet-audit} document per API call, written without waiting for
 * the answer so a search is never slower for being recorded. A write that fails is logged; the
 * request it describes has already been answered.
 *
 * <p>Any API records itself with {@code audit.record(ctx, "action", parameters, resultCount)}, or
 * wraps its work in {@link #run} to have failures recorded too.
 */
final class AuditTrail {
    private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
    static final String SUCCESS = "success";
    static final String FAILURE = "failure";
    private static final int MAX_VALUE_LENGTH = 2048;

    /** The work of one audited call; answers the number of results it gave. */
    interface Work {
        long run() throws Exception;
    }

    private final ElasticsearchAsyncClient async;

    AuditTrail(ElasticsearchClient client) {
        this.async = new ElasticsearchAsyncClient(client._transport(), client._transportOptions());
    }

    /** Records a call that succeeded. */
    void record(Context ctx, String action, Map<String, String> parameters, long resultCount) {
        record(ctx, action, parameters, resultCount, SUCCESS);
    }

    void record(Context ctx, String action, Map<String, String> parameters, long resultCount, String outcome) {
        Principal principal = WebApp.principal(ctx);
        String id = UUID.randomUUID().toString();
        ObjectNode doc = EventCodec.mapper().createObjectNode()
                .put("@timestamp", Instant.now().toString())
                .put("id", id)
                .put("action", action)
                .put("outcome", outcome)
                .put("result_count", resultCount);
        doc.putObject("principal")
                .put("name", principal == null ? "anonymous" : principal.name())
                .put("role", principal == null ? "" : principal.role());
        ObjectNode given = doc.putObject("parameters");
        parameters.forEach((name, value) -> given.put(name, shortened(value)));
        String address = ctx.ip();
        if (address != null && !address.isBlank()) doc.put("remote_address", address);
        async.index(i -> i.index(IndexNames.AUDIT).id(id).document(doc)).whenComplete((response, error) -> {
            if (error != null) log.warn("audit record of {} by {} not written: {}", action, doc.path("principal").path("name").asText(), error.toString());
        });
    }

    /** Runs {@code work} and records it, as a failure with result count -1 when it throws. */
    void run(Context ctx, String action, Map<String, String> parameters, Work work) throws Exception {
        long count;
        try {
            count = work.run();
        } catch (Exception | Error e) {
            record(ctx, action, parameters, -1, FAILURE);
            throw e;
        }
        record(ctx, action, parameters, count, SUCCESS);
    }

    /** The named query parameters the caller gave, for the {@code parameters} of a record. */
    static Map<String, String> queryParameters(Context ctx, Iterable<String> names) {
        return parameters(ctx::queryParam, names);
    }

    static Map<String, String> parameters(Function<String, String> parameter, Iterable<String> names) {
        Map<String, String> given = new LinkedHashMap<>();
        for (String name : names) {
            String value = parameter.apply(name);
            if (value != null && !value.isBlank()) given.put(name, value);
        }
        return given;
    }

    private static String shortened(String value) {
        return value.length() <= MAX_VALUE_LENGTH ? value : value.substring(0, MAX_VALUE_LENGTH) + "…";
    }
}
