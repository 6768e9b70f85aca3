package org.fleetrec.templates.kibana;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.Dataset;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checks find what would break in Kibana: each case plants one fault and expects its sentence. */
class SavedObjectChecksTest {
    private static final String PROCESS = KibanaObjects.dataViewId(Dataset.PROCESS);

    /** The shipped objects plus {@code extra}: any problem found is the extra one's. */
    private static List<String> fieldProblems(SavedObject extra) {
        List<SavedObject> objects = new ArrayList<>(KibanaObjects.build());
        objects.add(extra);
        return SavedObjectChecks.fields(objects);
    }

    private static void assertOneProblem(List<String> problems, String... expected) {
        assertEquals(1, problems.size(), String.join("\n", problems));
        for (String part : expected) assertTrue(problems.get(0).contains(part), problems.get(0) + " should say " + part);
    }

    @Test
    void aggregatingTheTextSubFieldOfACommandLineIsCaught() {
        SavedObject vis = Visualization.table("t-text", "t").on(PROCESS).metric(Agg.count())
                .bucket(Agg.top("process.command_line.text", 10, null)).build();
        assertOneProblem(fieldProblems(vis), "process.command_line.text", "not aggregatable", "text");
    }

    @Test
    void aFieldNoTemplateMapsIsCaughtInAggregationsColumnsAndQueries() {
        assertOneProblem(fieldProblems(Visualization.table("t-typo", "t").on(PROCESS).metric(Agg.count())
                .bucket(Agg.top("process.comand_line", 10, null)).build()), "process.comand_line", "mapped by no index template");
        assertOneProblem(fieldProblems(SavedSearch.of("t-col", "t").on(PROCESS).columns("host.name", "proces.name").build()),
                "proces.name", "columns");
        assertOneProblem(fieldProblems(SavedSearch.of("t-kql", "t").on(PROCESS).where("host.name:a and not usr.name:root").build()),
                "usr.name", "query");
    }

    @Test
    void aFieldOnlyTheRootsDynamicMappingWouldTakeCountsAsUnmapped() {
        // The agent writes fleet.health.filter_drops, but no template maps it: Kibana would see it only once data has it.
        assertOneProblem(fieldProblems(Visualization.table("t-dyn", "t").on(KibanaObjects.dataViewId(Dataset.AGENT))
                .metric(Agg.max("fleet.health.filter_drops", null)).bucket(Agg.top("host.name", 5, null)).build()),
                "fleet.health.filter_drops", "mapped by no index template");
        // Under auditd.data, which the base template declares dynamic, a string is a keyword by the dynamic template.
        assertEquals(List.of(), fieldProblems(Visualization.table("t-auditd", "t").on(KibanaObjects.dataViewId(Dataset.AUDITD))
                .metric(Agg.count()).bucket(Agg.top("auditd.data.syscall", 5, null)).build()));
    }

    @Test
    void typesMustServeTheUse() {
        assertOneProblem(fieldProblems(Visualization.bars("t-date", "t").on(PROCESS).metric(Agg.count())
                .bucket(new Agg("date_histogram", Json.object().put("field", "process.name"))).build()), "not a date");
        assertOneProblem(fieldProblems(Visualization.table("t-sum", "t").on(PROCESS).metric(Agg.sum("host.name", null))
                .bucket(Agg.top("user.name", 5, null)).build()), "not a number");
        assertOneProblem(fieldProblems(Visualization.table("t-max", "t").on(PROCESS).metric(Agg.max("process.name", null))
                .bucket(Agg.top("user.name", 5, null)).build()), "neither a number nor a date");
        assertOneProblem(fieldProblems(SavedSearch.of("t-q", "t").on(PROCESS).where("event.original:*mimikatz*").build()),
                "event.original", "not indexed");
        // Numbers, dates and IPs are aggregatable; min of a date is a date.
        assertEquals(List.of(), fieldProblems(Visualization.table("t-ok", "t").on(KibanaObjects.dataViewId(Dataset.NETWORK))
                .metric(Agg.min("@timestamp", null)).metric(Agg.sum("destination.port", null))
                .bucket(Agg.top("destination.ip", 5, null)).build()));
    }

    @Test
    void sortingOnATextFieldIsCaught() {
        SavedObject search = SavedSearch.of("t-sort", "t").on(PROCESS).build();
        search.attributes().putArray("sort").addArray().add("message").add("desc");
        assertOneProblem(fieldProblems(search), "message", "sorted on");
    }

    @Test
    void aFieldOfAnotherDatasetIsUnmappedOnThisDatasetsView() {
        assertOneProblem(fieldProblems(Visualization.table("t-other", "t").on(PROCESS).metric(Agg.count())
                .bucket(Agg.top("file.path", 5, null)).build()), "file.path", "fleet-events-process-*");
        // The view over all events covers the file template too.
        assertEquals(List.of(), fieldProblems(Visualization.table("t-all", "t").on(KibanaObjects.ALL_EVENTS).metric(Agg.count())
                .bucket(Agg.top("file.path", 5, null)).build()));
    }

    @Test
    void referencesMustResolveToAnObjectOfTheirType() {
        List<SavedObject> objects = new ArrayList<>(KibanaObjects.build());
        objects.add(Visualization.table("t-missing", "t").on("no-such-view").metric(Agg.count()).bucket(Agg.top("host.name", 5, null)).build());
        objects.add(new SavedObject("visualization", "t-wrong", Json.object().put("title", "t"),
                List.of(new SavedObject.Reference("x", "search", PROCESS)), null, null));
        List<String> problems = SavedObjectChecks.references(objects);
        assertEquals(2, problems.size(), String.join("\n", problems));
        assertTrue(problems.get(0).contains("no-such-view") && problems.get(0).contains("does not hold"), problems.get(0));
        assertTrue(problems.get(1).contains("as a search, but it is a index-pattern"), problems.get(1));
    }

