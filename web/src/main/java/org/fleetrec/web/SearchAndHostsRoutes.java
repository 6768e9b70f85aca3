package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.util.Optional;
import java.util.function.Function;

/**
 * Registers the export, hosts and audit endpoints next to {@code GET /api/v1/search}, and the hosts pages:
 * {@code POST /api/v1/search} (the same search with its parameters in a form body), {@code GET /api/v1/search/export}, {@code GET /api/v1/hosts}, {@code GET /api/v1/hosts/{hostId}},
 * {@code GET /api/v1/audit}, {@code GET /hosts} and {@code GET /host?id=}.
 */
final class SearchAndHostsRoutes {
    private final ElasticsearchClient client;
    private final Function<Context, Optional<Principal>> sessionPrincipal;

    SearchAndHostsRoutes(ElasticsearchClient client, Function<Context, Optional<Principal>> sessionPrincipal) {
        this.client = client;
        this.sessionPrincipal = sessionPrincipal;
    }

    void routes(Javalin app) {
        app.post("/api/v1/search", new SearchApi(client)::searchPosted);
        app.get("/api/v1/search/export", new SearchExport(client)::export);
        new HostsApi(client).routes(app);
        new AuditApi(client).routes(app);
        app.get("/hosts", ctx -> page(ctx, "hosts.html"));
        app.get("/host", ctx -> page(ctx, "host.html"));
    }

    /** Page shells are for signed-in users; anyone else is sent to sign in, as {@code /} does. */
    private void page(Context ctx, String name) {
        if (sessionPrincipal.apply(ctx).isEmpty()) {
            ctx.redirect("/login");
        } else {
            ctx.contentType("text/html; charset=utf-8").result(Pages.resource(name));
        }
    }
}
