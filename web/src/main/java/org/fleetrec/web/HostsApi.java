package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import co.elastic.clients.elasticsearch._types.aggregations.StringTermsBucket;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.GetResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.JsonData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;
import org.fleetrec.templates.ElasticsearchErrors;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The hosts of the fleet as {@code fleet-hosts} stores them, with how many events each sent lately.
 *
 * <p>{@code GET /api/v1/hosts?q=&sort=}: {@code {"total": N, "truncated": false, "hosts": [doc...]}}
 * where each doc is the stored host document ({@code host.*}, {@code agent.*}, {@code last_seen},
 * {@code last_address}, {@code health}, {@code health_time}) plus {@code "events": {"last_hour": n,
 * "last_24h": n}}. {@code q} keeps hosts whose name, hostname or id contains it (any case);
 * {@code sort} is one of {@link #SORTS} with {@code :asc} or {@code :desc}, {@code name:asc} by default.
 *
 * <p>{@code GET /api/v1/hosts/{hostId}?from=&to=}: the host document and its activity, see {@link HostActivity}.
 */
final class HostsApi {
    static final int MAX_HOSTS = 10_000;
    static final Duration DEFAULT_WINDOW = Duration.ofHours(24);
    private static final Map<String, Function<ObjectNode, JsonNode>> SORTS = new LinkedHashMap<>();

    static {
        SORTS.put("name", doc -> doc.path("host").path("name"));
        SORTS.put("hostname", doc -> doc.path("host").path("hostname"));
        SORTS.put("last_seen", doc -> doc.path("last_seen"));
        SORTS.put("agent_version", doc -> doc.path("agent").path("version"));
        SORTS.put("events_last_hour", doc -> doc.path("events").path("last_hour"));
        SORTS.put("events_last_24h", doc -> doc.path("events").path("last_24h"));
    }

    private final ElasticsearchClient client;
    private final HostActivity activity;
    private final AuditTrail audit;

    HostsApi(ElasticsearchClient client, AuditTrail audit) {
        this.client = client;
        this.activity = new HostActivity(client);
        this.audit = audit;
    }

    void routes(io.javalin.Javalin app) {
        app.get("/api/v1/hosts", this::list);
        app.get("/api/v1/hosts/{hostId}", this::detail);
    }

    void list(Context ctx) throws Exception {
        audit.run(ctx, "hosts", AuditTrail.queryParameters(ctx, List.of("q", "sort")), () -> {
            String q = EventQuery.blankToNull(ctx.queryParam("q"));
            Comparator<ObjectNode> order = order(ctx.queryParam("sort"));
            SearchResponse<ObjectNode> found = client.search(s -> s.index(IndexNames.HOSTS).size(MAX_HOSTS)
                    .ignoreUnavailable(true).allowNoIndices(true).trackTotalHits(t -> t.enabled(true))
                    .query(nameFilter(q)), ObjectNode.class);
            List<ObjectNode> hosts = new ArrayList<>();
            for (Hit<ObjectNode> hit : found.hits().hits()) {
                if (hit.source() != null) hosts.add(hit.source());
            }
            Map<String, long[]> rates = eventRates(hosts.stream().map(HostsApi::hostId).toList());
            for (ObjectNode host : hosts) {
                long[] counts = rates.getOrDefault(hostId(host), new long[2]);
                host.putObject("events").put("last_hour", counts[0]).put("last_24h", counts[1]);
            }
            hosts.sort(order);
            long total = found.hits().total() == null ? hosts.size() : found.hits().total().value();
            ObjectNode body = EventCodec.mapper().createObjectNode().put("total", total).put("truncated", total > hosts.size());
            ArrayNode list = body.putArray("hosts");
            hosts.forEach(list::add);
            ctx.json(body);
            return hosts.size();
        });
    }

    void detail(Context ctx) throws Exception {
        String hostId = ctx.pathParam("hostId");
        Map<String, String> parameters = AuditTrail.queryParameters(ctx, List.of("from", "to"));
        parameters.put("host_id", hostId);
        audit.run(ctx, "host", parameters, () -> {
            TimeWindow.Resolved window = TimeWindow.of(ctx, null, null).resolve(DEFAULT_WINDOW);
            ObjectNode stored = stored(hostId);
            ObjectNode body = activity.of(hostId, window);
            if (stored == null && body.path("total").asLong() == 0) throw new NotFoundResponse("no host with id " + hostId);
            ObjectNode answer = EventCodec.mapper().createObjectNode().put("id", hostId);
            answer.set("host", stored);
            answer.setAll(body);
            ctx.json(answer);
            return 1;
        });
    }

    private ObjectNode stored(String hostId) throws IOException {
        try {
            GetResponse<ObjectNode> found = client.get(g -> g.index(IndexNames.HOSTS).id(hostId), ObjectNode.class);
            return found.found() ? found.source() : null;
        } catch (ElasticsearchException e) {
            if (ElasticsearchErrors.is(e, 404)) return null;
            throw e;
        }
    }

    /** Events in the last hour and the last 24 hours per host id, counted in one aggregation. */
    private Map<String, long[]> eventRates(List<String> hostIds) throws IOException {
        Map<String, long[]> rates = new HashMap<>();
        if (hostIds.isEmpty()) return rates;
        SearchResponse<Void> response = client.search(s -> s.index(IndexNames.ALL_EVENTS).size(0)
                .ignoreUnavailable(true).allowNoIndices(true)
                .query(since("now-24h"))
                .aggregations("hosts", a -> a.terms(t -> t.field("host.id").size(hostIds.size())
                                .include(i -> i.terms(hostIds)))
                        .aggregations("last_hour", sub -> sub.filter(since("now-1h")))), Void.class);
        Aggregate hosts = response.aggregations().get("hosts");
        if (hosts == null || !hosts.isSterms()) return rates;
        for (StringTermsBucket bucket : hosts.sterms().buckets().array()) {
            rates.put(bucket.key().stringValue(),
                    new long[]{bucket.aggregations().get("last_hour").filter().docCount(), bucket.docCount()});
        }
        return rates;
    }

    private static Query since(String dateMath) {
        return Query.of(q -> q.range(r -> r.untyped(u -> u.field("@timestamp").gte(JsonData.of(dateMath)))));
    }

    private static Query nameFilter(String q) {
        if (q == null) return Query.of(m -> m.matchAll(a -> a));
        String pattern = "*" + q.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?") + "*";
        return Query.of(b -> b.bool(bool -> {
            bool.minimumShouldMatch("1");
            for (String field : List.of("host.name", "host.hostname", "host.id")) {
                bool.should(s -> s.wildcard(w -> w.field(field).value(pattern).caseInsensitive(true)));
            }
            return bool;
        }));
    }

    private static String hostId(ObjectNode doc) {
        return doc.path("host").path("id").asText("");
    }

    static Comparator<ObjectNode> order(String value) {
        String text = value == null || value.isBlank() ? "name:asc" : value.trim();
        int colon = text.lastIndexOf(':');
        String key = colon < 0 ? text : text.substring(0, colon);
        String direction = colon < 0 ? "asc" : text.substring(colon + 1);
        Function<ObjectNode, JsonNode> field = SORTS.get(key);
        if (field == null || !(direction.equals("asc") || direction.equals("desc"))) {
            throw new BadRequestResponse("sort must be <field>:asc or <field>:desc with field one of " + String.join(", ", SORTS.keySet()));
        }
        Comparator<JsonNode> values = HostsApi::compareValues;
        if (direction.equals("desc")) values = values.reversed();
        Comparator<JsonNode> missingLast = (a, b) -> {
            boolean aMissing = a.isMissingNode() || a.isNull();
            boolean bMissing = b.isMissingNode() || b.isNull();
            if (aMissing || bMissing) return Boolean.compare(aMissing, bMissing);
            return 0;
        };
        Comparator<JsonNode> byValue = missingLast.thenComparing(values);
        return Comparator.comparing(field, byValue).thenComparing(HostsApi::hostId);
    }

    private static int compareValues(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) return Long.compare(a.asLong(), b.asLong());
        return a.asText().compareToIgnoreCase(b.asText());
    }
}
