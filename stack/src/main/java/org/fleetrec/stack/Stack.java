package org.fleetrec.stack;

import org.fleetrec.model.ServerTrust;
import org.fleetrec.stack.elasticsearch.LocalElasticsearch;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts and stops the parts of a local stack. Every part is tracked by pid in stack.json,
 * so any command, from any shell, can stop or restart a part of a stack another started.
 */
public final class Stack {
    static final String ES_NODE = "stack";
    /** The ingest server's setting naming a SigmaHQ rules folder (the detection module's ShippedRules reads it). */
    static final String SIGMA_DIR = "FLEETREC_SIGMA_DIR";
    private static final Duration PART_START_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration STOP_GRACE = Duration.ofSeconds(60);

    private final StackFiles files;
    private final Map<String, String> env;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public Stack(StackFiles files, Map<String, String> env) {
        this.files = files;
        this.env = env;
    }

    /** A new state for a full start: ports chosen, secrets loaded or made. */
    StackState plan() throws IOException {
        Secrets secrets = Secrets.loadOrCreate(files.secrets());
        StackState state = new StackState();
        state.apiToken = secrets.apiToken();
        state.enrollmentSecret = secrets.enrollmentSecret();
        state.adminUser = "admin";
        state.adminPassword = secrets.adminPassword();
        state.externalElasticsearch = env.containsKey("FLEETREC_ES_URL");
        if (state.externalElasticsearch) state.elasticsearch = env.get("FLEETREC_ES_URL");
        state.ingest = "https://127.0.0.1:" + port("FLEETREC_INGEST_PORT", 8443);
        state.ingestCa = files.ingestCa().toString();
        state.web = "http://127.0.0.1:" + port("FLEETREC_WEB_PORT", 8080);
        return state;
    }

    void start(StackState state, Part part) throws IOException, InterruptedException {
        Files.createDirectories(files.logs());
        switch (part) {
            case ELASTICSEARCH -> {
                if (state.externalElasticsearch) {
                    say("Elasticsearch: using the cluster at " + redact(state.elasticsearch));
                    return;
                }
                say("starting Elasticsearch (first start unpacks it; allow a minute)…");
                // A restart keeps the port, so the ingest server and web keep a valid URL.
                int port = state.elasticsearch == null ? 0 : URI.create(state.elasticsearch).getPort();
                LocalElasticsearch es = LocalElasticsearch.start(files.workDir(), ES_NODE, port);
                state.elasticsearch = es.url().toString();
                state.pids.put(Part.ELASTICSEARCH, es.pid());
                say("Elasticsearch " + state.elasticsearch + " (pid " + es.pid() + ")");
            }
            case INGEST -> {
                Map<String, String> ingestEnv = new HashMap<>(Map.of(
                        "FLEETREC_INGEST_BIND", "127.0.0.1",
                        "FLEETREC_INGEST_PORT", Integer.toString(URI.create(state.ingest).getPort()),
                        "FLEETREC_ENROLLMENT_SECRET", state.enrollmentSecret,
                        "FLEETREC_INGEST_TLS_DIR", files.ingestTls().toString()));
                sigmaRules().ifPresent(dir -> ingestEnv.put(SIGMA_DIR, dir.toString()));
                Process p = launch(part, ingestEnv, state, List.of());
                state.pids.put(part, p.pid());
                // Its certificate exists once it says it is listening; only then can a client trust it.
                awaitLogLine(part, p, "FLEETREC_READY ingest");
                HttpClient trusting = new ServerTrust(files.ingestCa(), null).configure(HttpClient.newBuilder())
                        .connectTimeout(Duration.ofSeconds(2)).build();
                if (state.externalElasticsearch || state.pids.get(Part.ELASTICSEARCH) != null) {
                    awaitHttp(part, p, URI.create(state.ingest + "/readyz"), trusting);
                    say("ingest server " + state.ingest + " (pid " + p.pid() + ")");
                } else {
                    // It serves without Elasticsearch, pushing agents back until it comes: waiting would never end.
                    awaitHttp(part, p, URI.create(state.ingest + "/healthz"), trusting);
                    say("ingest server " + state.ingest + " (pid " + p.pid() + "), not ready until Elasticsearch is started");
                }
            }
            case WEB -> {
                Process p = launch(part, Map.of(
                        "FLEETREC_WEB_BIND", "127.0.0.1",
                        "FLEETREC_WEB_PORT", Integer.toString(URI.create(state.web).getPort()),
                        "FLEETREC_API_TOKEN", state.apiToken,
                        "FLEETREC_ADMIN_PASSWORD", state.adminPassword), state, List.of());
                state.pids.put(part, p.pid());
                awaitHttp(part, p, URI.create(state.web + "/healthz"), http);
                say("web " + state.web + " (pid " + p.pid() + ")");
            }
            case AGENT -> {
                Process p = launch(part, Map.of(
                        "FLEETREC_INGEST_URL", state.ingest,
                        "FLEETREC_INGEST_CA", files.ingestCa().toString(),
                        "FLEETREC_ENROLLMENT_SECRET", state.enrollmentSecret,
                        "FLEETREC_AGENT_STATE", files.agentState().toString()), state, List.of("run"));
                state.pids.put(part, p.pid());
                awaitLogLine(part, p, "FLEETREC_READY agent");
                say("agent recording this host (pid " + p.pid() + ")");
            }
        }
    }

