package org.fleetrec.stack.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.yaml.snakeyaml.Yaml;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * docker/docker-compose.yml: valid for Compose, every image built here or a pinned official Elastic image,
 * start order by health, secrets only from the environment file, and an agent with only what capture needs.
 */
class ComposeFileTest {
    private static final String COMPOSE = "docker/docker-compose.yml";
    private static final String ENV_EXAMPLE = "docker/.env.example";
    private static final Pattern ELASTIC_IMAGE = Pattern.compile("docker\\.elastic\\.co/(elasticsearch/elasticsearch|kibana/kibana):(.+)");
    private static JsonNode services;
    private static String text;

    @BeforeAll
    static void read() throws Exception {
        text = Repository.read(COMPOSE);
        // SnakeYAML resolves the file's anchors and merge keys (<<: *fleetrec-es) as Compose does.
        services = new ObjectMapper().valueToTree(new Yaml().load(text)).path("services");
        assertTrue(services.size() >= 8, "services: " + services);
    }

    @Test
    void composeAcceptsTheFileWithTheSampleEnvironment() throws Exception {
        assumeTrue(Repository.onPath("docker-compose"),
                "docker-compose is not installed (Debian: apt-get install --no-install-recommends docker-compose); not validated");
        Repository.Result result = Repository.run(Repository.root(), 60,
                "docker-compose", "-f", COMPOSE, "--env-file", ENV_EXAMPLE, "config", "-q");
        assertEquals(0, result.status(), result.output());
        assertEquals("", result.output().strip(), "no warnings either");
    }

    /** The check above would be worthless if Compose accepted anything: a misspelt key must fail. */
    @Test
    void composeRefusesAKeyItDoesNotKnow(@TempDir Path dir) throws Exception {
        assumeTrue(Repository.onPath("docker-compose"), "docker-compose is not installed; not validated");
        Path docker = Files.createDirectories(dir.resolve("docker"));
        Files.writeString(docker.resolve("docker-compose.yml"), text.replace("stop_grace_period: 60s", "stop_grace_perod: 60s"));
        Files.copy(Repository.root().resolve(ENV_EXAMPLE), docker.resolve(".env.example"));
        Repository.Result result = Repository.run(dir, 60,
                "docker-compose", "-f", "docker/docker-compose.yml", "--env-file", "docker/.env.example", "config", "-q");
        assertNotEquals(0, result.status(), result.output());
        assertTrue(result.output().contains("stop_grace_perod"), result.output());
    }

    @Test
    void everyImageIsBuiltFromDockerHereOrAPinnedOfficialElasticImage() throws Exception {
        String esVersion = Repository.pomProperty("elasticsearch.version");
        Set<String> stages = DockerfileTest.stageNames(Repository.read("docker/Dockerfile"));
        var it = services.fields();
        while (it.hasNext()) {
            var service = it.next();
            JsonNode s = service.getValue();
            String image = s.path("image").asText("");
            assertFalse(image.endsWith(":latest") || (!image.isEmpty() && !image.contains(":")),
                    service.getKey() + ": an image without a fixed tag: " + image);
            if (s.has("build")) {
                JsonNode build = s.path("build");
                Path context = Repository.root().resolve("docker").resolve(build.path("context").asText()).normalize();
                assertEquals(Repository.root(), context, service.getKey() + " builds from the repository");
                Path dockerfile = context.resolve(build.path("dockerfile").asText()).normalize();
                assertEquals(Repository.root().resolve("docker"), dockerfile.getParent(), service.getKey() + ": a Dockerfile in docker/");
                assertTrue(Files.isRegularFile(dockerfile), dockerfile.toString());
                assertTrue(stages.contains(build.path("target").asText()),
                        service.getKey() + " builds target " + build.path("target") + ", stages are " + stages);
                assertEquals("fleetrec/" + build.path("target").asText() + ":" + Repository.projectVersion(), image,
                        service.getKey() + ": the image it builds is named after its target and the project's version");
            } else {
                Matcher m = ELASTIC_IMAGE.matcher(image);
                assertTrue(m.matches(), service.getKey() + ": neither built here nor an official Elastic image: " + image);
                assertEquals(esVersion, m.group(2), service.getKey() + ": the Elasticsearch version the project is tested with");
            }
        }
    }

    @Test
    void servicesStartWhenWhatTheyNeedIsHealthyOrDone() {
        var it = services.fields();
        while (it.hasNext()) {
            var service = it.next();
            JsonNode s = service.getValue();
            boolean oneShot = s.path("restart").asText().equals("no");
            assertTrue(oneShot || s.has("healthcheck"), service.getKey() + ": a long-running service needs a healthcheck");
            assertTrue(oneShot || s.path("restart").asText().equals("unless-stopped"), service.getKey() + " restarts");
            var deps = s.path("depends_on").fields();
            while (deps.hasNext()) {
                var dep = deps.next();
                JsonNode target = services.path(dep.getKey());
                assertFalse(target.isMissingNode(), service.getKey() + " depends on an unknown " + dep.getKey());
                String condition = dep.getValue().path("condition").asText();
                switch (condition) {
                    case "service_healthy" -> assertTrue(target.has("healthcheck"), dep.getKey() + " has no healthcheck");
                    case "service_completed_successfully" -> assertEquals("no", target.path("restart").asText(),
                            dep.getKey() + " is a one-shot job");
                    default -> throw new AssertionError(service.getKey() + " waits for " + dep.getKey() + " with condition '"
                            + condition + "': only healthy or completed say it is ready");
                }
            }
        }
        // Who needs whom, as README "Deploy" tells it.
        assertEquals(Set.of("templates"), keys(services.path("ingest").path("depends_on")));
        assertEquals(Set.of("templates"), keys(services.path("web").path("depends_on")));
        assertEquals(Set.of("ingest"), keys(services.path("agent").path("depends_on")));
        assertEquals(Set.of("es-setup"), keys(services.path("kibana").path("depends_on")));
        assertEquals(Set.of("kibana"), keys(services.path("kibana-import").path("depends_on")));
        assertEquals(List.of("templates", "install"), strings(services.path("templates").path("command")));
        assertEquals("ingest", services.path("templates").path("build").path("target").asText());
    }

