package org.fleetrec.detection.hunt;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.detection.alert.Alert;
import org.fleetrec.detection.alert.AlertGrouper;
import org.fleetrec.detection.alert.RuleMatch;
import org.fleetrec.detection.bench.SyntheticStream;
import org.fleetrec.detection.sigma.AuditDocuments;
import org.fleetrec.detection.sigma.CompiledRule;
import org.fleetrec.detection.sigma.EsTranslation;
import org.fleetrec.detection.sigma.RuleSet;
import org.fleetrec.detection.sigma.RuleWitnesses;
import org.fleetrec.detection.sigma.SharedData;
import org.fleetrec.detection.sigma.SigmaRegressionTest;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.EventDocument;
import org.fleetrec.model.IndexNames;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.fleetrec.templates.ElasticsearchClients;
import org.fleetrec.templates.ElasticsearchSettings;
import org.fleetrec.templates.TemplateInstaller;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retro-hunts on a real Elasticsearch over events the agent's own mappers made (recorded audit logs
 * and Sysmon for Linux from the shared data, and a synthetic Linux stream), spread over three daily
 * indices: a hunt must find exactly what the engine finds on the same documents, in the same alerts.
 * Then every loadable SigmaHQ Linux rule, on documents built from the rules' own values.
 */
@ExtendWith(ElasticsearchExtension.class)
class RetroHuntIT {
    private static final String LINUX = "sigma/rules/linux";
    private static final String DISCOVERY = LINUX + "/process_creation/proc_creation_lnx_remote_system_discovery.yml";
    private static final String DD_DELETE = LINUX + "/auditd/execve/lnx_auditd_dd_delete_file.yml";
    private static final String OTRF = "linux-audit/otrf-security-datasets/";
    /** The recorded corpus lives on three days from here; the rules' witnesses on a day a month before. */
    private static final Instant DAY0 = Instant.parse("2021-03-01T00:00:00Z");
    private static final Instant WITNESS_DAY = Instant.parse("2021-02-01T00:00:00Z");
    private static final Instant NOW = Instant.parse("2021-03-10T12:00:00Z");
    /** Every match keeps its event id, so a hunt's matches can be compared event by event. */
    private static final AlertGrouper.Limits GROUPING = new AlertGrouper.Limits(Duration.ofMinutes(10), 100_000, 1L << 30, 20, 1000);
    private static final HuntLimits WIDE = new HuntLimits(HuntLimits.CAP_EVENTS, HuntLimits.CAP_RESULTS, Duration.ofMinutes(2));
    private static final HuntRange ALL_DAYS = new HuntRange(DAY0, DAY0.plus(Duration.ofDays(3)));

    private static ElasticsearchClient client;
    /** What was indexed, in time order: the engine's side of every comparison. */
    private static final List<Stored> corpus = new ArrayList<>();
    private static String sudoDdId;

    record Stored(String index, String id, EventDocument doc, Instant time) {
    }

    @BeforeAll
    static void index(TestElasticsearch es) throws Exception {
        client = ElasticsearchClients.create(new ElasticsearchSettings(es.url(), null, es.username(), es.password(), null));
        new TemplateInstaller(client).install();
        List<EventDocument> docs = new ArrayList<>();
        List<EventDocument> dd = AuditDocuments.of(SharedData.path(OTRF + "sh_binary_padding_dd_2020-11-10081941.log"));
        docs.addAll(dd);
        docs.addAll(AuditDocuments.of(SharedData.path(OTRF + "sh_arp_cache_2020-11-10074812.log")));
        docs.addAll(SigmaRegressionTest.documents(SharedData.path("sysmon-linux/otrf-log4shell/sysmon_linux_events.DERIVED.xml")));
        docs.addAll(SyntheticStream.events(42, 3_000));
        // The recorded dd run again behind sudo: its arguments hold "dd" and "if=/dev/zero", but not as argv[0] and argv[1].
        EventDocument sudo = dd.stream().filter(d -> "dd if=/dev/zero bs=1 count=1".equals(d.text("process.command_line")))
                .findFirst().orElseThrow().copy();
        sudo.putAll("process.args", List.of("sudo", "dd", "if=/dev/zero", "bs=1", "count=1"))
                .put("process.command_line", "sudo dd if=/dev/zero bs=1 count=1").put("process.executable", "/usr/bin/sudo")
                .put("process.name", "sudo").put("process.entity_id", "sudo-dd-entity");
        docs.add(sudo);
        for (EventDocument d : docs) stamp(d);
        for (int i = 0; i < docs.size(); i++) {
            Instant time = DAY0.plus(Duration.ofDays(i % 3)).plusSeconds(i);
            Stored s = stored("rec-" + i, docs.get(i), time);
            if (docs.get(i) == sudo) sudoDdId = s.id();
            corpus.add(s);
        }
        Set<String> failed = bulk(corpus);
        assertTrue(failed.isEmpty(), () -> "every recorded document is indexed; refused: " + failed);
    }

