package org.fleetrec.stack.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The exec load: {@code exec-driver.c} (a resource of this package) compiled with the machine's gcc into
 * the bench folder, started once per measurement, asked for its counters at the window's edges.
 */
final class ExecDriver implements AutoCloseable {
    /** What the driver had done at one moment. */
    record Mark(long started, long forkFailed, long execFailed, long monoNanos, long maxLateNanos) {
    }

    /** Its final report. */
    record Done(long started, long forkFailed, long execFailed, long elapsedNanos, long maxLateNanos, long maxOutstanding) {
    }

    private final Process process;
    private final BufferedReader out;
    private final OutputStream in;
    private Done done;

    private ExecDriver(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = process.getOutputStream();
    }

    /** Writes the source into {@code dir} and compiles it; returns the binary. */
    static Path compile(String gcc, Path dir) throws IOException, InterruptedException {
        Path source = dir.resolve("exec-driver.c");
        try (InputStream resource = ExecDriver.class.getResourceAsStream("exec-driver.c")) {
            if (resource == null) throw new IOException("exec-driver.c is missing from the stack jar; ./fleetrec build");
            Files.write(source, resource.readAllBytes());
        }
        Path binary = dir.resolve("exec-driver");
        Process gccRun = new ProcessBuilder(gcc, "-O2", "-Wall", "-o", binary.toString(), source.toString())
                .redirectErrorStream(true).start();
        gccRun.getOutputStream().close();
        String output = new String(gccRun.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!gccRun.waitFor(120, TimeUnit.SECONDS) || gccRun.exitValue() != 0) {
            gccRun.destroyForcibly();
            throw new IOException("could not compile " + source + ":\n" + output);
        }
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwx------"));
        return binary;
    }

    /** Starts {@code rate} execs a second; it stops by itself after {@code maxSeconds}. Call from the main thread. */
    static ExecDriver start(Path binary, int rate, long maxSeconds, Path stderr) throws IOException {
        List<String> command = new ArrayList<>(List.of(binary.toString(), Integer.toString(rate), Long.toString(maxSeconds)));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
                .directory(binary.getParent().toFile()).start();
        ExecDriver driver = new ExecDriver(p);
        String ready = driver.line();
        if (ready == null || !ready.startsWith("READY ")) {
            driver.close();
            throw new IOException("exec driver did not start (" + ready + "); see " + stderr);
        }
        return driver;
    }

    long pid() {
        return process.pid();
    }

    Mark mark() throws IOException {
        command("mark");
        String line = line();
        if (line == null || !line.startsWith("MARK ")) throw new IOException("exec driver ended early: " + line);
        long[] v = numbers(line);
        return new Mark(v[0], v[1], v[2], v[3], v[4]);
    }

    /** Stops starting processes, waits until every child is reaped, returns the final counts. */
    Done stop() throws IOException {
        if (done != null) return done;
        try {
            command("stop");
        } catch (IOException e) {
            // it stopped on its own (its time ran out): its DONE line is still to read
        }
        String line;
        while ((line = line()) != null && !line.startsWith("DONE ")) {
            // a MARK answer nobody waited for
        }
        if (line == null) throw new IOException("exec driver ended without its final report");
        long[] v = numbers(line);
        done = new Done(v[0], v[1], v[2], v[3], v[4], v[5]);
        return done;
    }

    private void command(String command) throws IOException {
        in.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    private String line() throws IOException {
        return out.readLine();
    }

    private static long[] numbers(String line) {
        String[] words = line.trim().split("\\s+");
        long[] v = new long[words.length - 1];
        for (int i = 1; i < words.length; i++) v[i - 1] = Long.parseLong(words[i]);
        return v;
    }

    /** Ends the driver whatever state it is in: stdin closed (it stops), then SIGTERM, then SIGKILL. */
    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // already closed
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
