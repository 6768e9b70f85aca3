package org.fleetrec.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A whole stack started through the launcher, as a user would, in a work folder of its own. */
final class RunningStack implements AutoCloseable {
    static final String VERSION = "0.1.0-SNAPSHOT";
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path root;
    final Path work;
    final Process launcher;
    final Path output;
    private final Map<String, String> env;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private HttpClient ingestHttp;

    private RunningStack(Path root, Path work, Process launcher, Path output, Map<String, String> env) {
        this.root = root;
        this.work = work;
        this.launcher = launcher;
        this.output = output;
        this.env = env;
    }

    static Path root() {
        return Path.of(System.getProperty("fleetrec.root", "..")).toAbsolutePath().normalize();
    }

    /** A stack on an Elasticsearch the tests share. */
    static RunningStack up(URI elasticsearch, Duration timeout) throws Exception {
        return up(elasticsearch, timeout, "");
    }

    /**
     * The same in a work folder of its own: a test class's agent keeps its enrollment there, and the
     * shared cluster forgets it between classes, so two classes must never share a folder.
     */
    static RunningStack up(URI elasticsearch, Duration timeout, String name) throws Exception {
        return up(elasticsearch, timeout, name, Map.of());
    }

    /** The same, with settings of the parts' environment ({@code FLEETREC_*} variables) on top. */
    static RunningStack up(URI elasticsearch, Duration timeout, String name, Map<String, String> settings) throws Exception {
        String folder = "system-test-" + ProcessHandle.current().pid() + (name.isEmpty() ? "" : "-" + name);
        Map<String, String> env = new HashMap<>(settings);
        env.put("FLEETREC_ES_URL", elasticsearch.toString());
        return start(folder, env, timeout);
    }

    /**
     * A stack whose launcher starts its own Elasticsearch in the work folder, so a test can stop it
     * or make it misbehave without touching the cluster other tests use.
     */
    static RunningStack upWithOwnElasticsearch(Duration timeout) throws Exception {
        return start("system-test-" + ProcessHandle.current().pid() + "-own-es", Map.of(), timeout);
    }

    private static RunningStack start(String folder, Map<String, String> settings, Duration timeout) throws Exception {
        Path root = root();
        Path work = root.resolve(".fleetrec").resolve(folder);
        Files.createDirectories(work);
        Path output = work.resolve("launcher.out");
        Map<String, String> env = new HashMap<>(settings);
        env.put("FLEETREC_WORK", work.toString());
        ProcessBuilder builder = new ProcessBuilder(java(), "-Dfleetrec.home=" + root,
                "-Dfleetrec.part=launcher@" + work,
                "-jar", root.resolve("stack/target/stack-" + VERSION + "-all.jar").toString(), "up")
                .redirectErrorStream(true).redirectOutput(output.toFile());
        environment(builder, env);
        RunningStack stack = new RunningStack(root, work, builder.start(), output, Map.copyOf(env));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.readString(output).contains("Fleet Recorder is up.")) {
            if (!stack.launcher.isAlive() || System.nanoTime() > deadline) {
                stack.launcher.destroyForcibly();
                throw new AssertionError("the stack did not come up:\n" + Files.readString(output) + logs(work));
            }
            Thread.sleep(500);
        }
        return stack;
    }

    /**
     * Variables of the test JVM that name a cluster. The launcher and the parts it starts read
     * them, so one inherited from the shell running the tests would point this stack elsewhere.
     */
    private static final List<String> CLUSTER_VARIABLES = List.of("FLEETREC_ES_URL", "FLEETREC_ES_API_KEY",
            "FLEETREC_ES_USER", "FLEETREC_ES_PASSWORD", "FLEETREC_ES_CA", "FLEETREC_TEST_ES_URL");

    private static void environment(ProcessBuilder builder, Map<String, String> env) {
        builder.environment().keySet().removeAll(CLUSTER_VARIABLES);
        builder.environment().putAll(env);
    }

    JsonNode stackJson() throws IOException {
        return JSON.readTree(work.resolve("stack.json").toFile());
    }

    /** Runs ./fleetrec with this stack's work folder; returns exit status and output. */
    CommandResult fleetrec(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(root.resolve("fleetrec").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        environment(builder, env);
        Process process = builder.start();
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES)) throw new AssertionError("./fleetrec " + String.join(" ", args) + " hung");
        return new CommandResult(process.exitValue(), text);
    }

    record CommandResult(int status, String output) {
    }

    /** GET from an ingest server of this stack (its own or another sharing its certificate), trusting the CA agents get. */
    HttpResponse<String> getIngest(URI url) throws Exception {
        if (ingestHttp == null) {
            ingestHttp = new org.fleetrec.model.ServerTrust(Path.of(stackJson().path("ingestCa").asText()), null)
                    .configure(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))).build();
        }
        return ingestHttp.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The agent needs root (CAP_AUDIT_CONTROL) to record from the kernel. */
    static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.split("\\s+")[1].equals("0"));
        } catch (Exception e) {
            return false;
        }
    }

    HttpResponse<String> get(String pathAndQuery, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stackJson().path("web").asText() + pathAndQuery))
                .timeout(Duration.ofSeconds(30));
        if (token != null) request.header("Authorization", "Bearer " + token);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Polls the search API until the query finds something or time runs out. */
    JsonNode searchUntilFound(String query, Duration timeout) throws Exception {
        String token = stackJson().path("apiToken").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = get("/api/v1/search?size=50&q=" + URLEncoder.encode(query, StandardCharsets.UTF_8), token);
            if (response.statusCode() == 200) {
                last = JSON.readTree(response.body());
                if (last.path("total").asLong() > 0) return last;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("nothing found for " + query + " within " + timeout + "; last answer " + last + logs(work));
    }

    static String logs(Path work) throws IOException {
        StringBuilder text = new StringBuilder();
        Path logs = work.resolve("logs");
        if (!Files.isDirectory(logs)) return "";
        try (var files = Files.list(logs)) {
            for (Path log : files.toList()) {
                List<String> lines = Files.readAllLines(log);
                text.append("\n--- ").append(log.getFileName()).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            }
        }
        return text.toString();
    }

    static void deleteWorkFolder(Path work) throws IOException {
        try (var paths = Files.walk(work)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** SIGTERM to the launcher, as Ctrl-C would: it stops every part it started. */
    @Override
    public void close() throws Exception {
        if (launcher.isAlive()) {
            launcher.destroy();
            if (!launcher.waitFor(3, TimeUnit.MINUTES)) launcher.destroyForcibly();
        }
    }
}
