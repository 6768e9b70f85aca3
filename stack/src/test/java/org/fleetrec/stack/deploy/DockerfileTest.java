package org.fleetrec.stack.deploy;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docker/Dockerfile: pinned base images, who each part runs as, and what it runs. */
class DockerfileTest {
    private static final Pattern FROM = Pattern.compile("(?im)^FROM\\s+(\\S+)(?:\\s+AS\\s+(\\S+))?\\s*$");
    /** An official image with a tag that starts with a full major.minor.patch version, never a moving one. */
    private static final Pattern PINNED = Pattern.compile("(maven|eclipse-temurin):\\d+\\.\\d+\\.\\d+[-_][A-Za-z0-9._-]+");

    /** One build stage: its base, and the USER and ENTRYPOINT it sets itself. */
    record Stage(String name, String base, String user, String entrypoint) {
    }

    static Set<String> stageNames(String dockerfile) {
        return stages(dockerfile).keySet();
    }

    static Map<String, Stage> stages(String dockerfile) {
        Map<String, Stage> stages = new LinkedHashMap<>();
        List<String> blocks = new ArrayList<>(List.of(dockerfile.split("(?im)^(?=FROM\\s)")));
        blocks.removeIf(b -> !b.regionMatches(true, 0, "FROM", 0, 4));
        for (String block : blocks) {
            Matcher from = FROM.matcher(block);
            assertTrue(from.find(), block);
            String user = null;
            String entrypoint = null;
            for (String line : block.lines().toList()) {
                if (line.startsWith("USER ")) user = line.substring(5).strip();
                if (line.startsWith("ENTRYPOINT ")) entrypoint = line.substring(11).strip();
            }
            String name = from.group(2) == null ? "stage-" + stages.size() : from.group(2);
            stages.put(name, new Stage(name, from.group(1), user, entrypoint));
        }
        return stages;
    }

    @Test
    void everyBaseImageIsPinnedOrAnEarlierStage() throws Exception {
        Map<String, Stage> stages = stages(Repository.read("docker/Dockerfile"));
        Set<String> seen = new LinkedHashSet<>();
        Set<String> external = new LinkedHashSet<>();
        for (Stage stage : stages.values()) {
            if (!seen.contains(stage.base())) {
                assertTrue(PINNED.matcher(stage.base()).matches(), "FROM " + stage.base() + " is not pinned to a full version");
                external.add(stage.base().substring(0, stage.base().indexOf(':')));
            }
            seen.add(stage.name());
        }
        assertEquals(Set.of("maven", "eclipse-temurin"), external, "a Maven build stage and a Java runtime, both official images");
        assertTrue(stages.get("build").base().matches("maven:3\\.9\\.\\d+-eclipse-temurin-17.*"), stages.get("build").base());
        assertTrue(stages.get("runtime").base().matches("eclipse-temurin:17\\.[\\d._]+-jre.*"), stages.get("runtime").base());
    }

    @Test
    void ingestAndWebRunUnprivilegedTheAgentAsRootAndEachItsPackagedLauncher() throws Exception {
        Map<String, Stage> stages = stages(Repository.read("docker/Dockerfile"));
        for (String part : List.of("ingest", "web")) {
            assertEquals("fleetrec", effectiveUser(stages, part), part + " runs as the image's unprivileged user");
        }
        assertNull(effectiveUser(stages, "agent"), "the agent stays root; compose limits its capabilities");
        for (String part : List.of("ingest", "web", "agent")) {
            // deploy/package.sh writes bin/fleetrec-<part>; the image unpacks the package at /opt/fleetrec/<part>.
            assertEquals("[\"/opt/fleetrec/" + part + "/bin/fleetrec-" + part + "\"]", stages.get(part).entrypoint(), part);
        }
    }

    @Test
    void theBuildContextLeavesOutBuildOutputHistoryAndSecrets() throws Exception {
        List<String> ignored = Repository.read(".dockerignore").lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        for (String entry : List.of(".git", "**/target", ".fleetrec", "docker/.env")) {
            assertTrue(ignored.contains(entry), ".dockerignore lacks " + entry + ": " + ignored);
        }
    }

    private static String effectiveUser(Map<String, Stage> stages, String name) {
        for (Stage stage = stages.get(name); stage != null; stage = stages.get(stage.base())) {
            if (stage.user() != null) return stage.user().equals("root") || stage.user().equals("0") ? null : stage.user();
        }
        return null;
    }
}
