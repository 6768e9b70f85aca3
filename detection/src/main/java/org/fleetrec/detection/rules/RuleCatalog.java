package org.fleetrec.detection.rules;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.detection.sigma.Rejected;
import org.fleetrec.detection.sigma.RuleException;
import org.fleetrec.detection.sigma.RuleSet;
import org.fleetrec.detection.sigma.SigmaParser;
import org.fleetrec.detection.sigma.SigmaRule;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;
import org.fleetrec.templates.ElasticsearchErrors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rule catalogue in {@code fleet-rules}: every rule the fleet runs or refused, one document per
 * rule. Shipped and folder rules are published by the ingest servers that load them (never undoing an
 * analyst's state); analysts add their own ({@code api}) and enable, disable or retire any. The ingest
 * servers read it back to know what to run. One class for the web app, the command line and the servers.
 */
public final class RuleCatalog {
    public static final String INDEX = IndexNames.RULES;
    public static final String SHIPPED = "shipped";
    public static final String FOLDER = "folder";
    public static final String API = "api";
    public static final Set<String> ORIGINS = Set.of(SHIPPED, FOLDER, API);
    /** The most rules listed or read at once; adding beyond it is refused. */
    public static final int MAX_RULES = 10_000;
    /** The longest text filter of a listing. */
    public static final int MAX_FILTER_CHARS = 256;
    /** What a rule's id must look like to be its key: a UUID, or a short name. */
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final int PUBLISH_CHUNK = 200;
    private static final long PUBLISH_CHUNK_CHARS = 8L << 20;

    /** What a listing may be narrowed to; null parts do not narrow. */
    public record Filter(RuleState state, String origin, String level, String text) {
        public Filter {
            if (origin != null && !ORIGINS.contains(origin)) {
                throw new IllegalArgumentException("not a rule origin: " + origin + " (one of shipped, folder, api)");
            }
            if (level != null && level.length() > 32) throw new IllegalArgumentException("not a rule level: " + level);
            if (text != null && text.length() > MAX_FILTER_CHARS) {
                throw new IllegalArgumentException("the text filter is longer than " + MAX_FILTER_CHARS + " characters");
            }
            if (text != null && text.isBlank()) text = null;
        }

        public static Filter all() {
            return new Filter(null, null, null, null);
        }
    }

    /** A rule's state and revision as the servers watch it: a change of revision means a change of the rule. */
    public record Revision(RuleState state, String origin, long seqNo, long primaryTerm) {
    }

    private final ElasticsearchClient client;

    public RuleCatalog(ElasticsearchClient client) {
        this.client = client;
    }

    /**
     * The key a rule is stored under: its id when it is a usable one, else one made from where it came
     * from (a rule without an id, or with an id no URL or shell would carry safely).
     */
    public static String keyFor(String id, String origin, String source) {
        if (id != null && KEY.matcher(id).matches()) return id;
        return origin + "-" + sha256(origin + "\n" + source).substring(0, 32);
    }

    /** The rule stored under {@code key}, with its YAML. */
    public Optional<RuleEntry> get(String key) throws IOException {
        return find(key).map(found -> RuleEntry.of(found.id(), found.source()));
    }

    /** The rules the filter lets through, without their YAML, by title; at most {@link #MAX_RULES}. */
    public List<RuleEntry> list(Filter filter) throws IOException {
        List<Query> must = new ArrayList<>();
        if (filter.state() != null) must.add(term("state", filter.state().id()));
        if (filter.origin() != null) must.add(term("origin", filter.origin()));
        if (filter.level() != null) must.add(term("level", filter.level()));
        if (filter.text() != null) {
            String pattern = "*" + filter.text().replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?") + "*";
            must.add(Query.of(q -> q.bool(b -> {
                for (String field : List.of("title", "id", "source", "tags")) {
                    b.should(s -> s.wildcard(w -> w.field(field).value(pattern).caseInsensitive(true)));
                }
                return b.minimumShouldMatch("1");
            })));
        }
        return search(Query.of(q -> q.bool(b -> b.filter(must))), false).stream().map(h -> RuleEntry.of(h.id(), h.source())).toList();
    }

    /**
     * Adds an analyst's rule from its YAML: it must parse and compile as the servers would, carry an
     * id no other rule holds, and fit the engine's bounds. The servers start running it within their
     * refresh time.
     */
    public RuleEntry add(String yaml, String by) throws IOException, CatalogException {
        if (yaml == null || yaml.isBlank()) throw new CatalogException(CatalogException.Kind.REFUSED, "invalid: empty rule");
        if (yaml.length() > SigmaParser.MAX_YAML_CHARS) {
            throw new CatalogException(CatalogException.Kind.REFUSED, "invalid: rule larger than " + SigmaParser.MAX_YAML_CHARS + " characters");
        }
        SigmaRule rule;
        try {
            rule = SigmaParser.parse(API, yaml);
        } catch (RuleException e) {
            throw new CatalogException(CatalogException.Kind.REFUSED, (e.isUnsupported() ? "unsupported: " : "invalid: ") + e.reason());
        }
        if (rule.id() == null || !KEY.matcher(rule.id()).matches()) {
            throw new CatalogException(CatalogException.Kind.REFUSED, "invalid: an added rule needs an id of 1 to 128 letters, digits,"
                    + " '.', '_', ':' or '-', starting with a letter or digit (a UUID is best)");
        }
        RuleSet compiled = RuleSet.builder().add(rule).build();
        if (!compiled.rejected().isEmpty()) {
            Rejected r = compiled.rejected().get(0);
            throw new CatalogException(CatalogException.Kind.REFUSED, (r.unsupported() ? "unsupported: " : "invalid: ") + r.reason());
        }
        Optional<RuleEntry> taken = get(rule.id());
        if (taken.isPresent()) throw duplicate(taken.get());
        if (count() >= MAX_RULES) {
            throw new CatalogException(CatalogException.Kind.REFUSED, "the catalogue holds " + MAX_RULES + " rules already");
        }
        RuleEntry.Stamp now = new RuleEntry.Stamp(by, Instant.now().toString());
        RuleEntry entry = new RuleEntry(rule.id(), rule.id(), rule.title(), rule.level(), rule.tags(), rule.logsource(), API, API,
                RuleState.ENABLED, true, false, null, now, now, null, yaml);
        try {
            client.create(c -> c.index(INDEX).id(entry.key()).document(entry.document()).refresh(Refresh.WaitFor));
        } catch (ElasticsearchException e) {
            if (!ElasticsearchErrors.is(e, 409)) throw e;
            throw duplicate(get(rule.id()).orElse(entry)); // added by someone else meanwhile
        }
        return entry;
    }

    private static CatalogException duplicate(RuleEntry holder) {
        return new CatalogException(CatalogException.Kind.DUPLICATE, "rule id " + holder.key() + " is taken by "
                + (API.equals(holder.origin()) ? "an added rule" : "a " + holder.origin() + " rule (" + holder.source() + ")")
                + (holder.state() == RuleState.RETIRED ? ", retired" : "") + "; give the rule another id");
    }

    /**
     * Enables, disables or retires a rule. A retired rule stays retired; shipped and folder rules can be
     * disabled but not retired (their files are not the catalogue's to remove). Setting the state a rule
     * has already changes nothing.
     */
    public RuleEntry setState(String key, RuleState state, String by) throws IOException, CatalogException {
        for (int attempt = 0; ; attempt++) {
            var found = find(key);
            if (found.isEmpty()) throw new CatalogException(CatalogException.Kind.NOT_FOUND, "no rule " + key);
            var hit = found.get();
            RuleEntry current = RuleEntry.of(hit.id(), hit.source());
            if (current.state() == state) return current;
            if (current.state() == RuleState.RETIRED) {
                throw new CatalogException(CatalogException.Kind.CONFLICT, "rule " + key + " is retired, and stays so; add it again under another id");
            }
            if (state == RuleState.RETIRED && !API.equals(current.origin())) {
                throw new CatalogException(CatalogException.Kind.CONFLICT, "rule " + key + " is a " + current.origin()
                        + " rule: disable it instead (its file is not the catalogue's to remove)");
            }
            RuleEntry.Stamp now = new RuleEntry.Stamp(by, Instant.now().toString());
            ObjectNode change = EventCodec.mapper().createObjectNode().put("state", state.id());
            change.putObject("changed").put("by", now.by()).put("at", now.at());
            try {
                client.update(u -> u.index(INDEX).id(key).ifSeqNo(hit.seqNo()).ifPrimaryTerm(hit.primaryTerm())
                        .doc(change).refresh(Refresh.WaitFor), ObjectNode.class);
                return new RuleEntry(current.key(), current.id(), current.title(), current.level(), current.tags(), current.logsource(),
                        current.origin(), current.source(), state, current.loaded(), current.unsupported(), current.refusal(),
                        current.added(), now, current.publishedAt(), current.yaml());
            } catch (ElasticsearchException e) {
                // Changed by someone else between reading and writing: decide again on what is there now.
                if (!ElasticsearchErrors.is(e, 409) || attempt >= 3) throw e;
            }
        }
    }

    /**
     * Publishes shipped and folder rules as a server loaded them (or refused them): what they say is
     * brought up to date, their state and who added them are never touched, so an analyst's decision
     * outlives every restart. A rule not there yet comes in enabled. Throws when the catalogue could not be
     * reached; a rule the catalogue refused to store is in the answer with the reason (trying again would
     * not help).
     */
    public List<String> publish(List<RuleEntry> entries, String by) throws IOException {
        String at = Instant.now().toString();
        List<String> unstored = new ArrayList<>();
        List<RuleEntry> chunk = new ArrayList<>();
        long chars = 0;
        for (RuleEntry entry : entries) {
            chunk.add(entry);
            chars += entry.yaml() == null ? 0 : entry.yaml().length();
            if (chunk.size() >= PUBLISH_CHUNK || chars >= PUBLISH_CHUNK_CHARS) {
                unstored.addAll(publishChunk(chunk, by, at));
                chunk.clear();
                chars = 0;
            }
        }
        if (!chunk.isEmpty()) unstored.addAll(publishChunk(chunk, by, at));
        return unstored;
    }

    private List<String> publishChunk(List<RuleEntry> entries, String by, String at) throws IOException {
        BulkRequest.Builder bulk = new BulkRequest.Builder().refresh(Refresh.WaitFor);
        for (RuleEntry entry : entries) {
            ObjectNode doc = entry.described().put("published_at", at);
            ObjectNode upsert = doc.deepCopy().put("state", RuleState.ENABLED.id());
            upsert.putObject("added").put("by", by).put("at", at);
            upsert.putObject("changed").put("by", by).put("at", at);
            bulk.operations(op -> op.update(u -> u.index(INDEX).id(entry.key()).retryOnConflict(3)
                    .action(a -> a.doc(doc).upsert(upsert))));
        }
        BulkResponse response = client.bulk(bulk.build());
        List<String> unstored = new ArrayList<>();
        for (var item : response.items()) {
            if (item.error() == null) continue;
            // Overloaded or unavailable: the whole publication is tried again later.
            if (item.status() == 429 || item.status() >= 500) throw new IOException("rules not published: " + item.error().reason());
            unstored.add(item.id() + ": " + item.error().reason());
        }
        return unstored;
    }

    /**
     * What a server watches: every added rule and every rule not enabled, by key, with its revision.
     * Small (enabled shipped and folder rules are not in it) and read without the YAML, so a server can
     * ask often; an index not made yet is an empty catalogue.
     */
    public Map<String, Revision> watched() throws IOException {
        Query query = Query.of(q -> q.bool(b -> b.minimumShouldMatch("1")
                .should(term("origin", API))
                .should(s -> s.bool(n -> n.mustNot(term("state", RuleState.ENABLED.id()))))));
        Map<String, Revision> revisions = new LinkedHashMap<>();
        for (Hit<ObjectNode> hit : search(query, true)) {
            RuleEntry entry = RuleEntry.of(hit.id(), hit.source());
            revisions.put(hit.id(), new Revision(entry.state(), entry.origin(),
                    hit.seqNo() == null ? -1 : hit.seqNo(), hit.primaryTerm() == null ? -1 : hit.primaryTerm()));
        }
        return revisions;
    }

    /** The added rules in force, with their YAML. */
    public List<RuleEntry> enabledAdded() throws IOException {
        Query query = Query.of(q -> q.bool(b -> b.filter(term("origin", API)).filter(term("state", RuleState.ENABLED.id()))));
        List<RuleEntry> out = new ArrayList<>();
        for (Hit<ObjectNode> hit : search(query, false, true)) out.add(RuleEntry.of(hit.id(), hit.source()));
        return out;
    }

    /** Records that an added rule no longer loads (an engine that changed under it), without touching its state. */
    public void markRefused(String key, String reason, boolean unsupported) throws IOException {
        ObjectNode change = EventCodec.mapper().createObjectNode().put("loaded", false).put("refusal", reason).put("unsupported", unsupported);
        try {
            client.update(u -> u.index(INDEX).id(key).doc(change), ObjectNode.class);
        } catch (ElasticsearchException e) {
            if (!ElasticsearchErrors.is(e, 404)) throw e;
        }
    }

    private long count() throws IOException {
        try {
            return client.count(c -> c.index(INDEX)).count();
        } catch (ElasticsearchException e) {
            if (ElasticsearchErrors.is(e, 404)) return 0;
            throw e;
        }
    }

    /** The stored rule with its revision, read in real time (not waiting for a refresh). */
    private Optional<co.elastic.clients.elasticsearch.core.GetResponse<ObjectNode>> find(String key) throws IOException {
        if (key == null || key.isEmpty() || key.length() > 512) return Optional.empty();
        try {
            var found = client.get(g -> g.index(INDEX).id(key), ObjectNode.class);
            return found.found() ? Optional.of(found) : Optional.empty();
        } catch (ElasticsearchException e) {
            if (ElasticsearchErrors.is(e, 404)) return Optional.empty();
            throw e;
        }
    }

    private List<Hit<ObjectNode>> search(Query query, boolean revisions) throws IOException {
        return search(query, revisions, false);
    }

    private List<Hit<ObjectNode>> search(Query query, boolean revisions, boolean withYaml) throws IOException {
        try {
            return client.search(s -> {
                // Not ignoreUnavailable: a closed catalogue must fail the read, not look empty (every rule enabled).
                s.index(INDEX).size(MAX_RULES).query(query)
                        .seqNoPrimaryTerm(revisions)
                        .sort(o -> o.field(f -> f.field("title").order(SortOrder.Asc).missing("_last")
                                .unmappedType(co.elastic.clients.elasticsearch._types.mapping.FieldType.Keyword)))
                        .sort(o -> o.field(f -> f.field("source").order(SortOrder.Asc)
                                .unmappedType(co.elastic.clients.elasticsearch._types.mapping.FieldType.Keyword)));
                if (!withYaml) s.source(src -> src.filter(f -> f.excludes("yaml")));
                return s;
            }, ObjectNode.class).hits().hits();
        } catch (ElasticsearchException e) {
            if (ElasticsearchErrors.is(e, 404)) return List.of();
            throw e;
        }
    }

    private static Query term(String field, String value) {
        return Query.of(q -> q.term(t -> t.field(field).value(value)));
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