    @Test
    void aPanelOrSearchSourceWithoutItsNamedReferenceIsCaught() {
        SavedObject dashboard = Dashboard.of("t-dash", "t").row(10, KibanaObjects.build().get(10)).build();
        SavedObject broken = new SavedObject("dashboard", "t-dash", dashboard.attributes(), List.of(), null, null);
        List<String> problems = SavedObjectChecks.refNames(List.of(broken));
        assertOneProblem(problems, "panel_1", "does not have");

        SavedObject vis = Visualization.table("t-vis", "t").on(PROCESS).metric(Agg.count()).bucket(Agg.top("host.name", 5, null)).build();
        SavedObject unreferenced = new SavedObject("visualization", "t-vis", vis.attributes(), List.of(), null, null);
        assertOneProblem(SavedObjectChecks.refNames(List.of(unreferenced)), Json.SEARCH_SOURCE_INDEX);
    }

    @Test
    void attributesKibanaDoesNotKnowAndDuplicateIdsAreCaught() {
        SavedObject search = SavedSearch.of("t-attr", "t").on(PROCESS).build();
        search.attributes().put("colums", "[]");
        assertOneProblem(SavedObjectChecks.attributes(List.of(search)), "colums");
        assertOneProblem(SavedObjectChecks.attributes(List.of(new SavedObject("canvas-workpad", "t", Json.object(), List.of(), null, null))),
                "not checked");
        SavedObject first = KibanaObjects.build().get(0);
        assertOneProblem(SavedObjectChecks.uniqueIds(List.of(first, first)), first.id());
    }

    @Test
    void overlappingOrOversizedPanelsAreCaught() {
        SavedObject target = KibanaObjects.build().get(10);
        SavedObject dashboard = Dashboard.of("t-grid", "t").row(10, target, target).build();
        ObjectNode attributes = dashboard.attributes();
        attributes.put("panelsJSON", attributes.get("panelsJSON").asText().replace("\"x\":24", "\"x\":10"));
        assertOneProblem(SavedObjectChecks.layout(List.of(dashboard)), "overlaps");
        attributes.put("panelsJSON", attributes.get("panelsJSON").asText().replace("\"x\":10", "\"x\":30"));
        assertOneProblem(SavedObjectChecks.layout(List.of(dashboard)), "outside the grid");
    }

    @Test
    void theShippedObjectsUseTheFieldsTheirDashboardsAreAbout() {
        List<SavedObject> objects = KibanaObjects.build();
        var byId = SavedObjectChecks.byId(objects);
        List<FieldUses.FieldUse> uses = objects.stream().flatMap(o -> FieldUses.of(o, byId).stream()).toList();
        // A sample of what the checks saw, so a blind extractor cannot pass the file as sound.
        for (String expected : List.of("fleetrec-vis-rare-command-lines AGGREGATED process.command_line",
                "fleetrec-vis-agent-health MIN_MAX fleet.health.kernel_lost", "fleetrec-vis-store-gaps NUMERIC fleet.gap.count",
                "fleetrec-vis-events-per-host DATE_HISTOGRAM @timestamp", "fleetrec-vis-sensitive-writes QUERIED file.path",
                "fleetrec-search-process-executions SORTED @timestamp", "fleetrec-search-network-connections SHOWN network.community_id",
                "fleetrec-vis-listening-ports AGGREGATED source.port")) {
            assertTrue(uses.stream().anyMatch(u -> (u.objectId() + " " + u.use() + " " + u.field()).equals(expected)), expected);
        }
        assertTrue(uses.size() > 150, "field uses: " + uses.size());
    }

    @Test
    void kqlFieldNamesAreReadAndValuesAreNot() {
        assertEquals(List.of("a.b", "c", "d", "e"), KqlFields.of("a.b:x and not (c : \"y:z\" or d >= 5) or e<3"));
        assertEquals(List.of("file.path"), KqlFields.of("file.path:(C\\:\\\\Windows\\\\* or /etc/*)"));
        assertEquals(List.of(), KqlFields.of(""));
        assertEquals(List.of("host.name"), KqlFields.of("host.name:\"web \\\"01\\\"\""));
        assertThrows(IllegalArgumentException.class, () -> KqlFields.of("user:{ name: x }"));
        assertThrows(IllegalArgumentException.class, () -> KqlFields.of("a:\"open"));
        assertThrows(IllegalArgumentException.class, () -> KqlFields.of(": x"));
    }

    @Test
    void templatesResolveThroughTheirComponents() {
        TemplateMappings.Template process = TemplateMappings.matching("fleet-events-process-*").get(0);
        assertEquals(1, TemplateMappings.matching("fleet-events-process-*").size());
        assertEquals("text", process.field("process.command_line.text").orElseThrow().type());
        assertEquals("keyword", process.field("process.command_line").orElseThrow().type(), "from the base component");
        assertEquals("boolean", process.field("process.interactive").orElseThrow().type(), "from the process component");
        assertTrue(process.field("file.path").isEmpty(), "the file component is not part of the process template");
        assertEquals(Dataset.values().length, TemplateMappings.matching("fleet-events-*").size());
        assertTrue(TemplateMappings.matching("fleet-events-*").stream().noneMatch(t -> t.name().equals("fleet-hosts")));
        TemplateMappings.Template hosts = TemplateMappings.matching("fleet-hosts").get(0);
        assertEquals("keyword", hosts.field("health.source_mode").orElseThrow().type(), "fleet-hosts' health is dynamic");
    }
}
