package org.fleetrec.detection.rules;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import org.fleetrec.detection.sigma.CompiledRule;
import org.fleetrec.detection.sigma.Rejected;
import org.fleetrec.detection.sigma.RuleSet;
import org.fleetrec.detection.sigma.SigmaParser;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.fleetrec.templates.ElasticsearchClients;
import org.fleetrec.templates.ElasticsearchSettings;
import org.fleetrec.templates.TemplateInstaller;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rule catalogue in a real Elasticsearch: publishing never undoes an analyst's state, refused
 * rules are listed with their reasons, added rules are checked and can be disabled, enabled and
 * retired, hostile rule text is refused with the reason and nothing stored, and a server's rule set
 * follows the catalogue.
 */
@ExtendWith(ElasticsearchExtension.class)
class RuleCatalogIT {
    private static ElasticsearchClient client;
    private static RuleCatalog catalog;

    @BeforeAll
    static void connect(TestElasticsearch es) throws Exception {
        client = ElasticsearchClients.create(new ElasticsearchSettings(es.url(), null, es.username(), es.password(), null));
        new TemplateInstaller(client).install();
        catalog = new RuleCatalog(client);
    }

    @AfterAll
    static void close() {
        if (client != null) ElasticsearchClients.close(client);
    }

    static String rule(String id, String title, String image) {
        return """
                title: %s
                id: %s
                status: test
                level: high
                tags: [attack.execution, attack.t1059]
                logsource: {product: linux, category: process_creation}
                detection:
                  selection:
                    Image|endswith: '%s'
                  condition: selection
                """.formatted(title, id, image);
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    private static RuleEntry stored(String key) throws Exception {
        return catalog.get(key).orElseThrow(() -> new AssertionError("no rule " + key + " in the catalogue"));
    }

    private static CatalogException refused(CatalogException.Kind kind, ThrowingCall call) {
        CatalogException e = assertThrows(CatalogException.class, call::run);
        assertEquals(kind, e.kind(), e.reason());
        return e;
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    private static boolean runs(RuleSet set, String id) {
        return set.rules().stream().map(CompiledRule::id).anyMatch(id::equals);
    }

    @Test
    void publishingKeepsAnAnalystsStateAndListsRefusedRulesWithTheirReasons() throws Exception {
        String shipped = id();
        String aggregation = id();
        String folder = "/etc/rules-" + id();
        LocalRules local = new LocalRules(List.of(
                new RuleSource(RuleCatalog.SHIPPED, "linux/shell.yml", rule(shipped, "Shell started", "/bin/sh")),
                new RuleSource(RuleCatalog.FOLDER, folder + "/count.yml",
                        rule(aggregation, "Many shells", "/bin/sh").replace("condition: selection", "condition: selection | count() > 5")),
                new RuleSource(RuleCatalog.FOLDER, folder + "/broken.yml", "title: [unclosed\n"),
                new RuleSource(RuleCatalog.FOLDER, folder + "/copy.yml", rule(shipped, "Shell started, a copy", "/bin/sh"))),
                List.of(new Rejected(folder + "/huge.yml", null, null, "file larger than 4194304 bytes", false)));
        CatalogRules first = new CatalogRules(catalog, local, "ingest-server@a");
        assertEquals(1, first.initial().rules().size(), "only the shipped rule loads");
        first.publish();

        RuleEntry published = stored(shipped);
        assertEquals(RuleCatalog.SHIPPED, published.origin());
        assertEquals("linux/shell.yml", published.source());
        assertEquals(RuleState.ENABLED, published.state());
        assertTrue(published.loaded());
        assertEquals("Shell started", published.title());
        assertEquals("high", published.level());
        assertEquals(List.of("attack.execution", "attack.t1059"), published.tags());
        assertEquals("process_creation", published.logsource().category());
        assertEquals(rule(shipped, "Shell started", "/bin/sh"), published.yaml());
        assertEquals("ingest-server@a", published.added().by());

        RuleEntry count = stored(aggregation);
        assertFalse(count.loaded());
        assertTrue(count.unsupported());
        assertTrue(count.refusal().startsWith("unsupported: aggregation"), count.refusal());
        RuleEntry broken = stored(RuleCatalog.keyFor(null, RuleCatalog.FOLDER, folder + "/broken.yml"));
        assertTrue(broken.refusal().startsWith("invalid: malformed YAML"), broken.refusal());
        assertEquals("title: [unclosed\n", broken.yaml(), "a refused rule's text is kept to be read");
        RuleEntry copy = stored(RuleCatalog.keyFor(null, RuleCatalog.FOLDER, folder + "/copy.yml"));
        assertTrue(copy.refusal().contains("duplicate rule id"), copy.refusal());
        assertEquals(shipped, copy.id());
        RuleEntry huge = stored(RuleCatalog.keyFor(null, RuleCatalog.FOLDER, folder + "/huge.yml"));
        assertTrue(huge.refusal().contains("file larger than"), huge.refusal());
        // The listing holds the refused ones with their reasons, and finds them by their file.
        List<RuleEntry> listed = catalog.list(new RuleCatalog.Filter(null, RuleCatalog.FOLDER, null, folder));
        assertEquals(4, listed.size(), listed.toString());
        assertTrue(listed.stream().noneMatch(RuleEntry::loaded));
        assertTrue(listed.stream().allMatch(r -> r.yaml() == null), "listings leave the text out");

        catalog.setState(shipped, RuleState.DISABLED, "analyst");
        // The server restarts with a new version of the rule: what it says changes, the analyst's decision stays.
        CatalogRules second = new CatalogRules(catalog, new LocalRules(List.of(
                new RuleSource(RuleCatalog.SHIPPED, "linux/shell.yml", rule(shipped, "Shell started (v2)", "/bin/sh"))), List.of()),
                "ingest-server@b");
        second.publish();
        RuleEntry again = stored(shipped);
        assertEquals("Shell started (v2)", again.title());
        assertEquals(RuleState.DISABLED, again.state());
        assertEquals("analyst", again.changed().by());
        assertEquals("ingest-server@a", again.added().by());
        RuleSet running = second.refresh().orElseThrow();
        assertFalse(runs(running, shipped), "a disabled rule does not run");
        assertTrue(runs(second.initial(), shipped), "before the catalogue is read, a server's own rules run");
    }

    @Test
    void aRuleWithHugeFieldsIsStillListed() throws Exception {
        String longId = "x".repeat(40_000);
        String huge = rule(longId, "t".repeat(40_000), "/x").replace("level: high", "level: " + "h".repeat(40_000))
                .replace("product: linux", "product: " + "p".repeat(40_000)).replace("[attack.execution, attack.t1059]", "[" + "a".repeat(40_000) + "]");
        String source = "linux/huge-" + id() + ".yml";
        new CatalogRules(catalog, new LocalRules(List.of(new RuleSource(RuleCatalog.SHIPPED, source, huge)), List.of()), "ingest-server@a").publish();
        RuleEntry stored = stored(RuleCatalog.keyFor(longId, RuleCatalog.SHIPPED, source));
        assertEquals(longId, stored.id(), "an id no URL could carry is kept, under a key made from its file");
        assertEquals(40_000, stored.level().length());
        assertEquals(huge, stored.yaml());
    }

    @Test
    void addedRulesAreCheckedAndCanBeDisabledEnabledAndRetired() throws Exception {
        String added = id();
        RuleEntry entry = catalog.add(rule(added, "Netcat <b>listener</b>", "/nc"), "web:alice");
        assertEquals(RuleCatalog.API, entry.origin());
        assertEquals(RuleState.ENABLED, entry.state());
        assertTrue(entry.loaded());
        assertEquals("web:alice", entry.added().by());
        assertEquals(rule(added, "Netcat <b>listener</b>", "/nc"), stored(added).yaml());
        assertTrue(refused(CatalogException.Kind.DUPLICATE, () -> catalog.add(rule(added, "Again", "/nc"), "web:bob"))
                .reason().contains("an added rule"));

        String shipped = id();
        new CatalogRules(catalog, new LocalRules(List.of(new RuleSource(RuleCatalog.SHIPPED, "s.yml", rule(shipped, "Shipped", "/x"))),
                List.of()), "ingest-server@a").publish();
        assertTrue(refused(CatalogException.Kind.DUPLICATE, () -> catalog.add(rule(shipped, "Mine now", "/x"), "web:bob"))
                .reason().contains("shipped rule (s.yml)"));
        assertEquals("Shipped", stored(shipped).title(), "a refused add leaves the holder alone");

        assertEquals(RuleState.DISABLED, catalog.setState(added, RuleState.DISABLED, "web:bob").state());
        RuleEntry disabled = stored(added);
        assertEquals(RuleState.DISABLED, disabled.state());
        assertEquals("web:bob", disabled.changed().by());
        assertEquals("web:alice", disabled.added().by());
        assertEquals(RuleState.ENABLED, catalog.setState(added, RuleState.ENABLED, "web:bob").state());
        assertEquals(RuleState.RETIRED, catalog.setState(added, RuleState.RETIRED, "cli:carol").state());
        refused(CatalogException.Kind.CONFLICT, () -> catalog.setState(added, RuleState.ENABLED, "web:bob"));
        assertTrue(catalog.list(new RuleCatalog.Filter(RuleState.RETIRED, RuleCatalog.API, null, null)).stream()
                .anyMatch(r -> r.key().equals(added)), "a retired rule stays listed");
        assertTrue(refused(CatalogException.Kind.DUPLICATE, () -> catalog.add(rule(added, "Back", "/nc"), "web:bob"))
                .reason().contains("retired"), "a retired rule's id is not handed out again");

        assertTrue(refused(CatalogException.Kind.CONFLICT, () -> catalog.setState(shipped, RuleState.RETIRED, "web:bob"))
                .reason().contains("disable it instead"));
        assertEquals(RuleState.DISABLED, catalog.setState(shipped, RuleState.DISABLED, "web:bob").state());
        refused(CatalogException.Kind.NOT_FOUND, () -> catalog.setState(id(), RuleState.DISABLED, "web:bob"));
        assertEquals(Optional.empty(), catalog.get("no/such rule"));

        // Filters: text in any case, level, origin.
        List<RuleEntry> byText = catalog.list(new RuleCatalog.Filter(null, null, null, "NETCAT <B>"));
        assertTrue(byText.stream().anyMatch(r -> r.key().equals(added)), byText.toString());
        assertTrue(byText.stream().noneMatch(r -> r.key().equals(shipped)));
        assertTrue(catalog.list(new RuleCatalog.Filter(null, null, "low", null)).stream().noneMatch(r -> r.key().equals(added)));
        assertTrue(catalog.list(new RuleCatalog.Filter(null, null, "high", "*")).isEmpty() || catalog.list(
                new RuleCatalog.Filter(null, null, "high", "*")).stream().allMatch(r -> r.title() != null && r.title().contains("*")),
                "a * in the text is a character, not a wildcard");
        assertThrows(IllegalArgumentException.class, () -> new RuleCatalog.Filter(null, "elsewhere", null, null));
        assertThrows(IllegalArgumentException.class, () -> RuleState.parse("gone"));
    }

    @Test
    void hostileRulesAreRefusedWithTheReasonAndNothingIsStored() throws Exception {
        String bomb = "title: lol\nid: " + id() + "\nlogsource: {product: linux, category: process_creation}\n"
                + "x: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                + "y: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nz: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                + "detection:\n  sel:\n    Image: *c\n  condition: sel\n";
        says(hostile(bomb), "alias");
        String deep = "title: t\nid: " + id() + "\nlogsource: {product: linux}\ndetection:\n  sel:\n    Image: "
                + "[".repeat(5000) + "]".repeat(5000) + "\n  condition: sel\n";
        String deepReason = hostile(deep);
        assertTrue(deepReason.startsWith("invalid: malformed YAML") || deepReason.contains("nested deeper"), deepReason);
        String big = rule(id(), "Big", "x".repeat(SigmaParser.MAX_YAML_CHARS));
        says(hostile(big), "larger than");
        says(hostile("- a\n- b\n"), "a rule is a YAML map");
        says(hostile(rule(id(), "No id", "/x").replaceAll("(?m)^id: .*\n", "")), "needs an id");
        says(hostile(rule("../../etc/passwd", "Path id", "/x")), "needs an id");
        says(hostile(rule("a".repeat(200), "Long id", "/x")), "needs an id");
        says(hostile(rule(id(), "Catastrophic", "/x").replace("Image|endswith: '/x'", "Image|re: '(a+)+$'")),
                "catastrophic backtracking");
        says(hostile(rule(id(), "Two", "/x") + "---\n" + rule(id(), "Three", "/y")), "several YAML documents");
        says(hostile(""), "empty");
        says(hostile(rule(id(), "Unknown modifier", "/x").replace("Image|endswith", "Image|explode")), "unknown modifier");
    }

    private static void says(String reason, String part) {
        assertTrue(reason.contains(part), reason);
    }

    /** Adds {@code yaml}, expects it refused (quickly), checks nothing was stored, and gives the reason. */
    private static String hostile(String yaml) throws Exception {
        String before = catalog.list(new RuleCatalog.Filter(null, RuleCatalog.API, null, null)).toString();
        CatalogException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> refused(CatalogException.Kind.REFUSED, () -> catalog.add(yaml, "web:mallory")));
        assertFalse(e.reason().isBlank());
        assertTrue(e.reason().startsWith("invalid: ") || e.reason().startsWith("unsupported: "), e.reason());
        assertEquals(before, catalog.list(new RuleCatalog.Filter(null, RuleCatalog.API, null, null)).toString(), "nothing stored");
        return e.reason();
    }

    @Test
    void aServersRuleSetFollowsTheCatalogue() throws Exception {
        String own = id();
        String taken = id();
        catalog.add(rule(taken, "An analyst's rule first", "/taken"), "web:alice");
        CatalogRules server = new CatalogRules(catalog, new LocalRules(List.of(
                new RuleSource(RuleCatalog.SHIPPED, "own.yml", rule(own, "Own", "/own")),
                new RuleSource(RuleCatalog.SHIPPED, "taken.yml", rule(taken, "Shipped later", "/taken"))), List.of()), "ingest-server@c");
        RuleSet first = server.refresh().orElseThrow();
        assertTrue(runs(first, own));
        assertEquals(1, first.rules().stream().filter(r -> taken.equals(r.id())).count(), "an id runs once");
        assertEquals("An analyst's rule first", first.rules().stream().filter(r -> taken.equals(r.id())).findFirst().orElseThrow().title());
        assertEquals(RuleCatalog.API, stored(taken).origin(), "publishing never takes an added rule's id");
        RuleEntry shippedLater = stored(RuleCatalog.keyFor(null, RuleCatalog.SHIPPED, "taken.yml"));
        assertTrue(shippedLater.refusal().contains("an added rule holds it"), shippedLater.refusal());
        assertEquals(Optional.empty(), server.refresh(), "nothing changed, no new rule set");

        catalog.setState(own, RuleState.DISABLED, "web:alice");
        RuleSet withoutOwn = server.refresh().orElseThrow();
        assertFalse(runs(withoutOwn, own));
        String added = id();
        catalog.add(rule(added, "Added", "/added"), "web:alice");
        assertTrue(runs(server.refresh().orElseThrow(), added));
        catalog.setState(added, RuleState.RETIRED, "web:alice");
        assertFalse(runs(server.refresh().orElseThrow(), added));
        catalog.setState(own, RuleState.ENABLED, "web:alice");
        assertTrue(runs(server.refresh().orElseThrow(), own));

        // A catalogue that cannot be read is an error, not an empty catalogue: the caller keeps what runs.
        client.indices().close(c -> c.index(RuleCatalog.INDEX));
        try {
            assertThrows(Exception.class, server::refresh);
        } finally {
            client.indices().open(o -> o.index(RuleCatalog.INDEX));
            client.cluster().health(h -> h.index(RuleCatalog.INDEX).waitForStatus(co.elastic.clients.elasticsearch._types.HealthStatus.Yellow));
        }
        assertEquals(Optional.empty(), server.refresh(), "read again, nothing changed meanwhile");
    }
}