    @Test
    void secretsComeFromTheEnvironmentFileWhichHoldsOnlyPlaceholders() throws Exception {
        Map<String, String> sample = envFile(Repository.read(ENV_EXAMPLE));
        Set<String> used = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+)(:?[-?][^}]*)?}").matcher(text);
        while (m.find()) used.add(m.group(1));
        assertFalse(used.isEmpty());
        for (String name : used) assertTrue(sample.containsKey(name), name + " is used but not in " + ENV_EXAMPLE);
        for (Map.Entry<String, String> e : sample.entrySet()) {
            assertTrue(used.contains(e.getKey()), e.getKey() + " in " + ENV_EXAMPLE + " is used nowhere");
            if (e.getKey().matches(".*(PASSWORD|SECRET).*")) {
                assertTrue(e.getValue().startsWith("change-me"), e.getKey() + " must be a placeholder, not a secret");
            }
        }
        // A password or secret in the compose file is always a ${VARIABLE}, never a value.
        var it = services.fields();
        while (it.hasNext()) {
            var service = it.next();
            var env = service.getValue().path("environment").fields();
            while (env.hasNext()) {
                var e = env.next();
                if (e.getKey().matches(".*(PASSWORD|SECRET|API_KEY|TOKEN).*") && !e.getKey().endsWith("_USER")) {
                    assertTrue(e.getValue().asText().matches("\\$\\{[A-Z0-9_]+(:[-?][^}]*)?}"),
                            service.getKey() + " " + e.getKey() + " is written in the compose file");
                }
            }
        }
        assertTrue(Repository.read(".gitignore").lines().anyMatch(l -> l.strip().equals("docker/.env")), "docker/.env stays out of git");
    }

    @Test
    void theAgentGetsOnlyWhatCaptureNeedsFromTheHost() throws Exception {
        JsonNode agent = services.path("agent");
        assertEquals("host", agent.path("pid").asText(), "audit netlink answers only the initial PID namespace; host pids");
        assertEquals("host", agent.path("network_mode").asText(), "the audit multicast group lives in the host's network namespace");
        assertFalse(agent.path("privileged").asBoolean(false));
        assertEquals(List.of("ALL"), strings(agent.path("cap_drop")));
        Set<String> added = new HashSet<>(strings(agent.path("cap_add")));
        assertTrue(added.containsAll(Set.of("AUDIT_CONTROL", "AUDIT_READ")), added.toString());
        assertEquals(SystemdUnitsTest.agentCapabilities(), prefixed(added),
                "the container and the systemd unit give the agent the same capabilities");
        List<String> mounts = strings(agent.path("volumes"));
        Map<String, String> hostFiles = new LinkedHashMap<>();
        for (String mount : mounts) {
            String[] parts = mount.split(":");
            if (parts[0].startsWith("/")) {
                hostFiles.put(parts[0], parts[1]);
                assertTrue(parts.length == 3 && List.of(parts[2].split(",")).contains("ro"), "host path mounted read-only: " + mount);
            }
        }
        for (String file : List.of("/etc/machine-id", "/etc/passwd", "/etc/group")) {
            assertEquals(file, hostFiles.get(file), "the agent reads the host's " + file + " where it looks for it");
        }
        assertEquals("/host", hostFiles.get("/"));
        for (String watched : agent.path("environment").path("FLEETREC_WATCH_PATHS").asText().split(":")) {
            assertTrue(watched.startsWith("/host/"), "watches resolve in the container: the host's folders are under /host: " + watched);
        }
        // Ingest and web run as the images' unprivileged user; only the agent is root.
        for (String part : List.of("ingest", "web", "templates")) {
            assertFalse(services.path(part).has("user") || services.path(part).has("cap_add") || services.path(part).has("pid"),
                    part + " asks for nothing of the host");
        }
    }

    private static Set<String> prefixed(Set<String> capabilities) {
        Set<String> result = new TreeSet<>();
        for (String c : capabilities) result.add("CAP_" + c);
        return result;
    }

    private static Set<String> keys(JsonNode node) {
        Set<String> keys = new TreeSet<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        node.forEach(v -> values.add(v.asText()));
        return values;
    }

    static Map<String, String> envFile(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : text.lines().toList()) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            int eq = l.indexOf('=');
            assertTrue(eq > 0, "not NAME=value: " + line);
            values.put(l.substring(0, eq), l.substring(eq + 1));
        }
        return values;
    }
}
