package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.javalin.Javalin;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;

import java.io.IOException;

/**
 * The process view and its endpoints:
 * <ul>
 * <li>{@code GET /api/v1/processes/{entityId}?size=&search_after=}: the process and a page of its events;</li>
 * <li>{@code GET /api/v1/processes/{entityId}/tree?ancestors=&descendants=}: its tree;</li>
 * <li>{@code GET /api/v1/processes?host=&from=&to=&size=}: the root processes of a host in a window;</li>
 * <li>{@code GET /process}: the page drawing them.</li>
 * </ul>
 */
final class ProcessApi {
    static final int DEFAULT_ANCESTORS = 50;
    static final int DEFAULT_DESCENDANT_LEVELS = 3;
    static final int DEFAULT_EVENTS = 100;
    static final int MAX_EVENTS = 1000;
    static final int DEFAULT_ROOTS = 100;
    static final int MAX_ROOTS = 1000;
    static final String DEFAULT_FROM = "now-24h";
    static final String DEFAULT_TO = "now";
    /** Entity ids are 22 characters; anything far longer is not one. */
    private static final int MAX_ID_LENGTH = 256;
    private static final int MAX_PARAMETER_LENGTH = 256;

    private final ElasticsearchClient client;
    private final ProcessStore store;

    ProcessApi(ElasticsearchClient client) {
        this.client = client;
        this.store = new ProcessStore(client);
    }

    void routes(Javalin app, java.util.function.Function<String, io.javalin.http.Handler> page) {
        app.get("/api/v1/processes", this::roots);
        app.get("/api/v1/processes/{entityId}", this::process);
        app.get("/api/v1/processes/{entityId}/tree", this::tree);
        app.get("/process", page.apply("process.html"));
    }

    private void process(Context ctx) throws IOException {
        String entityId = entityId(ctx);
        int size = number(ctx, "size", DEFAULT_EVENTS, 1, MAX_EVENTS);
        // Not text(): a cursor is as long as the sort values it carries; EventCursor bounds it.
        String cursor = ctx.queryParam("search_after");
        if (cursor != null && cursor.isBlank()) cursor = null;
        ctx.json(new ProcessEvents(client, store).page(entityId, size, cursor).orElseThrow(() -> unknown(entityId)));
    }

    private void tree(Context ctx) throws IOException {
        String entityId = entityId(ctx);
        int ancestors = number(ctx, "ancestors", DEFAULT_ANCESTORS, 0, ProcessTree.MAX_ANCESTORS);
        int descendants = number(ctx, "descendants", DEFAULT_DESCENDANT_LEVELS, 0, ProcessTree.MAX_DESCENDANT_LEVELS);
        ctx.json(new ProcessTree(store).build(entityId, ancestors, descendants).orElseThrow(() -> unknown(entityId)));
    }

    private void roots(Context ctx) throws IOException {
        String host = text(ctx, "host");
        if (host == null) throw new BadRequestResponse("host is required (a host.id or host.name)");
        String from = text(ctx, "from");
        String to = text(ctx, "to");
        int size = number(ctx, "size", DEFAULT_ROOTS, 1, MAX_ROOTS);
        ctx.json(new RootProcesses(client).list(host, from == null ? DEFAULT_FROM : from, to == null ? DEFAULT_TO : to, size));
    }

    private static String entityId(Context ctx) {
        String id = ctx.pathParam("entityId");
        if (id.isBlank() || id.length() > MAX_ID_LENGTH) throw new BadRequestResponse("not a process.entity_id");
        return id;
    }

    private static NotFoundResponse unknown(String entityId) {
        return new NotFoundResponse("no event carries process.entity_id " + entityId);
    }

    /** A query parameter, or null when absent or blank. */
    private static String text(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) return null;
        if (value.length() > MAX_PARAMETER_LENGTH) throw new BadRequestResponse(name + " is too long");
        return value.trim();
    }

    private static int number(Context ctx, String name, int defaultValue, int min, int max) {
        return WholeNumber.parse(name, text(ctx, name), defaultValue, min, max);
    }
}
