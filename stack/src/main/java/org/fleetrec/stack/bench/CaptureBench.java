package org.fleetrec.stack.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.fleetrec.stack.StackFiles;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./fleetrec bench capture}: the capture cost of the agent against auditd writing raw logs, in one run on
 * one machine. For each rate, the exec driver starts /bin/true that many times a second while one recorder runs:
 * first the agent (FLEETREC_SHIP=off), then auditd (Debian package) with the agent's own rules under the key
 * {@value #BENCH_KEY} and the agent's kernel settings (backlog limit, backlog wait, rate limit). Never both at
 * once: each registers as the audit daemon. Printed per run: the driver's achieved exec/s, the recorder's
 * events/s, the kernel's lost counter over the window, the recorder's CPU (% of one core), its peak RSS, and the
 * agent's queue drops and socket overruns.
 *
 * <p>The machine is left as it was found, whatever happens (finally and a shutdown hook): every process we
 * started is stopped by its pid, only the rules we added are deleted, and the audit status we found is restored.
 */
public final class CaptureBench {
    static final String BENCH_KEY = "fleetrec-bench";
    static final String AGENT_KEY = "fleetrec";
    private static final String USAGE = """
            usage: ./fleetrec bench capture [--rates 100,400,1600] [--seconds 60] [--warmup 5] [--keep-logs]
              For each rate (exec/s of /bin/true), runs the agent, then auditd writing raw logs with the same rules,
              each for --warmup then --seconds measured, and prints events/s, kernel lost, CPU % of one core and peak
              RSS side by side. Needs root, gcc and auditd (apt-get install -y auditd); takes about
              rates x 2 x (seconds + warmup + 25) seconds. Work files: $FLEETREC_WORK/bench/capture/ (.fleetrec/ by default).
            """;
    private static final long SETTLE_MILLIS = 2_000;
    private static final long DRAIN_MILLIS = 2_000;
    private static final long COOL_DOWN_MILLIS = 3_000;
    private static final long AGENT_STATUS_PERIOD_MILLIS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    record Options(List<Integer> rates, int seconds, int warmup, boolean keepLogs) {
    }

    /** One measured run of one recorder at one rate. Null figures do not apply to that recorder. */
    record Result(int rate, String recorder, double windowSeconds, double execPerSecond, Double execEventsPerSecond,
                  double processEventsPerSecond, long kernelLost, long kernelLostOutsideWindow, double cpuPercent,
                  long peakRssKib, Long queueDrops, Long socketOverruns, long peakBacklog, ExecDriver.Done driver,
                  List<String> notes, String disturbed) {
    }

    /** A reading at one edge of the measured window. */
    private record Sample(long nanos, long epochMillis, long cpuTicks, long lost, ExecDriver.Mark mark, JsonNode agentStatus) {
    }

    private final Options options;
    private final Path root;
    private final Path work;
    private final Path statusBackup;
    private final Auditctl auditctl;
    private final String auditctlBin;
    private final String auditdBin;
    private final String gcc;
    private final Optional<String> setpriv;
    private final Path agentJar;
    private final String javaBin = ProcessHandle.current().info().command().orElse("java");

    private Map<String, Long> original;
    private java.nio.channels.FileChannel lock;
    private Path driverBinary;
    private List<String> agentRules;
    private Map<String, Long> agentKernel;

    // What runs now, for cleanup: guarded by this.
    private Process agent;
    private boolean agentStarted;
    private Process auditd;
    private ExecDriver driver;
    private Peaks peaks;
    private volatile boolean interrupted;
    private boolean cleanedUp;
    private boolean owner;

    private CaptureBench(Options options, Path root, Path work, Map<String, String> tools) {
        this.options = options;
        this.root = root;
        this.work = work;
        this.statusBackup = work.getParent().resolve("audit-status-before-bench.json");
        this.auditctlBin = tools.get("auditctl");
        this.auditctl = new Auditctl(auditctlBin);
        this.auditdBin = tools.get("auditd");
        this.gcc = tools.get("gcc");
        this.setpriv = Optional.ofNullable(tools.get("setpriv"));
        this.agentJar = new StackFiles(root, work).jar(org.fleetrec.stack.Part.AGENT);
    }

    public static void main(String[] args) {
        int status;
        try {
            status = run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("fleetrec bench: " + e.getMessage());
            System.err.print(USAGE);
            status = 2;
        }
        System.exit(status);
    }

    private static int run(String[] args) {
        if (args.length == 0 || !args[0].equals("capture")) {
            if (args.length > 0 && List.of("help", "-h", "--help").contains(args[0])) {
                System.out.print(USAGE);
                return 0;
            }
            throw new IllegalArgumentException(args.length == 0 ? "which bench? (capture)" : "unknown bench: " + args[0]);
        }
        Options options = parse(args);
        if (!isRoot()) {
            System.err.println("fleetrec bench: must run as root: it registers audit daemons and loads audit rules");
            return 1;
        }
        Map<String, String> tools = new LinkedHashMap<>();
        for (String tool : List.of("auditctl", "auditd", "gcc", "setpriv")) {
            find(tool).ifPresent(path -> tools.put(tool, path));
        }
        if (!tools.containsKey("auditctl") || !tools.containsKey("auditd")) {
            System.err.println("fleetrec bench: auditd is not installed; Debian: apt-get install -y auditd");
            return 1;
        }
        if (!tools.containsKey("gcc")) {
            System.err.println("fleetrec bench: gcc is needed to build the exec driver; Debian: apt-get install -y gcc");
            return 1;
        }
        Path root = Path.of(System.getProperty("fleetrec.home", ".")).toAbsolutePath().normalize();
        Path work = StackFiles.of(root, System.getenv()).workDir().resolve("bench").resolve("capture");
        CaptureBench bench = new CaptureBench(options, root, work, tools);
        if (!Files.exists(bench.agentJar)) {
            System.err.println("fleetrec bench: " + bench.agentJar + " is missing; ./fleetrec build");
            return 1;
        }
        Thread hook = new Thread(() -> {
            bench.interrupted = true;
            bench.cleanup();
        }, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return bench.execute();
        } catch (Exception e) {
            if (!bench.interrupted) {
                System.err.println("fleetrec bench: failed: " + e.getMessage());
                if (!(e instanceof IOException) && !(e instanceof IllegalStateException)) e.printStackTrace();
            }
            return 1;
        } finally {
            bench.cleanup();
        }
    }

    static Options parse(String[] args) {
        List<Integer> rates = List.of(100, 400, 1600);
        int seconds = 60;
        int warmup = 5;
        boolean keepLogs = false;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            if (arg.startsWith("--") && arg.contains("=")) {
                value = arg.substring(arg.indexOf('=') + 1);
                arg = arg.substring(0, arg.indexOf('='));
            } else if (List.of("--rates", "--seconds", "--warmup").contains(arg)) {
                if (i + 1 >= args.length) throw new IllegalArgumentException(arg + " needs a value");
                value = args[++i];
            }
            try {
                switch (arg) {
                    case "--rates" -> {
                        rates = new ArrayList<>();
                        for (String r : value.split(",")) {
                            int rate = Integer.parseInt(r.trim());
                            if (rate < 1 || rate > 100_000) throw new IllegalArgumentException("rate out of range: " + rate);
                            rates.add(rate);
                        }
                    }
                    case "--seconds" -> seconds = Integer.parseInt(value);
                    case "--warmup" -> warmup = Integer.parseInt(value);
                    case "--keep-logs" -> keepLogs = true;
                    default -> throw new IllegalArgumentException("unknown option: " + args[i]);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number: " + value);
            }
        }
        if (seconds < 5 || seconds > 3_600) throw new IllegalArgumentException("--seconds must be 5..3600");
        if (warmup < 0 || warmup > 600) throw new IllegalArgumentException("--warmup must be 0..600");
        if (rates.isEmpty()) throw new IllegalArgumentException("--rates is empty");
        return new Options(List.copyOf(rates), seconds, warmup, keepLogs);
    }

    private int execute() throws Exception {
        Files.createDirectories(work.getParent());
        java.nio.channels.FileChannel lockFile = java.nio.channels.FileChannel.open(work.getParent().resolve("capture.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        if (lockFile.tryLock() == null) {
            lockFile.close();
            throw new IllegalStateException("another ./fleetrec bench capture runs from this folder");
        }
        lock = lockFile; // held until the JVM exits
        if (auditctl.status().get("enabled") == 2) {
            throw new IllegalStateException("kernel audit is locked (enabled 2): rules cannot change until reboot");
        }
        requireNoAuditDaemon();
        synchronized (this) {
            owner = true; // from here on, the cleanup has something to undo
        }
        recoverFromCrashedRun();
        original = auditctl.status();
        Files.writeString(statusBackup, JSON.writeValueAsString(original));
        deleteTree(work);
        Files.createDirectories(work);
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx------"));
        requireSpace();
        driverBinary = ExecDriver.compile(gcc, work);

        Instant began = Instant.now();
        String header = header(began);
        System.out.println(header);
        System.out.println("audit status before: " + brief(original));
        int others = auditctl.rules().size();
        if (others > 0) {
            System.out.println("note: " + others + " audit rules of others are loaded; their events load both recorders alike");
        }
        List<Result> results = new ArrayList<>();
        for (int rate : options.rates()) {
            for (String recorder : List.of("agent", "auditd")) {
                say("%d exec/s, %s: starting", rate, recorder);
                Result r = recorder.equals("agent") ? runAgent(rate) : runAuditd(rate);
                results.add(r);
                say("%d exec/s, %s: %.1f exec/s driven, %.1f process events/s, kernel lost %d, CPU %.1f %%, peak RSS %.1f MiB",
                        rate, recorder, r.execPerSecond(), r.processEventsPerSecond(), r.kernelLost(), r.cpuPercent(),
                        r.peakRssKib() / 1024.0);
                Thread.sleep(COOL_DOWN_MILLIS);
            }
        }
        String table = table(results);
        String report = header + "\n" + table + notes(results) + verdict(results);
        System.out.println();
        System.out.print(report);
        Files.writeString(work.resolve("results.txt"), report);
        System.out.println("(also in " + work.resolve("results.txt") + "; rules auditd ran with: "
                + work.resolve("auditd-rules.txt") + ")");
        return 0;
    }

    // ---------------------------------------------------------------- the agent

    private Result runAgent(int rate) throws Exception {
        requireNoAuditDaemon();
        Path state = work.resolve("agent-" + rate);
        Files.createDirectories(state);
        Path log = work.resolve("agent-" + rate + ".log");
        List<String> command = new ArrayList<>(withPdeathsig());
        // The agent exactly as ./fleetrec up starts it.
        command.addAll(List.of(javaBin, "-Dfleetrec.part=bench-agent@" + work));
        command.addAll(org.fleetrec.stack.Part.AGENT.jvmOptions());
        command.addAll(List.of("-jar", agentJar.toString(), "run"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(new File("/dev/null")).directory(work.toFile());
        builder.environment().remove("FLEETREC_INGEST_URL");
        builder.environment().remove("FLEETREC_ENROLLMENT_SECRET");
        builder.environment().put("FLEETREC_SHIP", "off");
        builder.environment().put("FLEETREC_AGENT_STATE", state.toString());
        Process p;
        synchronized (this) {
            if (interrupted) throw new IOException("interrupted");
            p = builder.start();
            agent = p;
            agentStarted = true;
        }
        long pid = p.pid();
        String ready = awaitLine(p, log, "FLEETREC_READY agent", 120);
        if (!ready.contains("mode=netlink-unicast")) {
            throw new IOException("the agent did not become the audit daemon (" + ready.trim() + "); another one runs?");
        }
        Path statusFile = state.resolve("status.json");
        JsonNode status = awaitStatus(p, statusFile, null, 30);
        if (agentRules == null) {
            agentRules = auditctl.rulesWithKey(AGENT_KEY);
            agentKernel = auditctl.status();
            if (agentRules.isEmpty()) throw new IOException("the agent runs but no rule carries the key " + AGENT_KEY);
        }
        Thread.sleep(SETTLE_MILLIS);

        List<String> rulesBefore = auditctl.rules();
        long lostBefore = auditctl.status().get("lost");
        startDriver(rate, "agent", pid);
        Thread.sleep(options.warmup() * 1000L);
        // The agent counts events in the status file it writes every 10 s: the window runs from one write to another,
        // the first one after the warm-up.
        status = awaitStatus(p, statusFile, time(JSON.readTree(statusFile.toFile())), AGENT_STATUS_PERIOD_MILLIS / 1000 + 15);
        Sample start = sample(pid, status);
        peaks.open();
        JsonNode end = start.agentStatus();
        while (millisBetween(start.agentStatus(), end) < options.seconds() * 1000L - 500) {
            end = awaitStatus(p, statusFile, time(end), AGENT_STATUS_PERIOD_MILLIS / 1000 + 15);
        }
        Sample stop = sample(pid, end);
        peaks.close();
        String disturbed = disturbance(pid, rulesBefore);
        ExecDriver.Done done = stopDriver();
        Thread.sleep(DRAIN_MILLIS);
        long lostAfter = auditctl.status().get("lost");

        List<String> notes = new ArrayList<>();
        stopAgent(notes);

        JsonNode h0 = start.agentStatus().path("health");
        JsonNode h1 = stop.agentStatus().path("health");
        double statusSeconds = millisBetween(start.agentStatus(), stop.agentStatus()) / 1000.0;
        double seconds = (stop.nanos() - start.nanos()) / 1e9;
        long lost = stop.lost() - start.lost();
        long processEvents = h1.path("events").path("process").asLong() - h0.path("events").path("process").asLong();
        long malformed = h1.path("malformed_records").asLong() - h0.path("malformed_records").asLong();
        long gaps = h1.path("sequence_gaps").asLong() - h0.path("sequence_gaps").asLong();
        if (malformed > 0) notes.add(malformed + " malformed records");
        if (gaps > 0) notes.add(gaps + " sequence gaps");
        notes.add("agent status at the window's end: kernel_lost " + h1.path("kernel_lost").asLong() + ", backlog "
                + h1.path("backlog").asLong() + ", queue_drops " + h1.path("queue_drops").asLong() + ", socket_overruns "
                + h1.path("socket_overruns").asLong());
        return new Result(rate, "agent", seconds, execRate(start, stop), null, processEvents / statusSeconds, lost,
                lostAfter - lostBefore - lost, cpuPercent(start, stop), peaks.rssKib, delta(h0, h1, "queue_drops"),
                delta(h0, h1, "socket_overruns"), peaks.backlog, done, notes, disturbed);
    }

    private void stopAgent(List<String> notes) throws IOException, InterruptedException {
        Process p;
        synchronized (this) {
            p = agent;
        }
        if (p == null) return;
        p.destroy(); // SIGTERM: the agent removes its rules and restores the kernel settings itself
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            notes.add("the agent did not stop within 60 s of SIGTERM; killed");
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        synchronized (this) {
            agent = null;
        }
        if (!auditctl.rulesWithKey(AGENT_KEY).isEmpty()) {
            notes.add("the agent left rules with key " + AGENT_KEY + " behind; removed with `agent cleanup`");
            agentCleanup();
        }
        List<String> changed = auditctl.restore(original);
        if (!changed.isEmpty()) notes.add("the agent left audit settings changed; the bench restored " + changed);
    }

    // ---------------------------------------------------------------- auditd

    private Result runAuditd(int rate) throws Exception {
        requireNoAuditDaemon();
        Path dir = work.resolve("auditd-" + rate);
        Files.createDirectories(dir.resolve("plugins.d"));
        Path auditLog = dir.resolve("audit.log");
        Path conf = dir.resolve("auditd.conf");
        Files.writeString(conf, auditdConf(auditLog, dir.resolve("plugins.d")));
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
        Path out = dir.resolve("auditd.out");
        List<String> command = new ArrayList<>(withPdeathsig());
        // -n: no fork, so the pid is ours. Not -f: in the foreground auditd writes events to stderr, not to log_file.
        command.addAll(List.of(auditdBin, "-n", "-c", dir.toString()));
        Process p;
        synchronized (this) {
            if (interrupted) throw new IOException("interrupted");
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(new File("/dev/null")).directory(dir.toFile()).start();
            auditd = p;
        }
        long pid = p.pid();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (auditctl.status().get("pid") != pid) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("auditd did not register as the audit daemon; see " + out + ":\n" + tail(out));
            }
            Thread.sleep(100);
        }
        // The agent's kernel settings, so only the user-space recorder differs.
        for (String field : List.of("backlog_limit", "backlog_wait_time", "rate_limit")) {
            if (!agentKernel.get(field).equals(auditctl.status().get(field))) {
                synchronized (this) { // never after the cleanup has restored the status
                    if (interrupted) throw new IOException("interrupted");
                    auditctl.set(field, agentKernel.get(field));
                }
            }
        }
        List<String> rules = equivalentRules(agentRules, pid);
        Files.write(work.resolve("auditd-rules.txt"), rules);
        for (String rule : rules) {
            synchronized (this) { // never after the cleanup has deleted the rules
                if (interrupted) throw new IOException("interrupted");
                auditctl.add(rule);
            }
        }
        Thread.sleep(SETTLE_MILLIS);

        List<String> rulesBefore = auditctl.rules();
        long lostBefore = auditctl.status().get("lost");
        startDriver(rate, "auditd", pid);
        Thread.sleep(options.warmup() * 1000L);
        Sample start = sample(pid, null);
        peaks.open();
        long endNanos = start.nanos() + options.seconds() * 1_000_000_000L;
        while (System.nanoTime() < endNanos) {
            if (!p.isAlive()) throw new IOException("auditd exited during the run; see " + out + ":\n" + tail(out));
            Thread.sleep(Math.max(1, Math.min(200, (endNanos - System.nanoTime()) / 1_000_000)));
        }
        Sample stop = sample(pid, null);
        peaks.close();
        String disturbed = disturbance(pid, rulesBefore);
        ExecDriver.Done done = stopDriver();
        Thread.sleep(DRAIN_MILLIS);
        long lostAfter = auditctl.status().get("lost");

        List<String> notes = new ArrayList<>();
        stopAuditd(notes);
        long logBytes = Files.exists(auditLog) ? Files.size(auditLog) : 0;
        AuditLogCount count = AuditLogCount.of(auditLog, start.epochMillis(), stop.epochMillis());
        double logSeconds = (stop.epochMillis() - start.epochMillis()) / 1000.0;
        double seconds = (stop.nanos() - start.nanos()) / 1e9;
        notes.add(String.format(Locale.ROOT, "auditd wrote %.1f MiB of raw log in this run (%d records in the window)",
                logBytes / 1048576.0, count.records()));
        if (!options.keepLogs()) Files.deleteIfExists(auditLog);
        long lost = stop.lost() - start.lost();
        return new Result(rate, "auditd", seconds, execRate(start, stop), count.execs() / logSeconds,
                (count.execs() + count.exits()) / logSeconds, lost, lostAfter - lostBefore - lost,
                cpuPercent(start, stop), peaks.rssKib, null, null, peaks.backlog, done, notes, disturbed);
    }

    /** Deletes the bench's rules (while auditd still reads), stops auditd, puts the audit status back. */
    private void stopAuditd(List<String> notes) throws IOException, InterruptedException {
        auditctl.deleteWithKey(BENCH_KEY);
        Process p;
        synchronized (this) {
            p = auditd;
        }
        if (p != null) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                notes.add("auditd did not stop within 20 s of SIGTERM; killed");
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            synchronized (this) {
                auditd = null;
            }
        }
        auditctl.restore(original);
    }

    static String auditdConf(Path log, Path plugins) {
        return """
                # written by ./fleetrec bench capture: raw logs to disk, nothing else
                local_events = yes
                write_logs = yes
                log_file = %s
                log_group = root
                log_format = RAW
                flush = INCREMENTAL_ASYNC
                freq = 50
                max_log_file = 0
                max_log_file_action = IGNORE
                num_logs = 0
                space_left = 2
                space_left_action = IGNORE
                admin_space_left = 1
                admin_space_left_action = IGNORE
                disk_full_action = IGNORE
                disk_error_action = IGNORE
                priority_boost = 0
                name_format = NONE
                plugin_dir = %s
                distribute_network = no
                q_depth = 2000
                overflow_action = IGNORE
                max_restarts = 0
                end_of_event_timeout = 2
                """.formatted(log, plugins);
    }

    /**
     * The agent's rules as auditctl lists them, under the bench key; the agent's "never audit myself" rule
     * becomes "never audit auditd", prepended like the agent's.
     */
    static List<String> equivalentRules(List<String> agentRules, long auditdPid) {
        List<String> rules = new ArrayList<>();
        for (String rule : agentRules) {
            List<String> words = new ArrayList<>(List.of(rule.trim().split("\\s+")));
            for (int i = 0; i < words.size(); i++) {
                if (words.get(i).equals("key=" + AGENT_KEY)) words.set(i, "key=" + BENCH_KEY);
                if (words.get(i).equals("-k") && i + 1 < words.size() && words.get(i + 1).equals(AGENT_KEY)) {
                    words.set(i + 1, BENCH_KEY);
                }
            }
            if (words.get(0).equals("-a") && words.size() > 1 && words.get(1).startsWith("never,")) {
                for (int i = 0; i < words.size(); i++) {
                    if (words.get(i).startsWith("pid=")) words.set(i, "pid=" + auditdPid);
                }
                words.set(0, "-A");
            }
            rules.add(String.join(" ", words));
        }
        return rules;
    }

    // ---------------------------------------------------------------- shared

    private void startDriver(int rate, String recorder, long recorderPid) throws IOException {
        long maxSeconds = options.warmup() + options.seconds() + 2 * AGENT_STATUS_PERIOD_MILLIS / 1000 + 60;
        synchronized (this) {
            if (interrupted) throw new IOException("interrupted");
            driver = ExecDriver.start(driverBinary, rate, maxSeconds, work.resolve("exec-driver-" + rate + "-" + recorder + ".err"));
            peaks = new Peaks(recorderPid);
        }
        peaks.start();
    }

    private ExecDriver.Done stopDriver() throws IOException {
        ExecDriver d;
        synchronized (this) {
            d = driver;
        }
        ExecDriver.Done done = d.stop();
        d.close();
        synchronized (this) {
            driver = null;
        }
        return done;
    }

    private Sample sample(long pid, JsonNode agentStatus) throws IOException {
        ExecDriver.Mark mark = driver.mark();
        long nanos = System.nanoTime();
        long epoch = System.currentTimeMillis();
        long ticks = ProcStats.cpuTicks(pid);
        long lost = auditctl.status().get("lost");
        return new Sample(nanos, epoch, ticks, lost, mark, agentStatus);
    }

    private static double cpuPercent(Sample a, Sample b) {
        double cpuSeconds = (b.cpuTicks() - a.cpuTicks()) / ProcStats.TICKS_PER_SECOND;
        return 100.0 * cpuSeconds / ((b.nanos() - a.nanos()) / 1e9);
    }

    private static double execRate(Sample a, Sample b) {
        return (b.mark().started() - a.mark().started()) / ((b.mark().monoNanos() - a.mark().monoNanos()) / 1e9);
    }

    private static Long delta(JsonNode h0, JsonNode h1, String field) {
        return h1.path(field).asLong() - h0.path(field).asLong();
    }

    /** Peak RSS of the recorder and peak kernel backlog, sampled every second while the window is open. */
    private final class Peaks extends Thread {
        private final long pid;
        volatile long rssKib;
        volatile long backlog;
        private volatile boolean open;
        private volatile boolean done;

        Peaks(long pid) {
            super("bench-peaks");
            setDaemon(true);
            this.pid = pid;
        }

        void open() {
            open = true;
            interrupt();
        }

        void close() throws InterruptedException {
            open = false;
            done = true;
            interrupt();
            join(5_000);
        }

        @Override
        public void run() {
            while (!done) {
                if (open) {
                    rssKib = Math.max(rssKib, ProcStats.rssKib(pid));
                    try {
                        backlog = Math.max(backlog, auditctl.status().getOrDefault("backlog", 0L));
                    } catch (IOException e) {
                        // the next second's reading will do
                    }
                }
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    // opened or closed: look again
                }
            }
        }
    }

    private String awaitLine(Process p, Path log, String prefix, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    if (line.startsWith(prefix)) return line;
                }
            }
            if (!p.isAlive()) throw new IOException("exited (" + p.exitValue() + ") before it was ready; " + log + ":\n" + tail(log));
            Thread.sleep(200);
        }
        throw new IOException("not ready within " + seconds + " s; " + log + ":\n" + tail(log));
    }

    /** The agent's status once it was written after {@code after} (or at all, when null). */
    private static JsonNode awaitStatus(Process agent, Path file, Instant after, long seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        FileTime seen = null;
        while (System.nanoTime() < deadline) {
            if (!agent.isAlive()) throw new IOException("the agent exited (" + agent.exitValue() + ") during the run");
            if (Files.exists(file)) {
                FileTime modified = Files.getLastModifiedTime(file);
                if (!modified.equals(seen)) {
                    seen = modified;
                    try {
                        JsonNode status = JSON.readTree(file.toFile());
                        if (after == null || time(status).isAfter(after)) return status;
                    } catch (IOException e) {
                        seen = null; // replaced while read: read again
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new IOException("the agent did not write " + file + " within " + seconds + " s");
    }

    private static Instant time(JsonNode status) {
        return Instant.parse(status.path("time").asText());
    }

    private static long millisBetween(JsonNode a, JsonNode b) {
        return time(b).toEpochMilli() - time(a).toEpochMilli();
    }

    /**
     * Why the window is not a clean measurement, or null: another process became the audit daemon, or someone
     * changed the kernel's rules meanwhile (e.g. a test run of the agent deleting rules with key "fleetrec").
     */
    private String disturbance(long recorderPid, List<String> rulesBefore) throws IOException {
        List<String> reasons = new ArrayList<>();
        long daemon = auditctl.status().get("pid");
        if (daemon != recorderPid) reasons.add("the audit daemon is now pid " + daemon);
        List<String> rulesAfter = auditctl.rules();
        List<String> gone = rulesBefore.stream().filter(r -> !rulesAfter.contains(r)).toList();
        List<String> added = rulesAfter.stream().filter(r -> !rulesBefore.contains(r)).toList();
        if (!gone.isEmpty()) reasons.add(gone.size() + " audit rules were deleted by someone else, e.g. " + gone.get(0));
        if (!added.isEmpty()) reasons.add(added.size() + " audit rules were added by someone else, e.g. " + added.get(0));
        return reasons.isEmpty() ? null : String.join("; ", reasons);
    }

    private void requireNoAuditDaemon() throws IOException {
        long pid = auditctl.status().get("pid");
        if (pid != 0 && Files.exists(Path.of("/proc", Long.toString(pid)))) {
            String cmd = org.fleetrec.stack.Pids.commandLine(pid).orElse("?");
            throw new IllegalStateException("an audit daemon already runs (pid " + pid + ": " + cmd.trim()
                    + "); the bench must be the only one. Stop it first (./fleetrec stop agent, or the other test run)");
        }
    }

    private void requireSpace() throws IOException {
        int top = options.rates().stream().max(Integer::compare).orElse(0);
        // Roughly 2.5 KiB of raw log per exec (exec and exit records) for auditd's longest run.
        long need = (long) top * (options.seconds() + options.warmup() + 30) * 2_560L + (256L << 20);
        long free = Files.getFileStore(work).getUsableSpace();
        if (free < need) {
            throw new IllegalStateException("not enough disk space in " + work + ": " + (free >> 20) + " MiB free, "
                    + (need >> 20) + " MiB needed for auditd's log");
        }
    }

    /** A bench killed before its cleanup (SIGKILL, power) leaves its rules and the status it found: put them back. */
    private void recoverFromCrashedRun() throws IOException {
        int leftover = auditctl.rulesWithKey(BENCH_KEY).size();
        if (leftover > 0) {
            auditctl.deleteWithKey(BENCH_KEY);
            say("removed %d audit rules a previous bench run left behind", leftover);
        }
        if (Files.exists(statusBackup)) {
            @SuppressWarnings("unchecked")
            Map<String, Number> saved = JSON.readValue(statusBackup.toFile(), Map.class);
            Map<String, Long> before = new LinkedHashMap<>();
            saved.forEach((k, v) -> before.put(k, v.longValue()));
            long pid = auditctl.status().get("pid");
            if (pid == 0 || !Files.exists(Path.of("/proc", Long.toString(pid)))) {
                List<String> changed = auditctl.restore(before);
                if (!changed.isEmpty()) say("restored the audit status a previous bench run found: %s", changed);
            }
            Files.delete(statusBackup);
        }
    }

    /**
     * Stops whatever still runs (driver, auditd, agent), deletes the bench's rules (and the agent's, when it could
     * not), restores the audit status found at the start. Idempotent; from the main thread's finally or the hook.
     */
    private synchronized void cleanup() {
        if (cleanedUp || !owner) return;
        cleanedUp = true;
        List<String> problems = new ArrayList<>();
        if (peaks != null) {
            try {
                peaks.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (driver != null) {
            driver.close();
            driver = null;
        }
        try {
            if (!auditctl.rulesWithKey(BENCH_KEY).isEmpty()) auditctl.deleteWithKey(BENCH_KEY);
        } catch (IOException e) {
            problems.add("could not delete the rules with key " + BENCH_KEY + ": " + e.getMessage());
        }
        for (Process p : new Process[]{auditd, agent}) {
            if (p == null || !p.isAlive()) continue;
            try {
                p.destroy();
                if (!p.waitFor(p == agent ? 60 : 20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        auditd = null;
        agent = null;
        try {
            if (agentStarted && !auditctl.rulesWithKey(AGENT_KEY).isEmpty()) {
                agentCleanup(); // our agent was killed before it could remove its rules; refuses if another agent records
            }
        } catch (IOException | InterruptedException e) {
            problems.add("could not remove the agent's rules: " + e.getMessage());
        }
        try {
            if (original != null) {
                List<String> changed = auditctl.restore(original);
                if (interrupted && !changed.isEmpty()) say("restored audit settings: %s", changed);
                Files.deleteIfExists(statusBackup);
            }
        } catch (IOException e) {
            problems.add("could not restore the audit status " + brief(original) + ": " + e.getMessage()
                    + " (the next bench run retries from " + statusBackup + ")");
        }
        if (!options.keepLogs() && work != null && Files.isDirectory(work)) {
            try (var dirs = Files.newDirectoryStream(work, "auditd-*")) {
                for (Path dir : dirs) {
                    if (Files.isDirectory(dir)) Files.deleteIfExists(dir.resolve("audit.log"));
                }
            } catch (IOException e) {
                problems.add("could not delete auditd's logs under " + work);
            }
        }
        for (String problem : problems) System.err.println("fleetrec bench: " + problem);
        if (interrupted) say("stopped; nothing of the bench runs any more");
    }

    private void agentCleanup() throws IOException, InterruptedException {
        Process cleanup = new ProcessBuilder(javaBin, "-jar", agentJar.toString(), "cleanup").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("agent-cleanup.log").toFile())).start();
        if (!cleanup.waitFor(60, TimeUnit.SECONDS)) cleanup.destroyForcibly();
    }

    private List<String> withPdeathsig() {
        // If the bench dies without its cleanup (SIGKILL), its recorders get SIGTERM and stop by themselves.
        return setpriv.map(s -> List.of(s, "--pdeathsig", "TERM")).orElse(List.of());
    }

    // ---------------------------------------------------------------- report

    private String header(Instant began) throws IOException {
        String kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        String auditdVersion = "?";
        try {
            Process v = new ProcessBuilder(auditctlBin, "-v").redirectErrorStream(true).start();
            auditdVersion = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim()
                    .replaceAll(".*version\\s+", "");
            v.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            // unknown version
        }
        return String.format(Locale.ROOT,
                "Capture benchmark, %s UTC: %d CPUs, kernel %s, auditd %s, Java %s%n"
                        + "  load: /bin/true fork+execve at each target rate; %d s warm-up, then %d s measured per recorder%n",
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC).format(began),
                Runtime.getRuntime().availableProcessors(), kernel, auditdVersion, Runtime.version().feature(),
                options.warmup(), options.seconds());
    }

    static String table(List<Result> results) {
        StringBuilder out = new StringBuilder();
        String format = "%6s  %-7s %9s %10s %12s %7s %7s %9s %8s %9s %8s%n";
        out.append(String.format(Locale.ROOT, format, "target", "", "driven", "exec", "process", "kernel", "CPU %",
                "peak RSS", "queue", "socket", "peak"));
        out.append(String.format(Locale.ROOT, format, "exec/s", "recorder", "exec/s", "events/s", "events/s", "lost",
                "1 core", "MiB", "drops", "overruns", "backlog"));
        for (Result r : results) {
            out.append(String.format(Locale.ROOT, format, r.rate(), r.recorder() + (r.disturbed() == null ? "" : "*"),
                    fixed(r.execPerSecond()),
                    r.execEventsPerSecond() == null ? "-" : fixed(r.execEventsPerSecond()),
                    fixed(r.processEventsPerSecond()), r.kernelLost(), fixed(r.cpuPercent()),
                    fixed(r.peakRssKib() / 1024.0), r.queueDrops() == null ? "-" : r.queueDrops(),
                    r.socketOverruns() == null ? "-" : r.socketOverruns(), r.peakBacklog()));
        }
        return out.toString();
    }

    private static String notes(List<Result> results) {
        StringBuilder out = new StringBuilder();
        out.append("""
                  driven exec/s: /bin/true started by the driver in the window. exec events/s: distinct EXECVE serials in
                  auditd's log (the agent's status counts documents per dataset only). process events/s: agent = documents
                  of the process dataset, auditd = EXECVE + exit_group serials; both about 2 x exec/s. kernel lost: change of
                  the kernel's lost counter over the window. CPU: utime+stime of the recorder over the window, % of one core.
                """);
        for (Result r : results) {
            List<String> lines = new ArrayList<>();
            if (r.kernelLostOutsideWindow() != 0) {
                lines.add("kernel lost " + r.kernelLostOutsideWindow() + " outside the window (warm-up or drain)");
            }
            ExecDriver.Done d = r.driver();
            if (d.forkFailed() > 0 || d.execFailed() > 0) {
                lines.add("driver: " + d.forkFailed() + " forks and " + d.execFailed() + " execs failed");
            }
            lines.add(String.format(Locale.ROOT, "window %.1f s; driver at most %.1f ms late, %d children at once",
                    r.windowSeconds(), d.maxLateNanos() / 1e6, d.maxOutstanding()));
            lines.addAll(r.notes());
            if (r.disturbed() != null) lines.add(0, "* NOT A CLEAN MEASUREMENT: " + r.disturbed());
            out.append(String.format(Locale.ROOT, "  %d %s: %s%n", r.rate(), r.recorder(), String.join("; ", lines)));
        }
        return out.toString();
    }

    /** Agent against auditd at each rate, and the issue's goal: at 1,600 exec/s for 60 s, lost 0 and CPU below auditd. */
    private String verdict(List<Result> results) {
        StringBuilder out = new StringBuilder();
        for (Result a : results) {
            if (!a.recorder().equals("agent")) continue;
            results.stream().filter(r -> r.recorder().equals("auditd") && r.rate() == a.rate()).findFirst().ifPresent(d -> {
                boolean met = a.kernelLost() == 0 && a.cpuPercent() < d.cpuPercent();
                boolean clean = a.disturbed() == null && d.disturbed() == null;
                out.append(String.format(Locale.ROOT,
                        "  %d exec/s: agent lost %d, CPU %.1f %% = %.1fx auditd's %.1f %% (auditd lost %d)%s%n",
                        a.rate(), a.kernelLost(), a.cpuPercent(), a.cpuPercent() / Math.max(0.01, d.cpuPercent()),
                        d.cpuPercent(), d.kernelLost(),
                        !clean ? " (disturbed: run again)" : a.rate() == 1600 && options.seconds() >= 60
                                ? " -> goal (lost 0, CPU below auditd) " + (met ? "met" : "NOT met") : ""));
            });
        }
        return out.toString();
    }

    private static String fixed(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String brief(Map<String, Long> status) {
        if (status == null) return "?";
        StringBuilder s = new StringBuilder();
        for (String field : List.of("enabled", "failure", "pid", "backlog_limit", "backlog_wait_time", "rate_limit", "lost")) {
            if (status.containsKey(field)) s.append(s.length() == 0 ? "" : ", ").append(field).append(' ').append(status.get(field));
        }
        return s.toString();
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }

    private static void say(String format, Object... args) {
        System.out.println("fleetrec bench: " + String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0"); // effective uid
            }
        } catch (IOException e) {
            // not Linux
        }
        return false;
    }

    private static Optional<String> find(String tool) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) return Optional.of(candidate.toString());
        }
        return Optional.empty();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
