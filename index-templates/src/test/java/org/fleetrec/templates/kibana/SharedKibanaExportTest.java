package org.fleetrec.templates.kibana;

import org.fleetrec.model.EventCodec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real Kibana output (../shared/data, README section C) through the same parsing and the same
 * checks as the shipped file: a Kibana 8.1 export with a by-value Lens panel, a by-value pie and
 * controls, and three objects of a Fleet package, where the JSON attributes are objects, not strings.
 */
class SharedKibanaExportTest {
    private static Path data(String relative) {
        Path p = Path.of(System.getProperty("fleetrec.root", "."), "../shared/data/kibana", relative).normalize();
        Assumptions.assumeTrue(Files.exists(p), p + " is not here (see /work/shared/data/README.md section C); skipping");
        return p;
    }

    @Test
    void theKibana81ExportParsesAndPassesTheChecks() throws IOException {
        Path file = data("kibana-8.1-export/controls_dashboard_migration_test_8_0_0.ndjson");
        SavedObjectsNdjson.Parsed parsed;
        try (Reader in = Files.newBufferedReader(file)) {
            parsed = SavedObjectsNdjson.parse(in, file.getFileName().toString());
        }
        List<SavedObject> objects = parsed.objects();
        assertEquals(List.of("index-pattern", "dashboard"), objects.stream().map(SavedObject::type).toList());
        assertEquals(objects.size(), parsed.summary().orElseThrow().path("exportedCount").asInt(), "the summary line counts them");
        assertEquals(0, parsed.summary().get().path("missingRefCount").asInt());
        SavedObject dashboard = objects.get(1);
        assertEquals("8.1.0", dashboard.coreVersion());
        assertEquals("8.0.0", dashboard.typeVersion(), "from migrationVersion, as Kibana before 8.8 writes it");
        assertEquals(2, dashboard.embedded("panelsJSON").orElseThrow().size(), "panelsJSON is JSON inside a string");

        assertEquals(List.of(), SavedObjectChecks.references(objects));
        assertEquals(List.of(), SavedObjectChecks.refNames(objects));
        assertEquals(List.of(), SavedObjectChecks.attributes(objects), "the attribute lists know what Kibana writes");
        assertEquals(List.of(), SavedObjectChecks.layout(objects));

        String dataView = objects.get(0).id();
        List<FieldUses.FieldUse> uses = FieldUses.of(dashboard, SavedObjectChecks.byId(objects));
        // Lens's terms on play_name (its count of "Records" is no field), the pie's terms on speaker, two controls.
        assertEquals(Set.of("play_name AGGREGATED", "speaker AGGREGATED"),
                uses.stream().map(u -> u.field() + " " + u.use()).collect(Collectors.toSet()));
        assertEquals(4, uses.size(), uses.toString());
        assertTrue(uses.stream().allMatch(u -> dataView.equals(u.dataView())), "each use finds the data view: " + uses);
    }

    @Test
    void fleetPackageObjectsReadThroughTheSameCode() throws IOException {
        List<SavedObject> objects = new ArrayList<>();
        for (String name : List.of("search/auditd_manager-0f10c430-c1c3-11e7-8995-936807a28b16.json",
                "search/auditd_manager-5438b030-c246-11e7-8692-232bd1143e8a.json",
                "visualization/auditd_manager-ea483730-c246-11e7-8692-232bd1143e8a.json")) {
            objects.add(SavedObject.fromJson(EventCodec.mapper().readTree(data("integrations-auditd_manager-package/" + name).toFile())));
        }
        assertEquals(List.of(), SavedObjectChecks.attributes(objects));
        assertEquals(List.of(), SavedObjectChecks.refNames(objects));
        // The package refers to data views it does not hold; nothing else is missing.
        assertTrue(SavedObjectChecks.references(objects).stream().allMatch(p -> p.contains("index-pattern \"logs-*\"")
                || p.contains("index-pattern \"auditbeat-*\"")), SavedObjectChecks.references(objects).toString());

        Map<String, SavedObject> byId = SavedObjectChecks.byId(objects);
        List<FieldUses.FieldUse> search = FieldUses.of(objects.get(1), byId);
        assertTrue(search.stream().allMatch(u -> "auditbeat-*".equals(u.dataView())), search.toString());
        Set<String> searchUses = search.stream().map(u -> u.use() + " " + u.field()).collect(Collectors.toSet());
        for (String expected : List.of("SHOWN auditd.summary.how", "SORTED @timestamp", "QUERIED event.module",
                "QUERIED event.action", "QUERIED auditd.summary.object.primary")) {
            assertTrue(searchUses.contains(expected), expected + " in " + searchUses);
        }
        // The visualization has no data view of its own: it is built on the saved search.
        List<FieldUses.FieldUse> vis = FieldUses.of(objects.get(2), byId);
        assertEquals(List.of("process.executable", "auditd.summary.object.primary", "auditd.summary.object.secondary"),
                vis.stream().map(FieldUses.FieldUse::field).toList());
        assertTrue(vis.stream().allMatch(u -> "auditbeat-*".equals(u.dataView()) && u.use() == FieldUses.Use.AGGREGATED), vis.toString());
    }
}
