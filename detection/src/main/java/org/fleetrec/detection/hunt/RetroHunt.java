package org.fleetrec.detection.hunt;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.JsonData;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.detection.alert.Alert;
import org.fleetrec.detection.alert.AlertGrouper;
import org.fleetrec.detection.alert.RuleMatch;
import org.fleetrec.detection.sigma.EsTranslation;
import org.fleetrec.model.EventDocument;
import org.fleetrec.model.IndexNames;

import java.io.IOException;
import java.io.StringReader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A rule run over stored history: its Elasticsearch query over {@code fleet-events-*} in a time
 * range, every hit re-checked with the compiled rule (so a query that only approximates the rule
 * still gives exactly the rule's matches), and the matches grouped into the alerts live detection
 * would have raised. Bounded by {@link HuntLimits}; the result says when and why it stopped early.
 */
public final class RetroHunt {
    private static final int PAGE = 1_000;
    /** Over the heap one alert can take (its fields are cut to size when it opens): the grouper never forgets a result. */
    private static final long BYTES_PER_ALERT = 128 * 1024;
    private static final int MAX_HOST = 1_024;

    private final ElasticsearchClient client;
    private final AlertGrouper.Limits grouping;
    private final Clock clock;

    /** {@code grouping}: live detection's window, process bound and event ids, so results group as alerts do. */
    public RetroHunt(ElasticsearchClient client, AlertGrouper.Limits grouping) {
        this(client, grouping, Clock.systemUTC());
    }

    RetroHunt(ElasticsearchClient client, AlertGrouper.Limits grouping, Clock clock) {
        this.client = client;
        this.grouping = grouping;
        this.clock = clock;
    }

    /**
     * Hunts {@code rule} over {@code range}, on one host when {@code host} (a {@code host.name} or
     * {@code host.id}) is given.
     *
     * @throws HuntRefused the rule has no query form, the host is unusable, or Elasticsearch refuses the query
     * @throws IOException Elasticsearch could not be reached
     */
    public HuntResult run(HuntRule rule, HuntRange range, String host, HuntLimits limits) throws HuntRefused, IOException {
        EsTranslation translation = rule.translation();
        if (translation instanceof EsTranslation.NotTranslatable n) {
            throw new HuntRefused("the rule cannot be run over stored events: " + n.reason());
        }
        EsTranslation.Query translated = (EsTranslation.Query) translation;
        if (host != null && (host.isBlank() || host.length() > MAX_HOST)) {
            throw new HuntRefused("host is a host name or id of 1 to " + MAX_HOST + " characters");
        }
        Instant started = clock.instant();
        Instant deadline = started.plus(limits.maxTime());
        Query timeRange = timeRange(range);
        List<Query> filters = new ArrayList<>(List.of(json(translated.query()), timeRange));
        if (host != null) filters.add(onHost(host.strip()));
        Query query = Query.of(q -> q.bool(b -> b.filter(filters)));

        // One fixed instant for the whole hunt: nothing it holds is forgotten for idling, and every result was "made" then.
        AlertGrouper grouper = new AlertGrouper(new AlertGrouper.Limits(grouping.window(), limits.maxResults() + 1,
                (limits.maxResults() + 1L) * BYTES_PER_ALERT, grouping.maxPerRuleHost(), grouping.maxEventIds()),
                Clock.fixed(started, java.time.ZoneOffset.UTC));
        Map<String, Alert> alerts = new LinkedHashMap<>();
        long scanned = 0;
        long confirmed = 0;
        Instant last = null;
        HuntResult.Truncation truncated = null;
        long total;
        try (EventPages pages = new EventPages(client, IndexNames.ALL_EVENTS, timeRange, query)) {
            reading:
            while (true) {
                if (scanned >= limits.maxEvents()) {
                    truncated = HuntResult.Truncation.MAX_EVENTS;
                    break;
                }
                if (!clock.instant().isBefore(deadline)) {
                    truncated = HuntResult.Truncation.MAX_TIME;
                    break;
                }
                List<Hit<ObjectNode>> page = pages.next((int) Math.min(PAGE, limits.maxEvents() - scanned));
                for (Hit<ObjectNode> hit : page) {
                    scanned++;
                    if (hit.source() == null) continue;
                    EventDocument doc = EventDocument.wrap(hit.source());
                    last = doc.timestamp(last);
                    if (!rule.matches(doc)) continue;
                    confirmed++;
                    Optional<Alert> opened;
                    try {
                        opened = grouper.offer(new RuleMatch(rule.ref(), doc, hit.index(), hit.id()));
                    } catch (IllegalArgumentException noHost) {
                        continue; // live detection makes no alert of it either
                    }
                    if (opened.isPresent()) {
                        if (alerts.size() == limits.maxResults()) {
                            truncated = HuntResult.Truncation.MAX_RESULTS;
                            break reading;
                        }
                        alerts.put(opened.get().id(), opened.get());
                    }
                }
                if (page.isEmpty() || scanned >= pages.total()) break;
            }
            total = pages.total();
        }
        for (Alert grown : grouper.drainUpdates()) alerts.computeIfPresent(grown.id(), (id, old) -> grown);
        List<Alert> newestFirst = new ArrayList<>(alerts.values());
        newestFirst.sort(Comparator.comparing(Alert::firstSeen).reversed().thenComparing(Alert::id));
        return new HuntResult(translated.exact(), translated.complete(), translated.notes(), total, scanned, confirmed,
                newestFirst, truncated, truncated == null ? null : last, Duration.between(started, clock.instant()).toMillis());
    }

    private static Query timeRange(HuntRange range) {
        return Query.of(q -> q.range(r -> r.untyped(u -> u.field("@timestamp")
                .gte(JsonData.of(range.from().toString())).lte(JsonData.of(range.to().toString())))));
    }

    private static Query onHost(String host) {
        return Query.of(q -> q.bool(b -> b.minimumShouldMatch("1")
                .should(s -> s.term(t -> t.field("host.name").value(FieldValue.of(host))))
                .should(s -> s.term(t -> t.field("host.id").value(FieldValue.of(host))))));
    }

    private static Query json(ObjectNode query) {
        return Query.of(q -> q.withJson(new StringReader(query.toString())));
    }
}