    /** Stops one part by pid; the agent's own shutdown removes its audit rules, and a sweep follows in case it could not. */
    void stop(StackState state, Part part) throws IOException, InterruptedException {
        Long pid = state.pids.get(part);
        if (part == Part.ELASTICSEARCH) {
            if (!state.externalElasticsearch) LocalElasticsearch.stopRunning(files.workDir(), ES_NODE);
        } else if (pid != null) {
            Pids.stop(pid, files.marker(part.id()), STOP_GRACE);
        }
        if (part == Part.AGENT) removeLeftoverAuditRules();
        state.pids.put(part, null);
    }

    void stopAll(StackState state) throws IOException, InterruptedException {
        List<Part> reverse = new ArrayList<>(List.of(Part.values()));
        java.util.Collections.reverse(reverse);
        for (Part part : reverse) stop(state, part);
    }

    /** Parts a crashed earlier run left behind are stopped before a new run starts. */
    void stopOrphans() throws IOException, InterruptedException {
        Optional<StackState> old = StackState.read(files.stackJson());
        if (old.isPresent()) stopAll(old.get());
        LocalElasticsearch.stopRunning(files.workDir(), ES_NODE);
        removeLeftoverAuditRules();
    }

    Map<Part, Boolean> alive(StackState state) {
        Map<Part, Boolean> alive = new HashMap<>();
        for (Part part : Part.values()) {
            Long pid = state.pids.get(part);
            boolean up = part == Part.ELASTICSEARCH && !state.externalElasticsearch
                    ? LocalElasticsearch.runningPid(files.workDir(), ES_NODE).isPresent()
                    : pid != null && Pids.matches(pid, files.marker(part.id()));
            if (part == Part.ELASTICSEARCH && state.externalElasticsearch) up = true;
            alive.put(part, up);
        }
        return alive;
    }

    /**
     * SigmaHQ's Linux rules for the default rule set: {@value #SIGMA_DIR} when set, else the reference
     * data's copy beside this checkout, when there is one. The rules are SigmaHQ's and never shipped.
     */
    private Optional<Path> sigmaRules() {
        String given = env.get(SIGMA_DIR);
        if (given != null && !given.isBlank()) return Optional.of(Path.of(given.strip()));
        Path beside = files.root().resolve("../shared/data/sigma/rules/linux").normalize();
        return Files.isDirectory(beside) ? Optional.of(beside) : Optional.empty();
    }

    private Process launch(Part part, Map<String, String> partEnv, StackState state, List<String> args) throws IOException {
        Path jar = files.jar(part);
        if (!Files.exists(jar)) throw new IOException(jar + " is missing: build with ./fleetrec build");
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(javaBin, files.marker(part.id())));
        command.addAll(part.jvmOptions());
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(files.log(part).toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Files.writeString(files.log(part), START_MARK + java.time.Instant.now() + " ===\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Map<String, String> childEnv = builder.environment();
        childEnv.putAll(partEnv);
        if (part != Part.AGENT) {
            childEnv.put("FLEETREC_ES_URL", state.elasticsearch);
            for (String key : List.of("FLEETREC_ES_API_KEY", "FLEETREC_ES_USER", "FLEETREC_ES_PASSWORD", "FLEETREC_ES_CA")) {
                if (env.containsKey(key)) childEnv.put(key, env.get(key));
            }
        }
        return builder.start();
    }

    private void awaitHttp(Part part, Process process, URI url, HttpClient http) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + PART_START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw startFailure(part, "exited with status " + process.exitValue());
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) return;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(300);
        }
        throw startFailure(part, "did not answer " + url + " within " + PART_START_TIMEOUT.toSeconds() + " s");
    }

    private void awaitLogLine(Part part, Process process, String line) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + PART_START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(files.log(part)) && lastStartOf(part).contains(line)) return;
            if (!process.isAlive()) throw startFailure(part, "exited with status " + process.exitValue());
            Thread.sleep(300);
        }
        throw startFailure(part, "did not report ready within " + PART_START_TIMEOUT.toSeconds() + " s");
    }

    /** The log since the most recent start marker, so an old run's line is not mistaken for this one's. */
    private String lastStartOf(Part part) throws IOException {
        String log = Files.readString(files.log(part));
        int at = log.lastIndexOf(START_MARK);
        return at < 0 ? log : log.substring(at);
    }

    static final String START_MARK = "=== fleetrec start ";

    private IOException startFailure(Part part, String why) throws IOException {
        List<String> lines = Files.exists(files.log(part)) ? Files.readAllLines(files.log(part)) : List.of();
        String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        return new IOException(part.id() + " " + why + "; last lines of " + files.log(part) + ":\n" + tail);
    }

    private void removeLeftoverAuditRules() throws IOException, InterruptedException {
        Path jar = files.jar(Part.AGENT);
        if (!Files.exists(jar)) return;
        Files.createDirectories(files.logs());
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(javaBin, "-jar", jar.toString(), "cleanup");
        builder.environment().put("FLEETREC_AGENT_STATE", files.agentState().toString());
        Process cleanup = builder
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(files.log(Part.AGENT).toFile()))
                .start();
        if (!cleanup.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) cleanup.destroyForcibly();
    }

    private int port(String variable, int preferred) throws IOException {
        if (env.containsKey(variable)) return Integer.parseInt(env.get(variable));
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", preferred));
            return preferred;
        } catch (IOException taken) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress("127.0.0.1", 0));
                return socket.getLocalPort();
            }
        }
    }

    static String redact(String url) {
        return url == null ? null : url.replaceAll("://([^:/@]+):[^@/]*@", "://$1:***@");
    }

    static void say(String line) {
        System.out.println("fleetrec: " + line);
        System.out.flush();
    }
}
