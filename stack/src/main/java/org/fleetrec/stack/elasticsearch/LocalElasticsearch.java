package org.fleetrec.stack.elasticsearch;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A single-node Elasticsearch running from the {@link ElasticsearchDistribution} zip, for the local stack and for
 * integration tests.
 *
 * <p>Layout: the work dir is the project's git-ignored {@code .fleetrec/} folder; node {@code N} lives in
 * {@code <workDir>/es-N/{config,data,logs,tmp}} and its pid file is {@code <workDir>/es-N/pid} (the pid of the
 * Elasticsearch server JVM; {@code <workDir>/es-N/node.properties} additionally records the launcher pid, the
 * process that started the node, and the URL). Data is kept across restarts. stdout and stderr go to
 * {@code <node dir>/logs/console.log}.
 *
 * <p>When the JVM runs as root, Elasticsearch (which refuses root) is started via
 * {@code setpriv --reuid=nobody --regid=nogroup --clear-groups}, and its config/data/logs/tmp folders are owned by
 * nobody. If nobody cannot traverse the work dir (e.g. a repository under {@code /root}), the install and the node
 * folders are placed under {@code /var/tmp/fleetrec-es-<hash of work dir>/} instead (the pid file stays in the work
 * dir); see {@link #nodeDir()}.
 *
 * <p>Process model: {@code bin/elasticsearch} execs a small CLI JVM (the "launcher", a child of this JVM) which
 * forks the real server JVM; the server exits when the launcher dies. {@link #pid()} is the server pid (from
 * {@code bin/elasticsearch -p}). Processes are only ever signalled by pid, and only after checking
 * {@code /proc/<pid>/cmdline} shows an Elasticsearch of this very node folder.
 *
 * <p>Environment: {@code FLEETREC_ES_HEAP} overrides the heap (e.g. {@code 2g} for {@code -Xms2g -Xmx2g}, or
 * verbatim JVM options when it starts with {@code -}; default {@value #DEFAULT_HEAP});
 * {@code FLEETREC_ES_START_TIMEOUT} overrides the start timeout in seconds (default 180).
 */
public final class LocalElasticsearch implements AutoCloseable {

    public static final String DEFAULT_HEAP = "-Xms512m -Xmx1g";
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(180);
    static final Duration STOP_GRACE = Duration.ofSeconds(60);

    private static final String PID_FILE = "pid";
    private static final String STATE_FILE = "node.properties";
    private static final String LOCK_FILE = ".lock";
    private static final String ES_PID_FILE = "elasticsearch.pid";
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private static final Object JVM_LOCK = new Object();

    private final String nodeName;
    private final Path controlDir;
    private final Path nodeDir;
    private final URI url;
    private final int transportPort;
    private final Process launcher;
    private final ProcessHandle server;
    private boolean closed;

    private LocalElasticsearch(String nodeName, Path controlDir, Path nodeDir, URI url, int transportPort, Process launcher,
            ProcessHandle server) {
        this.nodeName = nodeName;
        this.controlDir = controlDir;
        this.nodeDir = nodeDir;
        this.transportPort = transportPort;
        this.url = url;
        this.launcher = launcher;
        this.server = server;
    }

    /** Starts node {@code nodeName} with the default (or {@code FLEETREC_ES_START_TIMEOUT}) start timeout. */
    public static LocalElasticsearch start(Path workDir, String nodeName) {
        return start(workDir, nodeName, defaultStartTimeout());
    }

    /**
     * Starts node {@code nodeName} and waits until {@code GET /_cluster/health?wait_for_status=yellow} answers.
     *
     * <p>First stops an orphan of the same node: if the pid file names a live process whose cmdline shows it is an
     * Elasticsearch of this node folder, and the process that started it is dead (a crashed earlier run) or is this
     * JVM, it gets SIGTERM, then SIGKILL after a timeout.
     *
     * @throws NodeInUseException if the node is running and was started by another live process
     * @throws IllegalStateException if Elasticsearch dies or is not healthy in time (message ends with the tail of
     *     the console log; everything started is stopped again)
     */
    public static LocalElasticsearch start(Path workDir, String nodeName, Duration startTimeout) {
        return start(workDir, nodeName, startTimeout, heapOptions(), 0);
    }

    /**
     * Starts the node on a given HTTP port, so a restarted node keeps the URL its clients were
     * given; 0 picks a free port.
     */
    public static LocalElasticsearch start(Path workDir, String nodeName, int httpPort) {
        return start(workDir, nodeName, defaultStartTimeout(), heapOptions(), httpPort);
    }

    static LocalElasticsearch start(Path workDir, String nodeName, Duration startTimeout, String heapOptions) {
        return start(workDir, nodeName, startTimeout, heapOptions, 0);
    }

    /**
     * Starts a node of a cluster of several on this machine ({@code membership}); it is healthy once
     * it answers for that cluster at yellow or better.
     */
    public static LocalElasticsearch start(Path workDir, String nodeName, ClusterMembership membership) {
        return start(workDir, nodeName, defaultStartTimeout(), heapOptions(), 0, membership);
    }

    static LocalElasticsearch start(Path workDir, String nodeName, Duration startTimeout, String heapOptions,
                                    int httpPort) {
        return start(workDir, nodeName, startTimeout, heapOptions, httpPort, null);
    }

    static LocalElasticsearch start(Path workDir, String nodeName, Duration startTimeout, String heapOptions,
                                    int httpPort, ClusterMembership membership) {
        Layout.checkNodeName(nodeName);
        Path realWorkDir = Layout.workDir(workDir);
        Path controlDir = Layout.controlDir(realWorkDir, nodeName);
        synchronized (JVM_LOCK) {
            try {
                Files.createDirectories(controlDir);
                Files.setPosixFilePermissions(controlDir, PosixFilePermissions.fromString("rwxr-xr-x"));
                // serialises starts of this node across processes; closing the channel releases the lock
                try (FileChannel channel = FileChannel.open(controlDir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE)) {
                    channel.lock(); // released when the channel closes
                    stopOrphan(realWorkDir, nodeName, controlDir);
                    for (int attempt = 1;; attempt++) {
                        try {
                            return launch(realWorkDir, nodeName, controlDir, startTimeout, heapOptions, httpPort, membership);
                        } catch (IllegalStateException e) {
                            // the free ports we picked were taken before Elasticsearch bound them: pick again
                            Path console = Layout.base(realWorkDir).resolve("es-" + nodeName).resolve("logs")
                                    .resolve("console.log");
                            if (attempt >= 3 || httpPort > 0 || !tail(console, 5000).contains("Address already in use")) {
                                throw e;
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start Elasticsearch node '" + nodeName + "'", e);
            }
        }
    }

    /**
     * Stops the node started by another process (for {@code ./fleetrec down}): uses the pid file and only signals
     * pids whose cmdline shows an Elasticsearch of this node. Removes the pid file.
     *
     * @return true if a running Elasticsearch (or its launcher) was stopped
     */
    public static boolean stopRunning(Path workDir, String nodeName) {
        Layout.checkNodeName(nodeName);
        Path realWorkDir = Layout.workDir(workDir);
        Path controlDir = Layout.controlDir(realWorkDir, nodeName);
        List<ProcessHandle> live = liveProcesses(realWorkDir, nodeName, State.read(controlDir));
        stopAll(live);
        State.delete(controlDir);
        return !live.isEmpty();
    }

    /** The pid of the node's Elasticsearch server if it is running (pid file + cmdline check). */
    public static Optional<Long> runningPid(Path workDir, String nodeName) {
        Layout.checkNodeName(nodeName);
        Path realWorkDir = Layout.workDir(workDir);
        State state = State.read(Layout.controlDir(realWorkDir, nodeName));
        if (state.serverPid > 0 && matchingServerDir(state.serverPid, realWorkDir, nodeName).isPresent()) {
            return Optional.of(state.serverPid);
        }
        return Optional.empty();
    }

    /** The HTTP URL of the node if it is running (see {@link #runningPid}). */
    public static Optional<URI> runningUrl(Path workDir, String nodeName) {
        return runningPid(workDir, nodeName).flatMap(pid -> {
            State state = State.read(Layout.controlDir(Layout.workDir(workDir), nodeName));
            return Optional.ofNullable(state.url).map(URI::create);
        });
    }

    /** {@code http://127.0.0.1:<port>} (no trailing slash). */
    public URI url() {
        return url;
    }

    /** The port other nodes of its cluster join it on. */
    public int transportPort() {
        return transportPort;
    }

    /** Pid of the Elasticsearch server JVM. */
    public long pid() {
        return server.pid();
    }

    /** {@code <workDir>/es-<node>} (or its {@code /var/tmp} fallback, see class comment). */
    public Path nodeDir() {
        return nodeDir;
    }

    public String nodeName() {
        return nodeName;
    }

    /** Stops the node by pid (SIGTERM, wait, SIGKILL) and removes the pid file. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (server.isAlive()) {
            note(nodeDir, "stopping: SIGTERM to pid " + server.pid()
                    + " (so 'exited unexpectedly, with exit code 143' below is expected)");
        }
        List<ProcessHandle> handles = new ArrayList<>();
        handles.add(server);
        handles.add(launcher.toHandle());
        stopAll(handles);
        // only forget the node if the pid file still describes us (a later start may have replaced it)
        State state = State.read(controlDir);
        if (state.serverPid == server.pid() || state.serverPid <= 0 && state.launcherPid == launcher.pid()) {
            State.delete(controlDir);
        }
    }

    @Override
    public String toString() {
        return "LocalElasticsearch[" + nodeName + " pid=" + server.pid() + " " + url + "]";
    }

    // ------------------------------------------------------------------------------------------------ start

    private static LocalElasticsearch launch(Path realWorkDir, String nodeName, Path controlDir,
            Duration startTimeout, String heapOptions, int requestedHttpPort, ClusterMembership membership) throws IOException {
        boolean root = Posix.isRoot();
        Path install = ElasticsearchDistribution.install(realWorkDir);
        Path nodeDir = Layout.base(realWorkDir).resolve("es-" + nodeName);
        Path config = nodeDir.resolve("config");
        Path data = nodeDir.resolve("data");
        Path logs = nodeDir.resolve("logs");
        Path tmp = nodeDir.resolve("tmp");
        for (Path dir : List.of(nodeDir, config, config.resolve("jvm.options.d"), data, logs, tmp)) {
            Files.createDirectories(dir);
        }
        Files.setPosixFilePermissions(nodeDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path distConfig = install.resolve("config");
        Files.copy(distConfig.resolve("jvm.options"), config.resolve("jvm.options"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.copy(distConfig.resolve("log4j2.properties"), config.resolve("log4j2.properties"),
                StandardCopyOption.REPLACE_EXISTING);
        int httpPort = requestedHttpPort > 0 ? requestedHttpPort : freePort();
        int transportPort = freePort();
        while (transportPort == httpPort) {
            transportPort = freePort();
        }
        URI url = URI.create("http://127.0.0.1:" + httpPort);
        Files.writeString(config.resolve("elasticsearch.yml"),
                elasticsearchYml(install, nodeName, httpPort, transportPort, data, logs, membership), StandardCharsets.UTF_8);
        Path esPidFile = tmp.resolve(ES_PID_FILE);
        Files.deleteIfExists(esPidFile);
        Path console = logs.resolve("console.log");
        if (Files.exists(console)) {
            Files.move(console, logs.resolve("console.log.1"), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.writeString(console, "# " + Instant.now() + " starting Elasticsearch node '" + nodeName + "' on "
                + url + "\n", StandardCharsets.UTF_8);
        if (root) {
            giveToNobody(config, true);
            giveToNobody(logs, true);
            giveToNobody(tmp, true);
            giveToNobody(data, !isOwnedByNobody(data));
        }

        List<String> cmd = new ArrayList<>();
        if (root) {
            cmd.addAll(Posix.asNobodyPrefix());
        }
        cmd.add(install.resolve("bin").resolve("elasticsearch").toString());
        cmd.add("-p");
        cmd.add(esPidFile.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(install.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        for (String unwanted : List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "JAVA_HOME",
                "JAVA_OPTS", "ES_HOME")) {
            env.remove(unwanted);
        }
        String extraOpts = env.getOrDefault("ES_JAVA_OPTS", "").trim();
        env.put("ES_JAVA_OPTS", (heapOptions + " " + extraOpts).trim());
        env.put("ES_PATH_CONF", config.toString());
        env.put("ES_JAVA_HOME", System.getProperty("java.home"));
        env.put("ES_TMPDIR", tmp.toString());

        Process launcher = pb.start();
        State starting = new State();
        starting.launcherPid = launcher.pid();
        starting.setOwner(ProcessHandle.current());
        starting.url = url.toString();
        starting.nodeDir = nodeDir.toString();
        starting.write(controlDir);

        ProcessHandle server = null;
        try {
            server = awaitStarted(nodeName, clusterName(nodeName, membership), nodeDir, url, launcher, esPidFile, startTimeout);
        } finally {
            if (server == null) {
                List<ProcessHandle> started = new ArrayList<>();
                Optional.ofNullable(readPid(esPidFile)).flatMap(Posix::alive)
                        .filter(h -> isServerOf(h.pid(), nodeDir)).ifPresent(started::add);
                launcher.toHandle().descendants().filter(h -> isServerOf(h.pid(), nodeDir)).forEach(started::add);
                started.add(launcher.toHandle());
                stopAll(started);
                State.delete(controlDir);
            }
        }
        starting.serverPid = server.pid();
        starting.write(controlDir);
        return new LocalElasticsearch(nodeName, controlDir, nodeDir, url, transportPort, launcher, server);
    }

    private static ProcessHandle awaitStarted(String nodeName, String clusterName, Path nodeDir, URI url, Process launcher,
            Path esPidFile, Duration timeout) {
        Path console = nodeDir.resolve("logs").resolve("console.log");
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean healthy = false;
        ProcessHandle server = null;
        while (true) {
            if (server == null) {
                server = findServer(nodeDir, launcher, esPidFile);
            }
            if (!launcher.isAlive()) {
                throw startFailure(nodeName, "Elasticsearch exited with code " + launcher.exitValue(), console);
            }
            if (!healthy) {
                healthy = isHealthy(url, clusterName);
            }
            if (healthy && server != null) {
                return server;
            }
            if (System.nanoTime() - deadline > 0) {
                throw startFailure(nodeName, healthy
                        ? "Elasticsearch answers on " + url + " but its server pid was not found"
                        : "Elasticsearch did not become healthy on " + url + " within " + timeout.toSeconds()
                                + " s", console);
            }
            try {
                Thread.sleep(healthy ? 100 : 500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw startFailure(nodeName, "interrupted while waiting for Elasticsearch", console);
            }
        }
    }

    private static ProcessHandle findServer(Path nodeDir, Process launcher, Path esPidFile) {
        Long pid = readPid(esPidFile);
        if (pid != null) {
            Optional<ProcessHandle> handle = Posix.alive(pid).filter(h -> isServerOf(h.pid(), nodeDir));
            if (handle.isPresent()) {
                return handle.get();
            }
        }
        return launcher.toHandle().descendants().filter(h -> isServerOf(h.pid(), nodeDir)).findFirst()
                .orElse(null);
    }

    /** Yellow or better, and really our cluster (not something else that grabbed the port). */
    private static boolean isHealthy(URI url, String clusterName) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/_cluster/health?wait_for_status=yellow"
                + "&timeout=2s"))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200
                    && response.body().replace(" ", "").contains("\"cluster_name\":\"" + clusterName + "\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static IllegalStateException startFailure(String nodeName, String reason, Path console) {
        return new IllegalStateException("Elasticsearch node '" + nodeName + "' failed to start: " + reason
                + "\n--- last lines of " + console + " ---\n" + tail(console, 60));
    }

    /** A node alone is a cluster named after it; a member's cluster is named after the cluster. */
    private static String clusterName(String nodeName, ClusterMembership membership) {
        return "fleetrec-" + (membership == null ? nodeName : membership.clusterName());
    }

    static String elasticsearchYml(Path install, String nodeName, int httpPort, int transportPort, Path data,
            Path logs) {
        return elasticsearchYml(install, nodeName, httpPort, transportPort, data, logs, null);
    }

    static String elasticsearchYml(Path install, String nodeName, int httpPort, int transportPort, Path data,
            Path logs, ClusterMembership membership) {
        StringBuilder yml = new StringBuilder()
                .append("# Written by Fleet Recorder (LocalElasticsearch) on every start; edits are overwritten.\n")
                .append("cluster.name: ").append(quote(clusterName(nodeName, membership))).append('\n')
                .append("node.name: ").append(quote(nodeName)).append('\n');
        if (membership == null) {
            yml.append("discovery.type: single-node\n");
        } else {
            yml.append("node.roles: ").append(membership.masterEligible() ? "[ master, data, ingest ]" : "[ data, ingest ]").append('\n');
            if (membership.bootstraps()) {
                yml.append("cluster.initial_master_nodes: [ ").append(quote(nodeName)).append(" ]\n")
                        .append("discovery.seed_hosts: [ ]\n");
            } else {
                yml.append("discovery.seed_hosts: [ ").append(String.join(", ", membership.seedTransportPorts().stream()
                        .map(p -> quote("127.0.0.1:" + p)).toList())).append(" ]\n");
            }
        }
        yml
                .append("network.host: 127.0.0.1\n")
                .append("http.port: ").append(httpPort).append('\n')
                .append("transport.port: ").append(transportPort).append('\n')
                .append("path.data: ").append(quote(data.toString())).append('\n')
                .append("path.logs: ").append(quote(logs.toString())).append('\n')
                .append("xpack.security.enabled: false\n")
                .append("cluster.routing.allocation.disk.threshold_enabled: false\n")
                .append("action.destructive_requires_name: false\n");
        // Settings only exist when the module that declares them is in the distribution; unknown settings are
        // fatal at startup. xpack.ml.enabled is declared by x-pack-core, the geoip downloader by ingest-geoip.
        Path modules = install.resolve("modules");
        if (Files.isDirectory(modules.resolve("x-pack-core")) || Files.isDirectory(modules.resolve("x-pack-ml"))) {
            yml.append("xpack.ml.enabled: false\n");
        }
        if (Files.isDirectory(modules.resolve("ingest-geoip"))) {
            yml.append("ingest.geoip.downloader.enabled: false\n");
        }
        return yml.toString();
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    static String heapOptions() {
        String heap = System.getenv("FLEETREC_ES_HEAP");
        if (heap == null || heap.isBlank()) {
            return DEFAULT_HEAP;
        }
        heap = heap.trim();
        return heap.startsWith("-") ? heap : "-Xms" + heap + " -Xmx" + heap;
    }

    static Duration defaultStartTimeout() {
        String secs = System.getenv("FLEETREC_ES_START_TIMEOUT");
        if (secs != null && !secs.isBlank()) {
            try {
                return Duration.ofSeconds(Long.parseLong(secs.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("FLEETREC_ES_START_TIMEOUT must be a number of seconds: " + secs);
            }
        }
        return DEFAULT_START_TIMEOUT;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    private static boolean isOwnedByNobody(Path path) throws IOException {
        return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName().equals(Posix.NOBODY_USER);
    }

    private static void giveToNobody(Path root, boolean recursive) throws IOException {
        if (!recursive) {
            Posix.chownToNobody(root);
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Posix.chownToNobody(p);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ stop

    private static void stopOrphan(Path realWorkDir, String nodeName, Path controlDir) {
        State state = State.read(controlDir);
        List<ProcessHandle> live = liveProcesses(realWorkDir, nodeName, state);
        if (live.isEmpty()) {
            State.delete(controlDir);
            return;
        }
        Optional<ProcessHandle> owner = state.liveOwner();
        if (owner.isPresent() && owner.get().pid() != ProcessHandle.current().pid()) {
            throw new NodeInUseException(nodeName, live.get(0).pid(), owner.get().pid());
        }
        if (state.serverPid > 0) {
            matchingServerDir(state.serverPid, realWorkDir, nodeName).ifPresent(dir -> note(dir,
                    "stopping orphan of an earlier run: pid " + state.serverPid + " (owner " + state.ownerPid + ")"));
        }
        stopAll(live);
        State.delete(controlDir);
    }

    /** Live server/launcher processes recorded for the node whose cmdline proves they belong to it. */
    private static List<ProcessHandle> liveProcesses(Path realWorkDir, String nodeName, State state) {
        List<ProcessHandle> live = new ArrayList<>();
        if (state.serverPid > 0) {
            matchingServerDir(state.serverPid, realWorkDir, nodeName)
                    .flatMap(dir -> Posix.alive(state.serverPid)).ifPresent(live::add);
        }
        if (state.launcherPid > 0) {
            for (Path dir : Layout.candidateNodeDirs(realWorkDir, nodeName)) {
                if (isLauncherOf(state.launcherPid, dir)) {
                    Posix.alive(state.launcherPid).ifPresent(live::add);
                    break;
                }
            }
        }
        return live;
    }

    private static Optional<Path> matchingServerDir(long pid, Path realWorkDir, String nodeName) {
        return Layout.candidateNodeDirs(realWorkDir, nodeName).stream().filter(dir -> isServerOf(pid, dir))
                .findFirst();
    }

    /** Server JVM: {@code -Djava.io.tmpdir=<nodeDir>/tmp} (from ES_TMPDIR) and an org.elasticsearch main. */
    static boolean isServerOf(long pid, Path nodeDir) {
        List<String> args = Posix.cmdline(pid);
        return args.contains("-Djava.io.tmpdir=" + nodeDir.resolve("tmp"))
                && args.stream().anyMatch(a -> a.contains("org.elasticsearch"));
    }

    /** setpriv / bin/elasticsearch / CLI JVM: all carry {@code -p <nodeDir>/tmp/elasticsearch.pid}. */
    static boolean isLauncherOf(long pid, Path nodeDir) {
        List<String> args = Posix.cmdline(pid);
        return args.contains(nodeDir.resolve("tmp").resolve(ES_PID_FILE).toString())
                && args.stream().anyMatch(a -> a.contains("elasticsearch"));
    }

    /** Stops servers first (graceful SIGTERM), then whatever is left (launchers exit by themselves). */
    private static void stopAll(List<ProcessHandle> handles) {
        Set<ProcessHandle> unique = new LinkedHashSet<>(handles);
        for (ProcessHandle h : unique) {
            if (h.pid() == ProcessHandle.current().pid()) {
                continue;
            }
            if (!Posix.terminate(h, STOP_GRACE)) {
                throw new IllegalStateException("could not stop pid " + h.pid());
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ files

    /** Appends a marked line to the console log, to explain what we did to the process. */
    private static void note(Path nodeDir, String message) {
        try {
            Files.writeString(nodeDir.resolve("logs").resolve("console.log"),
                    "# " + Instant.now() + " fleetrec: " + message + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // only a log line
        }
    }

    private static Long readPid(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).trim();
            return s.isEmpty() ? null : Long.parseLong(s);
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** Last {@code lines} lines of a text file (reads at most the last 1 MiB). */
    static String tail(Path file, int lines) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long len = raf.length();
            long from = Math.max(0, len - 1024 * 1024);
            byte[] buf = new byte[(int) (len - from)];
            raf.seek(from);
            raf.readFully(buf);
            List<String> all = Arrays.asList(new String(buf, StandardCharsets.UTF_8).split("\r?\n"));
            return all.subList(Math.max(0, all.size() - lines), all.size()).stream()
                    .collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    /** Contents of {@code pid} and {@code node.properties} in the control dir. */
    private static final class State {
        long serverPid;
        long launcherPid;
        long ownerPid;
        long ownerStartMillis;
        String url;
        String nodeDir;

        void setOwner(ProcessHandle owner) {
            ownerPid = owner.pid();
            ownerStartMillis = owner.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        }

        Optional<ProcessHandle> liveOwner() {
            if (ownerPid <= 0) {
                return Optional.empty();
            }
            return ProcessHandle.of(ownerPid).filter(ProcessHandle::isAlive).filter(h -> ownerStartMillis == 0
                    || h.info().startInstant().map(Instant::toEpochMilli).orElse(0L) == ownerStartMillis);
        }

        static State read(Path controlDir) {
            State s = new State();
            Long pid = readPid(controlDir.resolve(PID_FILE));
            s.serverPid = pid == null ? 0 : pid;
            Path props = controlDir.resolve(STATE_FILE);
            if (Files.isRegularFile(props)) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(props, StandardCharsets.UTF_8)) {
                    p.load(r);
                    s.launcherPid = Long.parseLong(p.getProperty("launcherPid", "0"));
                    s.ownerPid = Long.parseLong(p.getProperty("ownerPid", "0"));
                    s.ownerStartMillis = Long.parseLong(p.getProperty("ownerStartMillis", "0"));
                    if (s.serverPid == 0) {
                        s.serverPid = Long.parseLong(p.getProperty("serverPid", "0"));
                    }
                    s.url = p.getProperty("url");
                    s.nodeDir = p.getProperty("nodeDir");
                } catch (IOException | NumberFormatException e) {
                    // treat as absent
                }
            }
            return s;
        }

        void write(Path controlDir) throws IOException {
            Properties p = new Properties();
            p.setProperty("serverPid", Long.toString(serverPid));
            p.setProperty("launcherPid", Long.toString(launcherPid));
            p.setProperty("ownerPid", Long.toString(ownerPid));
            p.setProperty("ownerStartMillis", Long.toString(ownerStartMillis));
            if (url != null) {
                p.setProperty("url", url);
            }
            if (nodeDir != null) {
                p.setProperty("nodeDir", nodeDir);
            }
            Path tmpProps = controlDir.resolve(STATE_FILE + ".tmp");
            try (Writer w = Files.newBufferedWriter(tmpProps, StandardCharsets.UTF_8)) {
                p.store(w, "Fleet Recorder local Elasticsearch node");
            }
            Files.move(tmpProps, controlDir.resolve(STATE_FILE), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            if (serverPid > 0) {
                Path tmpPid = controlDir.resolve(PID_FILE + ".tmp");
                Files.writeString(tmpPid, serverPid + "\n", StandardCharsets.UTF_8);
                Files.move(tmpPid, controlDir.resolve(PID_FILE), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            }
        }

        static void delete(Path controlDir) {
            try {
                Files.deleteIfExists(controlDir.resolve(PID_FILE));
                Files.deleteIfExists(controlDir.resolve(STATE_FILE));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove the pid file in " + controlDir, e);
            }
        }
    }
}
