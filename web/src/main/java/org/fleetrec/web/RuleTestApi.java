package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.TooManyRequestsResponse;
import org.fleetrec.detection.alert.Alert;
import org.fleetrec.detection.alert.AlertGrouper;
import org.fleetrec.detection.rules.RuleCatalog;
import org.fleetrec.detection.rules.RuleEntry;
import io.javalin.http.NotFoundResponse;
import org.fleetrec.detection.hunt.HuntLimits;
import org.fleetrec.detection.hunt.HuntRange;
import org.fleetrec.detection.hunt.HuntRefused;
import org.fleetrec.detection.hunt.HuntResult;
import org.fleetrec.detection.hunt.HuntRule;
import org.fleetrec.detection.hunt.RetroHunt;
import org.fleetrec.detection.hunt.RuleTrial;
import org.fleetrec.detection.sigma.EsTranslation;
import org.fleetrec.model.EventCodec;

import java.io.IOException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * {@code POST /api/v1/rules/test}: a Sigma rule tried on event documents given in the body, or
 * hunted over a range of stored history (at most {@link HuntRange#MAX_SPAN}) with its matches
 * grouped into alert-shaped results, exactly as live detection would have raised them (never
 * written to {@code fleet-alerts}). Any signed-in role may test: it reads what search reads. The
 * page is {@code /hunt}.
 */
final class RuleTestApi {
    static final int MAX_BODY_BYTES = 5 * 1024 * 1024;
    /** Hunts running at once: each may read for a minute, and Elasticsearch serves the live fleet too. */
    static final int MAX_CONCURRENT_HUNTS = 2;
    private static final String DEFAULT_FROM = "now-24h";

    private final RetroHunt hunt;
    private final RuleCatalog catalog;
    private final AuditTrail audit;
    private final Semaphore running = new Semaphore(MAX_CONCURRENT_HUNTS);

    RuleTestApi(ElasticsearchClient client, AuditTrail audit) {
        // The live detection settings of this machine's environment, so results group as its alerts do.
        this.hunt = new RetroHunt(client, AlertGrouper.Limits.fromEnvironment(System.getenv()));
        this.catalog = new RuleCatalog(client);
        this.audit = audit;
    }

    void routes(Javalin app, Function<String, Handler> page) {
        app.post("/api/v1/rules/test", this::test);
        app.get("/hunt", page.apply("hunt.html"));
    }

    void test(Context ctx) throws Exception {
        RuleTestRequest request = RuleTestRequest.parse(RequestBody.json(RequestBody.bytes(ctx, MAX_BODY_BYTES,
                "try the rule on fewer events at a time")));
        HuntRange range = request.trial() ? null : range(request);
        // The range as resolved: what was read, whenever the record is looked at.
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("mode", request.trial() ? "events" : "range");
        if (range != null) {
            parameters.put("from", range.from().toString());
            parameters.put("to", range.to().toString());
        }
        if (request.host() != null) parameters.put("host", request.host());
        if (request.rule() != null) parameters.put("rule", request.rule());
        if (request.id() != null) parameters.put("id", request.id());
        audit.run(ctx, "rules.test", parameters, () -> {
            try {
                HuntRule rule = rule(request);
                ObjectNode answer = request.trial() ? trial(rule, request) : hunt(rule, range, request);
                ctx.contentType("application/json").result(answer.toString());
                return answer.path("results").size();
            } catch (HuntRefused e) {
                throw new BadRequestResponse(e.getMessage());
            }
        });
    }

    /** The rule the request names: its YAML, or the catalogue's copy of the rule under that id (any state). */
    private HuntRule rule(RuleTestRequest request) throws HuntRefused, IOException {
        if (request.id() != null) {
            RuleEntry entry = catalog.get(request.id())
                    .orElseThrow(() -> new NotFoundResponse("no rule " + request.id() + " in the catalogue"));
            return HuntRule.parse(entry.yaml());
        }
        if (request.rule() == null) throw new HuntRefused("no rule: give the rule's YAML as \"rule\" or a catalogue rule's \"id\"");
        return HuntRule.parse(request.rule());
    }

    private static ObjectNode trial(HuntRule rule, RuleTestRequest request) throws HuntRefused {
        List<RuleTrial.Outcome> outcomes = RuleTrial.run(rule, request.events());
        ObjectNode answer = head("events", rule);
        answer.put("matched", outcomes.stream().filter(RuleTrial.Outcome::matched).count());
        ArrayNode results = answer.putArray("results");
        for (RuleTrial.Outcome o : outcomes) {
            ObjectNode r = results.addObject().put("index", o.index()).put("matched", o.matched());
            if (o.note() != null) r.put("note", o.note());
        }
        return answer;
    }

    /** {@code from}/{@code to} as search takes them, within {@link HuntRange#MAX_SPAN}; a 400 saying why otherwise. */
    private static HuntRange range(RuleTestRequest request) {
        TimeWindow.Resolved window = new TimeWindow(request.from() == null ? DEFAULT_FROM : request.from(), request.to())
                .resolve(Duration.ofDays(1));
        try {
            // Elasticsearch keeps milliseconds
            return HuntRange.of(window.from().truncatedTo(ChronoUnit.MILLIS), window.to().truncatedTo(ChronoUnit.MILLIS));
        } catch (HuntRefused e) {
            throw new BadRequestResponse(e.getMessage());
        }
    }

    private ObjectNode hunt(HuntRule rule, HuntRange range, RuleTestRequest request) throws HuntRefused, IOException {
        HuntLimits defaults = HuntLimits.defaults();
        HuntLimits limits;
        try {
            limits = new HuntLimits(request.maxEvents() == null ? defaults.maxEvents() : request.maxEvents(),
                    request.maxResults() == null ? defaults.maxResults() : request.maxResults(), defaults.maxTime());
        } catch (IllegalArgumentException e) {
            throw new HuntRefused(e.getMessage());
        }
        if (!running.tryAcquire()) {
            throw new TooManyRequestsResponse(MAX_CONCURRENT_HUNTS + " hunts are running; try again when one has ended");
        }
        HuntResult result;
        try {
            result = hunt.run(rule, range, request.host(), limits);
        } finally {
            running.release();
        }
        ObjectNode answer = head("range", rule);
        answer.put("from", range.from().toString()).put("to", range.to().toString());
        if (request.host() != null) answer.put("host", request.host());
        answer.put("query_hits", result.queryHits()).put("scanned", result.scanned()).put("confirmed", result.confirmed());
        answer.put("truncated", result.truncated() != null);
        if (result.truncated() != null) {
            answer.put("truncated_reason", result.truncated().id());
            String description = "stopped at " + result.truncated().description();
            if (result.scannedUntil() != null) {
                answer.put("scanned_until", result.scannedUntil().toString());
                description += "; events after " + result.scannedUntil() + " were not read";
            }
            answer.put("truncated_description", description);
        }
        answer.putObject("limits").put("max_events", limits.maxEvents()).put("max_results", limits.maxResults())
                .put("max_seconds", limits.maxTime().toSeconds());
        answer.put("took_ms", result.tookMillis());
        ArrayNode results = answer.putArray("results");
        for (Alert alert : result.alerts()) results.add(alert.document());
        return answer;
    }

    /** What every answer starts with: the mode, the rule, and whether and how it can be hunted. */
    private static ObjectNode head(String mode, HuntRule rule) {
        ObjectNode answer = EventCodec.mapper().createObjectNode().put("mode", mode);
        answer.putObject("rule").put("id", rule.ref().id()).put("title", rule.ref().title()).put("level", rule.ref().level().id());
        ObjectNode translation = answer.putObject("translation");
        EsTranslation t = rule.translation();
        if (t instanceof EsTranslation.Query q) {
            translation.put("huntable", true).put("exact", q.exact()).put("complete", q.complete());
            q.notes().forEach(translation.putArray("notes")::add);
        } else {
            translation.put("huntable", false).put("reason", ((EsTranslation.NotTranslatable) t).reason());
        }
        return answer;
    }
}