    @AfterAll
    static void close() {
        ElasticsearchClients.close(client);
    }

    /**
     * The host fields every stored document carries, as the agent (EventStamp) and the importer stamp
     * them; the mappers leave them to those. The recorded audit documents are the lab's.
     */
    private static void stamp(EventDocument d) {
        if (d.text("host.name") == null) d.put("host.name", "lab");
        if (d.text("host.id") == null) d.put("host.id", d.text("host.name").equals("lab") ? "host-1" : "id-" + d.text("host.name"));
        d.put("host.os.type", "linux");
    }

    private static Stored stored(String id, EventDocument doc, Instant time) {
        doc.put("@timestamp", time.toString());
        Dataset dataset = Dataset.fromId(doc.text("event.dataset")).orElse(Dataset.AUDITD);
        return new Stored(IndexNames.events(dataset, time), id, doc, time);
    }

    /** Indexes the documents and refreshes; answers the ids Elasticsearch refused. */
    private static Set<String> bulk(List<Stored> docs) throws IOException {
        Set<String> failed = new TreeSet<>();
        for (int from = 0; from < docs.size(); from += 1000) {
            BulkRequest.Builder bulk = new BulkRequest.Builder();
            for (Stored s : docs.subList(from, Math.min(docs.size(), from + 1000))) {
                bulk.operations(op -> op.create(c -> c.index(s.index()).id(s.id()).document(s.doc().json())));
            }
            BulkResponse response = client.bulk(bulk.build());
            for (BulkResponseItem item : response.items()) {
                if (item.error() != null) failed.add(item.id() + ": " + item.error().reason());
            }
        }
        client.indices().refresh(r -> r.index("fleet-events-*"));
        return failed;
    }

    private static HuntRule rule(String sharedPath) throws Exception {
        return HuntRule.parse(Files.readString(SharedData.path(sharedPath)));
    }

