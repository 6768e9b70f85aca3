package org.fleetrec.detection.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.fleetrec.detection.sigma.RuleSet;
import org.fleetrec.detection.sigma.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chosen SigmaHQ Linux rules, checked against SigmaHQ's rules in the shared data (read in place;
 * skipped without it): every chosen id exists and loads, and every Linux rule is decided.
 */
class SigmaHqSelectionTest {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    @Test
    void theManifestListsEachIdOnce() {
        List<String> ids = SigmaHqSelection.manifestIds();
        assertEquals(ids.size(), new HashSet<>(ids).size(), "no id twice");
        assertTrue(ids.size() >= 50, "a useful selection: " + ids.size());
    }

    @Test
    void everyChosenRuleExistsInSigmaHqAndLoads() {
        Path linux = SharedData.path("sigma/rules/linux");
        List<RuleSource> sources = SigmaHqSelection.sources(linux);
        List<String> ids = SigmaHqSelection.manifestIds();
        assertEquals(ids.size(), sources.size(), "every chosen id is found");
        RuleSet.Builder b = RuleSet.builder();
        for (RuleSource s : sources) {
            assertEquals("shipped", s.origin());
            assertTrue(s.name().startsWith("sigmahq/"), s.name());
            b.add(s.name(), s.yaml());
        }
        RuleSet set = b.build();
        assertEquals(List.of(), set.rejected(), "every chosen rule loads");
        assertEquals(new HashSet<>(ids), new HashSet<>(set.rules().stream().map(r -> r.id()).toList()));
    }

    /** A SigmaHQ update that adds a Linux rule fails here until someone decides about it. */
    @Test
    void everySigmaHqLinuxRuleIsChosenOrExcludedWithAReason() throws IOException {
        Path linux = SharedData.path("sigma/rules/linux");
        String manifest = OwnRules.resource(SigmaHqSelection.MANIFEST);
        Set<String> mentioned = new HashSet<>();
        Matcher m = ID.matcher(manifest);
        while (m.find()) mentioned.add(m.group());
        Map<String, String> undecided = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(linux)) {
            for (Path p : walk.filter(p -> p.toString().endsWith(".yml")).toList()) {
                Matcher id = Pattern.compile("(?m)^id: (\\S+)").matcher(Files.readString(p));
                assertTrue(id.find(), p.toString());
                if (!mentioned.contains(id.group(1))) undecided.put(linux.relativize(p).toString(), id.group(1));
            }
        }
        assertEquals(Map.of(), undecided, "SigmaHQ Linux rules missing from the manifest");
        for (String line : manifest.split("\n")) {
            if (line.startsWith("#   ")) assertTrue(line.matches("#   " + ID.pattern() + "  \\S+\\.yml: .+"), "an exclusion gives its reason: " + line);
        }
    }

    @Test
    void aFolderOfAnotherReleaseGivesWhatItHas(@TempDir Path dir) throws IOException {
        List<String> ids = SigmaHqSelection.manifestIds();
        Path sub = Files.createDirectories(dir.resolve("rules/linux/process_creation"));
        Files.writeString(sub.resolve("a.yml"), rule(ids.get(0), "'quoted id'"));
        Files.writeString(sub.resolve("b.yaml"), rule(ids.get(1), "unquoted"));
        // Deprecated copies, unrelated rules and files without an id are passed over.
        Path deprecated = Files.createDirectories(dir.resolve("deprecated/linux"));
        Files.writeString(deprecated.resolve("c.yml"), rule(ids.get(2), "deprecated"));
        Files.writeString(sub.resolve("d.yml"), rule("00000000-0000-4000-8000-000000000000", "not chosen"));
        Files.writeString(sub.resolve("e.yml"), "title: no id\n");
        Files.write(sub.resolve("f.yml"), new byte[]{(byte) 0xff, 0, 1});
        List<RuleSource> sources = SigmaHqSelection.sources(dir);
        assertEquals(List.of("sigmahq/rules/linux/process_creation/a.yml", "sigmahq/rules/linux/process_creation/b.yaml"),
                sources.stream().map(RuleSource::name).toList());
    }

    @Test
    void aFolderThatIsNoneIsRefused(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SigmaHqSelection.sources(file));
        assertTrue(e.getMessage().contains("FLEETREC_SIGMA_DIR") && e.getMessage().contains("not a folder"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SigmaHqSelection.sources(dir.resolve("missing")));
    }

    private static String rule(String id, String title) {
        String idLine = title.startsWith("'") ? "id: '" + id + "'" : "id: " + id;
        return "title: " + title + "\n" + idLine + "\nlogsource:\n  product: linux\n  category: process_creation\n"
                + "detection:\n  sel:\n    Image|endswith: /x\n  condition: sel\nlevel: low\n";
    }
}
