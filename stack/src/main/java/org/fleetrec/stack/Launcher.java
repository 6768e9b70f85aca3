package org.fleetrec.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The launcher behind {@code ./fleetrec}: up, down, status, start PART, stop PART.
 * {@code up} stays in the foreground and stops everything it started on Ctrl-C / SIGTERM.
 */
public final class Launcher {
    private static final String USAGE = """
            usage: ./fleetrec <command>
              up                 start Elasticsearch, the ingest server, the web app and an agent recording this host
              down               stop the stack started from this folder
              status             show what runs
              stop  <part>       stop one part: elasticsearch | ingest | web | agent
              start <part>       start one part of a running stack again
            """;

    /** Set when a shutdown begins: parts dying from the same Ctrl-C are then expected, not news. */
    private static volatile boolean stopping;

    private Launcher() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("fleetrec.home", ".")).toAbsolutePath().normalize();
        StackFiles files = StackFiles.of(root, System.getenv());
        Stack stack = new Stack(files, System.getenv());
        String command = args.length == 0 ? "help" : args[0];
        int status;
        try {
            status = switch (command) {
                case "up" -> up(files, stack);
                case "down" -> down(files, stack);
                case "status" -> status(files, stack);
                case "start", "stop" -> one(files, stack, command, args);
                case "cleanup" -> cleanup(files);
                case "test-es" -> testElasticsearch(files, args);
                default -> {
                    System.out.print(USAGE);
                    yield "help".equals(command) ? 0 : 2;
                }
            };
        } catch (IOException | IllegalStateException e) {
            System.err.println("fleetrec: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }

    private static int up(StackFiles files, Stack stack) throws Exception {
        Optional<StackState> existing = StackState.read(files.stackJson());
        if (existing.isPresent() && existing.get().launcher != null
                && Pids.matches(existing.get().launcher, files.marker("launcher"))) {
            System.err.println("fleetrec: a stack from this folder already runs (launcher pid " + existing.get().launcher
                    + "); ./fleetrec down first");
            return 1;
        }
        stack.stopOrphans();
        StackState state = stack.plan();
        state.launcher = ProcessHandle.current().pid();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread shutdown = new Thread(() -> {
            stopping = true;
            Stack.say("stopping…");
            try {
                StackState current = StackState.read(files.stackJson()).orElse(state);
                stack.stopAll(current);
                Files.deleteIfExists(files.stackJson());
                Stack.say("stopped");
            } catch (Exception e) {
                System.err.println("fleetrec: stopping failed: " + e);
            } finally {
                stopped.countDown();
            }
        }, "stack-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        try {
            for (Part part : Part.values()) {
                stack.start(state, part);
                state.write(files.stackJson());
            }
        } catch (Exception e) {
            System.err.println("fleetrec: start failed: " + e.getMessage());
            return 1; // the shutdown hook stops what did start
        }
        System.out.println();
        System.out.println("Fleet Recorder is up.");
        System.out.println("  web:        " + state.web + "   (user " + state.adminUser + ", password " + state.adminPassword + ")");
        System.out.println("  REST:       curl -H 'Authorization: Bearer " + state.apiToken + "' '" + state.web + "/api/v1/search?q=process.name:bash'");
        System.out.println("  ingest:     " + state.ingest);
        System.out.println("  stack file: " + files.stackJson());
        System.out.println("Ctrl-C or ./fleetrec down stops everything.");
        System.out.flush();
        watch(files, stack);
        stopped.await();
        return 0;
    }

    /** Reports parts that die on their own; a part stopped with ./fleetrec stop is not reported. */
    private static void watch(StackFiles files, Stack stack) throws Exception {
        java.util.Set<Part> reported = java.util.EnumSet.noneOf(Part.class);
        while (true) {
            Thread.sleep(5_000);
            Optional<StackState> current = StackState.read(files.stackJson());
            if (current.isEmpty() || stopping) continue;
            Map<Part, Boolean> alive = stack.alive(current.get());
            for (Part part : Part.values()) {
                boolean expected = current.get().pids.get(part) != null;
                if (expected && !alive.get(part) && reported.add(part)) {
                    Stack.say(part.id() + " is no longer running; see " + files.log(part));
                } else if (alive.get(part)) {
                    reported.remove(part);
                }
            }
        }
    }

    private static int down(StackFiles files, Stack stack) throws Exception {
        Optional<StackState> state = StackState.read(files.stackJson());
        if (state.isPresent() && state.get().launcher != null
                && Pids.matches(state.get().launcher, files.marker("launcher"))) {
            // The launcher in the foreground stops its parts itself and removes stack.json.
            Pids.stop(state.get().launcher, files.marker("launcher"), Duration.ofMinutes(3));
        }
        stack.stopOrphans();
        Files.deleteIfExists(files.stackJson());
        Stack.say("stack is down");
        return 0;
    }

    /** Elasticsearch nodes the test suites start in the default work folder. */
    static final String TEST_RUN_NODE = "test-run";
    static final java.util.List<String> TEST_NODES = java.util.List.of(TEST_RUN_NODE, "test", "test-2", "test-3", "test-4", "unit", "orphan");

    /**
     * One Elasticsearch for a whole test run, shared by every module's tests through
     * FLEETREC_TEST_ES_URL: {@code test-es start} prints its URL, {@code test-es stop} stops it.
     */
    private static int testElasticsearch(StackFiles files, String[] args) {
        String action = args.length > 1 ? args[1] : "";
        switch (action) {
            case "start" -> {
                var es = org.fleetrec.stack.elasticsearch.LocalElasticsearch.start(files.workDir(), TEST_RUN_NODE);
                System.out.println(es.url());
                return 0;
            }
            case "stop" -> {
                org.fleetrec.stack.elasticsearch.LocalElasticsearch.stopRunning(files.workDir(), TEST_RUN_NODE);
                return 0;
            }
            default -> {
                System.err.println("usage: test-es start|stop");
                return 2;
            }
        }
    }

    /** Stops whatever crashed runs left behind: stacks (the system tests' too), test nodes, audit rules. */
    private static int cleanup(StackFiles files) throws Exception {
        java.util.List<Path> workDirs = new java.util.ArrayList<>(java.util.List.of(files.workDir()));
        if (Files.isDirectory(files.workDir())) {
            try (var dirs = Files.newDirectoryStream(files.workDir(), "system-test-*")) {
                dirs.forEach(workDirs::add);
            }
        }
        for (Path workDir : workDirs) {
            StackFiles other = new StackFiles(files.root(), workDir);
            new Stack(other, System.getenv()).stopOrphans();
            Files.deleteIfExists(other.stackJson());
        }
        for (String node : TEST_NODES) {
            org.fleetrec.stack.elasticsearch.LocalElasticsearch.stopRunning(files.workDir(), node);
        }
        Stack.say("nothing of this checkout is left running");
        return 0;
    }

    private static int status(StackFiles files, Stack stack) throws IOException {
        Optional<StackState> state = StackState.read(files.stackJson());
        if (state.isEmpty()) {
            System.out.println("no stack runs from " + files.root());
            return 3;
        }
        Map<Part, Boolean> alive = stack.alive(state.get());
        System.out.printf("%-14s %-8s %-8s %s%n", "part", "state", "pid", "address");
        for (Part part : Part.values()) {
            Long pid = state.get().pids.get(part);
            String address = switch (part) {
                case ELASTICSEARCH -> Stack.redact(state.get().elasticsearch);
                case INGEST -> state.get().ingest;
                case WEB -> state.get().web;
                case AGENT -> "-";
            };
            System.out.printf("%-14s %-8s %-8s %s%n", part.id(), alive.get(part) ? "running" : "stopped",
                    pid == null ? "-" : pid, address);
        }
        return alive.containsValue(false) ? 3 : 0;
    }

    private static int one(StackFiles files, Stack stack, String command, String[] args) throws Exception {
        if (args.length != 2 || Part.fromId(args[1]).isEmpty()) {
            System.err.println("usage: ./fleetrec " + command + " <elasticsearch|ingest|web|agent>");
            return 2;
        }
        Part part = Part.fromId(args[1]).get();
        StackState state = StackState.read(files.stackJson()).orElse(null);
        if (state == null) {
            System.err.println("fleetrec: no stack runs from this folder; ./fleetrec up first");
            return 1;
        }
        if (command.equals("stop")) {
            stack.stop(state, part);
        } else {
            if (stack.alive(state).get(part)) {
                Stack.say(part.id() + " already runs");
                return 0;
            }
            stack.start(state, part);
        }
        state.write(files.stackJson());
        return 0;
    }
}