    private static RetroHunt hunt() {
        return new RetroHunt(client, GROUPING, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** What the engine matches among the indexed documents of the range, oldest first. */
    private static List<Stored> engine(HuntRule rule, List<Stored> docs, HuntRange range) {
        return docs.stream().filter(s -> !s.time().isBefore(range.from()) && !s.time().isAfter(range.to()))
                .filter(s -> rule.matches(s.doc())).sorted(Comparator.comparing(Stored::time)).toList();
    }

    private static Set<String> ids(List<Stored> docs) {
        Set<String> out = new TreeSet<>();
        docs.forEach(s -> out.add(s.id()));
        return out;
    }

    /** Every event a hunt's alerts name (each alert keeps up to 1000 here). */
    private static Set<String> ids(HuntResult result) {
        Set<String> out = new TreeSet<>();
        for (Alert a : result.alerts()) out.addAll(a.eventIds());
        return out;
    }

    /** The alerts live detection would have made of the engine's matches, in the same order and at the same instant. */
    private static Set<String> alertDocuments(HuntRule rule, List<Stored> matches) {
        AlertGrouper grouper = new AlertGrouper(GROUPING, Clock.fixed(NOW, ZoneOffset.UTC));
        List<Alert> opened = new ArrayList<>();
        for (Stored s : matches) grouper.offer(new RuleMatch(rule.ref(), s.doc(), s.index(), s.id())).ifPresent(opened::add);
        List<Alert> grown = grouper.drainUpdates();
        Set<String> out = new TreeSet<>();
        for (Alert a : opened) {
            Alert latest = grown.stream().filter(g -> g.id().equals(a.id())).findFirst().orElse(a);
            out.add(latest.document().toString());
        }
        return out;
    }

    private static Set<String> alertDocuments(HuntResult result) {
        Set<String> out = new TreeSet<>();
        result.alerts().forEach(a -> out.add(a.document().toString()));
        return out;
    }

    @Test
    void anExactRuleFindsWhatTheEngineFindsInTheSameAlerts() throws Exception {
        HuntRule rule = rule(DISCOVERY);
        EsTranslation.Query translation = assertInstanceOf(EsTranslation.Query.class, rule.translation());
        assertTrue(translation.exact(), "the discovery rule translates exactly: " + translation.notes());

        HuntResult result = hunt().run(rule, ALL_DAYS, null, WIDE);
        List<Stored> expected = engine(rule, corpus, ALL_DAYS);
        assertTrue(expected.size() > 10, "the corpus holds arp -a runs on every day: " + expected.size());
        assertNull(result.truncated());
        assertTrue(result.exact() && result.complete());
        assertEquals(expected.size(), result.confirmed());
        assertEquals(expected.size(), result.queryHits(), "an exact query finds only the rule's events");
        assertEquals(result.queryHits(), result.scanned());
        assertEquals(ids(expected), ids(result));
        assertEquals(alertDocuments(rule, expected), alertDocuments(result), "the same alerts, field for field");
        assertEquals(expected.size(), result.alerts().stream().mapToLong(Alert::count).sum());
        for (int i = 1; i < result.alerts().size(); i++) {
            assertFalse(result.alerts().get(i).firstSeen().isAfter(result.alerts().get(i - 1).firstSeen()), "newest first");
        }
        ObjectNode shown = result.alerts().get(0).document();
        assertEquals("Linux Remote System Discovery", shown.at("/rule/name").asText());
        assertEquals("low", shown.at("/rule/level").asText());
        assertEquals("open", shown.at("/fleet/alert/status").asText());
        assertTrue(shown.at("/process/command_line").asText().contains("-a"), shown.toString());
    }

    @Test
    void aWiderQueryIsRecheckedToExactlyTheEnginesMatches() throws Exception {
        HuntRule rule = rule(DD_DELETE);
        EsTranslation.Query translation = assertInstanceOf(EsTranslation.Query.class, rule.translation());
        assertFalse(translation.exact(), "argument positions are not part of the query");
        assertTrue(translation.complete());

        HuntResult result = hunt().run(rule, ALL_DAYS, null, WIDE);
        List<Stored> expected = engine(rule, corpus, ALL_DAYS);
        assertFalse(expected.isEmpty());
        assertFalse(result.exact());
        assertFalse(result.notes().isEmpty());
        assertEquals(expected.size(), result.confirmed());
        assertEquals(ids(expected), ids(result));
        assertEquals(alertDocuments(rule, expected), alertDocuments(result));
        assertTrue(result.queryHits() > result.confirmed(), "the query alone also finds sudo dd: " + result.queryHits());
        assertEquals(result.queryHits(), result.scanned());
        assertFalse(ids(result).contains(sudoDdId), "the re-check drops it");
        assertFalse(rule.matches(corpus.stream().filter(s -> s.id().equals(sudoDdId)).findFirst().orElseThrow().doc()));
    }

    @Test
    void theRangeAndTheHostLeaveOutWhatIsOutsideThem() throws Exception {
        HuntRule rule = rule(DISCOVERY);
        HuntRange secondDay = new HuntRange(DAY0.plus(Duration.ofDays(1)), DAY0.plus(Duration.ofDays(2)).minusMillis(1));
        HuntResult day = hunt().run(rule, secondDay, null, WIDE);
        List<Stored> expected = engine(rule, corpus, secondDay);
        assertFalse(expected.isEmpty());
        assertEquals(ids(expected), ids(day));
        assertTrue(engine(rule, corpus, ALL_DAYS).size() > expected.size(), "the other days match too, and are left out");
        for (Alert a : day.alerts()) {
            assertFalse(a.firstSeen().isBefore(secondDay.from()) || a.lastSeen().isAfter(secondDay.to()), a.toString());
        }

        HuntResult lab = hunt().run(rule, ALL_DAYS, "lab", WIDE);
        List<Stored> onLab = engine(rule, corpus, ALL_DAYS).stream().filter(s -> "lab".equals(s.doc().text("host.name"))).toList();
        assertEquals(1, onLab.size(), "the recorded arp run");
        assertEquals(ids(onLab), ids(lab));
        assertEquals(ids(onLab), ids(hunt().run(rule, ALL_DAYS, "host-1", WIDE)), "by id as by name");
        assertEquals(0, hunt().run(rule, ALL_DAYS, "no-such-host", WIDE).queryHits());
    }

    @Test
    void eachLimitStopsTheHuntAndSaysSo() throws Exception {
        HuntRule rule = rule(DISCOVERY);
        long all = engine(rule, corpus, ALL_DAYS).size();

        HuntResult events = hunt().run(rule, ALL_DAYS, null, new HuntLimits(5, 1000, Duration.ofMinutes(1)));
        assertEquals(HuntResult.Truncation.MAX_EVENTS, events.truncated());
        assertEquals(5, events.scanned());
        assertEquals(all, events.queryHits(), "the query's hits are still counted in full");
        assertEquals(5, events.confirmed());
        assertEquals(corpus.stream().filter(s -> rule.matches(s.doc())).map(Stored::time).sorted().toList().get(4),
                events.scannedUntil(), "the oldest are read first; the rest of the range starts after this");

        HuntResult results = hunt().run(rule, ALL_DAYS, null, new HuntLimits(1000, 2, Duration.ofMinutes(1)));
        assertEquals(HuntResult.Truncation.MAX_RESULTS, results.truncated());
        assertEquals(2, results.alerts().size());
        assertTrue(results.scanned() < all);

        HuntRule everyExec = HuntRule.parse("""
                title: every exec
                id: 7d9a5c2e-0000-4000-8000-000000000001
                logsource: {product: linux, category: process_creation}
                detection:
                  sel:
                    Image|startswith: '/'
                  condition: sel
                level: informational
                """);
        AtomicLong ticks = new AtomicLong();
        // each look at the clock is a minute later: the first page is read, the second would start too late
        Clock slow = new Clock() {
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            public Clock withZone(ZoneId zone) {
                return this;
            }

            public Instant instant() {
                return NOW.plus(Duration.ofMinutes(ticks.getAndIncrement()));
            }
        };
        HuntResult time = new RetroHunt(client, GROUPING, slow).run(everyExec, ALL_DAYS, null,
                new HuntLimits(100_000, 10_000, Duration.ofSeconds(90)));
        assertEquals(HuntResult.Truncation.MAX_TIME, time.truncated());
        assertEquals(1000, time.scanned(), "one page");
        assertTrue(time.queryHits() > 1000, "more than a page of execs: " + time.queryHits());
        assertNotNull(time.scannedUntil());
    }

    @Test
    void whatCannotBeHuntedIsRefusedWithTheReason() {
        String fieldref = """
                title: parent and child alike
                id: 7d9a5c2e-0000-4000-8000-000000000002
                logsource: {product: linux, category: process_creation}
                detection:
                  sel:
                    CommandLine|fieldref: ParentCommandLine
                  condition: sel
                """;
        HuntRefused untranslatable = assertThrows(HuntRefused.class, () -> hunt().run(HuntRule.parse(fieldref), ALL_DAYS, null, WIDE));
        assertTrue(untranslatable.getMessage().contains("cannot be run over stored events")
                && untranslatable.getMessage().contains("fieldref"), untranslatable.getMessage());

        HuntRefused unsupported = assertThrows(HuntRefused.class, () -> HuntRule.parse(
                "title: t\nlogsource: {product: macos, category: process_creation}\ndetection: {sel: {Image: x}, condition: sel}\n"));
        assertTrue(unsupported.getMessage().contains("unsupported") && unsupported.getMessage().contains("macos"), unsupported.getMessage());
        HuntRefused invalid = assertThrows(HuntRefused.class, () -> HuntRule.parse("title: [unclosed"));
        assertTrue(invalid.getMessage().startsWith("the rule was refused (invalid)"), invalid.getMessage());
        assertThrows(HuntRefused.class, () -> HuntRule.parse("  "));

        assertThrows(HuntRefused.class, () -> HuntRange.of(DAY0, DAY0));
        HuntRefused long91 = assertThrows(HuntRefused.class, () -> HuntRange.of(DAY0, DAY0.plus(Duration.ofDays(91))));
        assertTrue(long91.getMessage().contains("90 days"), long91.getMessage());
        assertThrows(HuntRefused.class, () -> hunt().run(rule(DISCOVERY), ALL_DAYS, "x".repeat(2000), WIDE));
    }

    /**
     * The strongest check of the translator: each loadable SigmaHQ Linux rule hunted over the recorded
     * corpus and over documents built from every rule's values (and near misses of them: other case,
     * text before, text after) finds exactly the events the engine matches there. A query that is
     * exact must find nothing more; one that may miss matches (a widened test under a not) must at
     * least find nothing the engine would not.
     */
    @Test
    void everyLoadableLinuxRuleHuntsWhatTheEngineMatches() throws Exception {
        RuleSet all = RuleSet.load(SharedData.path(LINUX));
        List<Stored> witnesses = new ArrayList<>();
        int n = 0;
        for (CompiledRule r : all.rules()) {
            for (EventDocument d : RuleWitnesses.of(r)) {
                d.put("host.id", "witness").put("host.name", "witness").put("process.entity_id", "w-" + n);
                witnesses.add(stored("wit-" + n, d, WITNESS_DAY.plusMillis(10L * n)));
                n++;
            }
        }
        Set<String> refused = bulk(witnesses);
        // a value the engine reads but the index's type takes otherwise; what Elasticsearch refused is in neither side
        assertTrue(refused.size() < witnesses.size() / 100, () -> refused.size() + " refused: " + refused);
        Set<String> refusedIds = new HashSet<>();
        refused.forEach(r -> refusedIds.add(r.substring(0, r.indexOf(':'))));
        List<Stored> everything = new ArrayList<>(corpus);
        witnesses.stream().filter(w -> !refusedIds.contains(w.id())).forEach(everything::add);
        HuntRange range = new HuntRange(WITNESS_DAY, ALL_DAYS.to());

        int exact = 0;
        int complete = 0;
        int partial = 0;
        int untranslatable = 0;
        int matching = 0;
        long matches = 0;
        List<String> failures = new ArrayList<>();
        List<String> silent = new ArrayList<>();
        for (CompiledRule r : all.rules()) {
            HuntRule rule = HuntRule.parse(Files.readString(SharedData.path(LINUX).resolve(r.rule().source())));
            if (rule.translation() instanceof EsTranslation.NotTranslatable) {
                untranslatable++;
                continue;
            }
            HuntResult result;
            try {
                result = hunt().run(rule, range, null, WIDE);
            } catch (HuntRefused e) {
                failures.add(r + ": " + e.getMessage());
                continue;
            }
            List<Stored> expected = engine(rule, everything, range);
            if (!expected.isEmpty()) matching++;
            else silent.add(r.rule().source());
            matches += expected.size();
            Set<String> found = ids(result);
            if (result.truncated() != null) failures.add(r + ": truncated at " + result.truncated());
            if (result.exact()) {
                exact++;
                if (result.queryHits() != expected.size()) {
                    failures.add(r + ": exact query found " + result.queryHits() + ", the engine " + expected.size());
                }
            } else if (result.complete()) {
                complete++;
            } else {
                partial++;
            }
            if (result.complete() ? !found.equals(ids(expected)) : !ids(expected).containsAll(found)) {
                Set<String> missed = new TreeSet<>(ids(expected));
                missed.removeAll(found);
                Set<String> extra = new TreeSet<>(found);
                extra.removeAll(ids(expected));
                failures.add(r + ": missed " + first(missed, everything) + ", extra " + first(extra, everything));
            }
        }
        System.out.printf("Hunted %d Linux rules over %d documents (%d built from the rules): %d exact, %d complete, %d partial, "
                        + "%d not translatable; %d rules match %d events%n", all.rules().size(), everything.size(),
                everything.size() - corpus.size(), exact, complete, partial, untranslatable, matching, matches);
        System.out.println("  matching none of the documents (no sure sample of their values): " + silent);
        failures.forEach(f -> System.out.println("  MISMATCH " + f));
        assertTrue(failures.isEmpty(), failures.size() + " rules hunt otherwise than they match: " + failures);
        assertTrue(matching >= (exact + complete + partial) * 9 / 10, "most rules match some of the documents: " + matching);
    }

    private static String first(Set<String> ids, List<Stored> docs) {
        if (ids.isEmpty()) return "none";
        String id = ids.iterator().next();
        return ids.size() + " (e.g. " + docs.stream().filter(s -> s.id().equals(id)).findFirst().map(s -> s.doc().toString()).orElse(id) + ")";
    }
}
