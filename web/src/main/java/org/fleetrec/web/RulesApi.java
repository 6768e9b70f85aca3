package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ConflictResponse;
import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.UnsupportedMediaTypeResponse;
import org.fleetrec.detection.rules.CatalogException;
import org.fleetrec.detection.rules.RuleCatalog;
import org.fleetrec.detection.rules.RuleEntry;
import org.fleetrec.detection.rules.RuleState;
import org.fleetrec.detection.sigma.SigmaParser;
import org.fleetrec.model.EventCodec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The rule catalogue: {@code GET /api/v1/rules} (every rule the fleet runs or refused, with the
 * reason), {@code GET /api/v1/rules/{id}} (with its YAML), and for admins {@code POST /api/v1/rules}
 * (an added rule, checked as the ingest servers would load it) and {@code POST /api/v1/rules/{id}/enable},
 * {@code /disable}, {@code /retire}. Changes are in the audit trail. The page is {@code /rules}.
 */
final class RulesApi {
    /** Room for a rule at the engine's size limit, in JSON with every character escaped if need be. */
    static final int MAX_BODY_BYTES = SigmaParser.MAX_YAML_CHARS * 6 + 1024;
    private static final Set<String> YAML_TYPES = Set.of("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain");

    private final RuleCatalog catalog;
    private final AuditTrail audit;

    RulesApi(ElasticsearchClient client, AuditTrail audit) {
        this.catalog = new RuleCatalog(client);
        this.audit = audit;
    }

    void routes(Javalin app, Function<String, Handler> page) {
        app.get("/api/v1/rules", this::list);
        app.get("/api/v1/rules/{id}", this::show);
        app.post("/api/v1/rules", this::add);
        app.post("/api/v1/rules/{id}/enable", ctx -> change(ctx, RuleState.ENABLED, "rule.enable"));
        app.post("/api/v1/rules/{id}/disable", ctx -> change(ctx, RuleState.DISABLED, "rule.disable"));
        app.post("/api/v1/rules/{id}/retire", ctx -> change(ctx, RuleState.RETIRED, "rule.retire"));
        app.get("/rules", page.apply("rules.html"));
    }

    private void list(Context ctx) throws IOException {
        RuleCatalog.Filter filter;
        try {
            String state = EventQuery.blankToNull(ctx.queryParam("state"));
            filter = new RuleCatalog.Filter(state == null ? null : RuleState.parse(state), EventQuery.blankToNull(ctx.queryParam("origin")),
                    EventQuery.blankToNull(ctx.queryParam("level")), EventQuery.blankToNull(ctx.queryParam("text")));
        } catch (IllegalArgumentException e) {
            throw new BadRequestResponse(e.getMessage());
        }
        List<RuleEntry> rules = catalog.list(filter);
        ObjectNode answer = EventCodec.mapper().createObjectNode();
        answer.put("count", rules.size());
        ArrayNode array = answer.putArray("rules");
        rules.forEach(r -> array.add(r.json()));
        ctx.contentType("application/json").result(answer.toString());
    }

    private void show(Context ctx) throws IOException {
        String key = ctx.pathParam("id");
        RuleEntry entry = catalog.get(key).orElseThrow(() -> new NotFoundResponse("no rule " + key));
        ctx.contentType("application/json").result(entry.json().toString());
    }

    private void add(Context ctx) throws Exception {
        // Filled as the request is read, so a refusal is recorded with what is known of it.
        Map<String, String> parameters = new LinkedHashMap<>();
        audit.run(ctx, "rule.add", parameters, () -> {
            AccountsApi.requireAdmin(ctx);
            try {
                RuleEntry added = catalog.add(yaml(ctx), by(ctx));
                parameters.put("id", added.key());
                if (added.title() != null) parameters.put("title", added.title());
                ctx.status(HttpStatus.CREATED).contentType("application/json").result(added.withoutYaml().json().toString());
                return 1;
            } catch (CatalogException e) {
                parameters.put("reason", e.reason());
                throw failure(e);
            }
        });
    }

    private void change(Context ctx, RuleState state, String action) throws Exception {
        String key = ctx.pathParam("id");
        audit.run(ctx, action, Map.of("id", key), () -> {
            AccountsApi.requireAdmin(ctx);
            try {
                RuleEntry changed = catalog.setState(key, state, by(ctx));
                ctx.contentType("application/json").result(changed.withoutYaml().json().toString());
                return 1;
            } catch (CatalogException e) {
                throw failure(e);
            }
        });
    }

    /** The rule text: the body itself (YAML, or plain text), or the {@code yaml} member of a JSON object. */
    private static String yaml(Context ctx) throws IOException {
        String type = RequestBody.mediaType(ctx);
        boolean json = type.equals("application/json");
        if (!json && !YAML_TYPES.contains(type)) {
            throw new UnsupportedMediaTypeResponse("send the rule as application/yaml (or text/plain), or as {\"yaml\": ...} in application/json");
        }
        byte[] body = RequestBody.bytes(ctx, MAX_BODY_BYTES, "a rule is at most " + SigmaParser.MAX_YAML_CHARS + " characters");
        String yaml;
        if (json) {
            JsonNode node = RequestBody.json(body);
            if (!node.path("yaml").isTextual()) throw new BadRequestResponse("the JSON body needs a \"yaml\" string");
            yaml = node.path("yaml").asText();
        } else {
            yaml = new String(body, StandardCharsets.UTF_8);
        }
        if (yaml.length() > SigmaParser.MAX_YAML_CHARS) {
            throw new ContentTooLargeResponse("a rule is at most " + SigmaParser.MAX_YAML_CHARS + " characters");
        }
        return yaml;
    }

    private static HttpResponseException failure(CatalogException e) {
        return switch (e.kind()) {
            case REFUSED -> new BadRequestResponse(e.reason());
            case NOT_FOUND -> new NotFoundResponse(e.reason());
            case DUPLICATE, CONFLICT -> new ConflictResponse(e.reason());
        };
    }

    private static String by(Context ctx) {
        Principal principal = WebApp.principal(ctx);
        return "web:" + principal.name();
    }
}
