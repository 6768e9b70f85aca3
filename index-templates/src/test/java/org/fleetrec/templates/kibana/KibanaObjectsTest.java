package org.fleetrec.templates.kibana;

import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.EventCodec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped saved objects file: what the builder makes, one JSON object a line, and every
 * object sound for Kibana 8 and for the index templates' mappings.
 */
class KibanaObjectsTest {
    /** Where the committed file lives; {@code -Dfleetrec.kibana.regenerate=true} rewrites it from the builder. */
    private static final Path COMMITTED = Path.of(System.getProperty("fleetrec.root", ".."), "index-templates/src/main/resources/org/fleetrec/templates/kibana",
            KibanaObjects.RESOURCE).normalize();

    private static List<SavedObject> shipped() throws IOException {
        String text = new String(KibanaObjects.ndjson(), StandardCharsets.UTF_8);
        return SavedObjectsNdjson.parse(new StringReader(text), KibanaObjects.RESOURCE).objects();
    }

    @Test
    void theCommittedFileIsWhatTheBuilderMakes() throws IOException {
        String built = SavedObjectsNdjson.write(KibanaObjects.build());
        if (Boolean.getBoolean("fleetrec.kibana.regenerate")) {
            Files.writeString(COMMITTED, built);
            Assumptions.abort("wrote " + COMMITTED + "; the class path copy is checked on the next run");
        }
        assertEquals(built, Files.readString(COMMITTED),
                "the committed " + KibanaObjects.RESOURCE + " differs from KibanaObjects.build(); rerun this test with"
                        + " -Dfleetrec.kibana.regenerate=true and review the diff");
        assertEquals(built, new String(KibanaObjects.ndjson(), StandardCharsets.UTF_8), "the resource on the class path is stale");
    }

    @Test
    void everyLineIsOneSavedObject() throws IOException {
        String text = new String(KibanaObjects.ndjson(), StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        assertEquals("", lines[lines.length - 1], "the file ends with a newline");
        for (int i = 0; i < lines.length - 1; i++) {
            JsonNode line = EventCodec.mapper().readTree(lines[i]);
            assertTrue(line.isObject(), "line " + (i + 1) + " is an object");
            assertTrue(line.hasNonNull("type") && line.hasNonNull("id") && line.get("attributes").isObject(), "line " + (i + 1));
        }
        assertEquals(lines.length - 1, shipped().size());
    }

    @Test
    void everyObjectIsSoundForKibanaAndTheTemplates() throws IOException {
        List<String> problems = SavedObjectChecks.all(shipped());
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void idsAreFixedAndEveryObjectIsWrittenForKibana8() throws IOException {
        List<SavedObject> objects = shipped();
        assertEquals(objects.size(), objects.stream().map(SavedObject::id).distinct().count());
        for (SavedObject o : objects) {
            assertTrue(o.id().startsWith("fleetrec-"), o.where() + " has one of our fixed ids");
            assertEquals(KibanaObjects.TYPE_VERSION, o.typeVersion(), o.where());
            assertEquals(KibanaObjects.CORE_VERSION, o.coreVersion(), o.where());
        }
        JsonNode line = EventCodec.mapper().readTree(new String(KibanaObjects.ndjson(), StandardCharsets.UTF_8).lines().findFirst().orElseThrow());
        assertEquals("8.0.0", line.path("migrationVersion").path("index-pattern").asText(), "Kibana before 8.8 reads migrationVersion");
        assertEquals("8.0.0", line.path("typeMigrationVersion").asText(), "Kibana 8.8 and later read typeMigrationVersion");
        // A rebuild gives the same ids, so importing again overwrites instead of duplicating.
        assertEquals(objects.stream().map(SavedObject::id).toList(), KibanaObjects.build().stream().map(SavedObject::id).toList());
    }

    @Test
    void thereIsADataViewOverAllEventsAndOnePerDataset() throws IOException {
        Map<String, SavedObject> views = shipped().stream().filter(o -> o.type().equals("index-pattern"))
                .collect(Collectors.toMap(SavedObject::title, o -> o));
        assertTrue(views.containsKey("fleet-events-*"));
        for (Dataset dataset : Dataset.values()) {
            SavedObject view = views.get("fleet-events-" + dataset.id() + "-*");
            assertTrue(view != null, "a data view for " + dataset.id());
            assertEquals("@timestamp", view.attributes().path("timeFieldName").asText());
            assertFalse(TemplateMappings.matching(view.title()).isEmpty(), view.title() + " covers a template");
        }
        SavedObject alerts = views.get("fleet-alerts-*");
        assertTrue(alerts != null, "a data view for the alerts");
        assertEquals(KibanaObjects.ALERTS, alerts.id());
        assertFalse(TemplateMappings.matching(alerts.title()).isEmpty(), "the alerts view covers the alerts template");
        assertEquals(Dataset.values().length + 2, views.size());
    }

    @Test
    void openAlertsAreASavedSearchOnTheAlertsView() throws IOException {
        SavedObject search = shipped().stream().filter(o -> o.id().equals("fleetrec-search-open-alerts")).findFirst().orElseThrow();
        assertEquals(KibanaObjects.ALERTS, search.reference(Json.SEARCH_SOURCE_INDEX).orElseThrow().id());
        assertEquals(List.of("fleet.alert.status"), KqlFields.of(KibanaObjects.OPEN_ALERTS));
        String source = search.attributes().path("kibanaSavedObjectMeta").path("searchSourceJSON").asText();
        assertTrue(source.contains(KibanaObjects.OPEN_ALERTS), source);
    }

    @Test
    void eachThemeHasADashboardWithPanelsAndASavedSearch() throws IOException {
        List<SavedObject> objects = shipped();
        Map<String, SavedObject> byId = SavedObjectChecks.byId(objects);
        Map<String, Set<String>> panelTypes = objects.stream().filter(o -> o.type().equals("dashboard"))
                .collect(Collectors.toMap(SavedObject::title, d -> d.references().stream()
                        .map(r -> byId.get(r.id()).type()).collect(Collectors.toSet())));
        assertEquals(Set.of("[Fleet Recorder] Fleet overview", "[Fleet Recorder] Process activity",
                "[Fleet Recorder] Network activity", "[Fleet Recorder] File activity", "[Fleet Recorder] Authentication"),
                panelTypes.keySet());
        panelTypes.forEach((title, types) -> assertEquals(Set.of("visualization", "search"), types, title));
        Set<String> searchViews = objects.stream().filter(o -> o.type().equals("search"))
                .map(o -> o.reference(Json.SEARCH_SOURCE_INDEX).orElseThrow().id()).collect(Collectors.toSet());
        for (Dataset theme : List.of(Dataset.AGENT, Dataset.PROCESS, Dataset.NETWORK, Dataset.FILE, Dataset.AUTH)) {
            assertTrue(searchViews.contains(KibanaObjects.dataViewId(theme)), "a saved search on " + theme.id());
        }
    }

    @Test
    void sensitivePathQueryNamesTheFoldersOfTheBrief() {
        List<String> fields = KqlFields.of(KibanaObjects.FILE_CHANGES + " and " + KibanaObjects.SENSITIVE_PATHS);
        assertEquals(List.of("event.action", "file.path"), fields, "Windows paths are escaped values, not fields");
        for (String folder : List.of("/etc/*", "/root/.ssh/*", "C\\:\\\\Windows\\\\System32\\\\*")) {
            assertTrue(KibanaObjects.SENSITIVE_PATHS.contains(folder), folder);
        }
    }
}
