package org.fleetrec.ingest;

import org.fleetrec.model.ServerTrust;
import org.fleetrec.stack.Part;
import org.fleetrec.stack.StackFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The ingest server's package, made by deploy/package.sh with a jlink runtime: what it holds, and that its
 * launcher runs the server on the bundled Java alone (TLS with a development certificate made by the
 * bundled keytool, no Elasticsearch needed to serve /healthz).
 */
class PackageIT {
    private static final String NAME = "fleetrec-ingest-" + StackFiles.VERSION;
    @TempDir
    static Path work;
    private static Path home;
    private static String listing;

    @BeforeAll
    static void makeAndUnpack() throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "the package is for Linux hosts");
        Path root = Path.of(System.getProperty("fleetrec.root", "..")).toAbsolutePath().normalize();
        Path dist = work.resolve("dist");
        Result made = run(root, 600, "bash", root.resolve("deploy/package.sh").toString(), "--jlink", "--out", dist.toString(), "ingest");
        assertEquals(0, made.status(), made.output());
        Path tarball = dist.resolve(NAME + ".tar.gz");
        assertTrue(made.output().strip().endsWith(tarball.toString()), made.output());
        listing = run(work, 60, "tar", "-tzvf", tarball.toString()).output();
        Path unpacked = Files.createDirectories(work.resolve("opt"));
        assertEquals(0, run(work, 60, "tar", "-xzf", tarball.toString(), "-C", unpacked.toString()).status());
        home = unpacked.resolve(NAME);
    }

    @Test
    void itHoldsTheJarALauncherTheUnitTheSettingsSampleAndInstallNotes() throws Exception {
        for (String file : List.of("bin/fleetrec-ingest", "lib/fleetrec-ingest.jar", "systemd/fleetrec-ingest.service",
                "etc/ingest.env", "INSTALL", "runtime/bin/java", "runtime/bin/keytool")) {
            assertTrue(listing.contains(" " + NAME + "/" + file + "\n"), file + " missing from:\n" + listing);
        }
        assertTrue(listing.lines().allMatch(l -> l.contains(" 0/0 ")), "owned by root when unpacked:\n" + listing);
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("bin/fleetrec-ingest"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("etc/ingest.env"))),
                "the settings sample is for a file holding passwords");
        assertTrue(Files.readString(home.resolve("INSTALL")).contains("tar -xzf " + NAME + ".tar.gz -C /opt/fleetrec"));
        // The unit starts the launcher where INSTALL puts this folder (/opt/fleetrec/ingest).
        String exec = Files.readString(home.resolve("systemd/fleetrec-ingest.service")).lines()
                .filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow().substring("ExecStart=".length());
        String prefix = "/opt/fleetrec/ingest/";
        assertTrue(exec.startsWith(prefix), exec);
        assertTrue(Files.isExecutable(home.resolve(exec.substring(prefix.length()).split(" ")[0])), exec);
        String launcher = Files.readString(home.resolve("bin/fleetrec-ingest"));
        assertTrue(launcher.contains(String.join(" ", Part.INGEST.jvmOptions()) + " ${FLEETREC_JAVA_OPTS:-} -jar"), launcher);
        // The runtime holds what TLS and the HTTP client need, which no class names outright.
        String modules = run(home, 60, home.resolve("runtime/bin/java").toString(), "--list-modules").output();
        for (String module : List.of("java.base", "jdk.crypto.ec", "java.net.http", "java.sql", "jdk.unsupported")) {
            assertTrue(modules.contains(module + "@"), module + " not in the runtime:\n" + modules);
        }
    }

    @Test
    void theLauncherShowsTheServersCommands() throws Exception {
        Result help = run(home, 60, home.resolve("bin/fleetrec-ingest").toString(), "help");
        assertEquals(0, help.status(), help.output());
        assertTrue(help.output().contains("usage: ingest-server [serve]"), help.output());
        assertTrue(help.output().contains("templates install"), help.output());
    }

    private static Process server;

    @Test
    void theLauncherRunsTheServerOnTheBundledJava() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Path tls = work.resolve("tls");
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/fleetrec-ingest").toString(), "serve").redirectErrorStream(true);
        builder.environment().remove("JAVA_HOME");
        builder.environment().putAll(Map.of("FLEETREC_ES_URL", "http://127.0.0.1:" + closed, "FLEETREC_INGEST_BIND", "127.0.0.1",
                "FLEETREC_INGEST_PORT", Integer.toString(port), "FLEETREC_INGEST_TLS_DIR", tls.toString()));
        server = builder.start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) lines.add(line);
            } catch (IOException e) {
                // the server is gone
            }
        }, "package-it-output");
        reader.setDaemon(true);
        reader.start();
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (seen.stream().noneMatch(l -> l.startsWith("FLEETREC_READY ingest"))) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null) seen.add(line);
            assertTrue(server.isAlive() || !lines.isEmpty(), "the server exited:\n" + String.join("\n", seen));
            assertTrue(System.nanoTime() < deadline, "never ready:\n" + String.join("\n", seen));
        }
        // The launcher execs the bundled Java, so the process is that java.
        String command = server.info().command().orElseThrow();
        assertEquals(home.resolve("runtime/bin/java").toRealPath(), Path.of(command).toRealPath(), command);
        HttpClient http = new ServerTrust(tls.resolve(ServerTrust.DEVELOPMENT_CERTIFICATE), null).configure(HttpClient.newBuilder())
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/healthz"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroy();
            if (!server.waitFor(60, TimeUnit.SECONDS)) server.destroyForcibly();
        }
    }

    private record Result(int status, String output) {
    }

    private static Result run(Path dir, int seconds, String... command) throws Exception {
        Path log = Files.createTempFile(work, "run", ".log");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within " + seconds + " s");
        }
        return new Result(process.exitValue(), Files.readString(log));
    }
}
