package org.fleetrec.agent.source.line;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The two threaded line sources: stdin (auditd plugin) and the followed log. */
@Timeout(20)
class LineSourcesTest {
    private static final String SYSCALL = "type=SYSCALL msg=audit(1700000000.123:45): arch=c000003e syscall=59 "
            + "success=yes exit=0 pid=10 comm=\"ls\" exe=\"/usr/bin/ls\" key=\"exec\"";
    private static final String EOE = "type=EOE msg=audit(1700000000.123:45): ";

    @TempDir
    Path dir;

    /** Returns the given chunks one per read(), like a socket delivering auditd's writes. */
    private static InputStream chunks(byte[]... parts) {
        return new InputStream() {
            int next;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (next == parts.length) {
                    return -1;
                }
                byte[] p = parts[next++];
                System.arraycopy(p, 0, b, off, p.length);
                return p.length;
            }
        };
    }

    @Test
    void stdinDeliversWholeLinesAcrossReadBoundariesAndReportsEndOfInput() throws Exception {
        byte[] all = (SYSCALL + "\n" + EOE + "\n" + "type=PATH msg=audit(1.0:1): name=\"caf\u00e9\"\n" + "torn-at-e")
                .getBytes(StandardCharsets.UTF_8);
        int cafe = indexOf(all, (byte) 0xC3);
        // Split mid-record, mid-UTF-8 character, and right after a newline.
        List<byte[]> parts = List.of(
                java.util.Arrays.copyOfRange(all, 0, 10),
                java.util.Arrays.copyOfRange(all, 10, SYSCALL.length() + 1),
                java.util.Arrays.copyOfRange(all, SYSCALL.length() + 1, cafe + 1),
                java.util.Arrays.copyOfRange(all, cafe + 1, all.length));
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        StdinPluginSource src = new StdinPluginSource(chunks(parts.toArray(byte[][]::new)), 1 << 20);
        assertEquals("audisp", src.mode());
        src.start(got::add);
        src.ended().get(5, TimeUnit.SECONDS);
        assertTrue(src.reachedEndOfInput());
        assertEquals(List.of(SYSCALL, EOE, "type=PATH msg=audit(1.0:1): name=\"caf\u00e9\""), got);
        assertEquals(3, src.linesRead());
        assertEquals(1, src.malformedLines(), "the unterminated last line is dropped, not delivered half");
        src.close();
    }

    @Test
    void stdinSkipsOverLongLinesAndSurvivesAThrowingSink() throws Exception {
        String longLine = "type=EXECVE msg=audit(1.0:2): a0=" + "41".repeat(100);
        byte[] input = ("keep-1\n" + longLine + "\nboom\nkeep-2\n").getBytes(StandardCharsets.US_ASCII);
        List<String> got = new ArrayList<>();
        StdinPluginSource src = new StdinPluginSource(new ByteArrayInputStream(input), 64);
        src.start(line -> {
            if (line.equals("boom")) {
                throw new IllegalStateException("sink bug");
            }
            got.add(line);
        });
        src.ended().get(5, TimeUnit.SECONDS);
        assertEquals(List.of("keep-1", "keep-2"), got);
        assertEquals(1, src.malformedLines());
        assertEquals(1, src.sinkFailures());
        assertEquals(3, src.linesRead());
        assertThrows(IllegalStateException.class, () -> src.start(got::add));
    }

    @Test
    void stdinEndsWhenTheWriterClosesWhileTheReaderIsBlocked() throws Exception {
        PipedOutputStream auditd = new PipedOutputStream();
        PipedInputStream stdin = new PipedInputStream(auditd, 4096);
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        StdinPluginSource src = new StdinPluginSource(stdin, 1 << 20);
        src.start(got::add);
        auditd.write((SYSCALL + "\n").getBytes(StandardCharsets.US_ASCII));
        auditd.flush();
        await(() -> got.size() == 1);
        assertFalse(src.ended().isDone());
        auditd.close(); // auditd stopped
        src.ended().get(5, TimeUnit.SECONDS);
        assertTrue(src.reachedEndOfInput());
        assertEquals(List.of(SYSCALL), got);
    }

    @Test
    void pipeSocketAndRegularFileCountAsPluginInputButTerminalsDoNot() throws IOException {
        Path file = Files.writeString(dir.resolve("replay.log"), SYSCALL + "\n");
        assertTrue(StdinPluginSource.isPipeOrFile(Files.createSymbolicLink(dir.resolve("0"), file)));
        assertTrue(StdinPluginSource.isPipeOrFile(Files.createSymbolicLink(dir.resolve("1"), Path.of("pipe:[4242]"))));
        assertTrue(StdinPluginSource.isPipeOrFile(Files.createSymbolicLink(dir.resolve("2"), Path.of("socket:[77]"))));
        assertFalse(StdinPluginSource.isPipeOrFile(Files.createSymbolicLink(dir.resolve("3"), Path.of("/dev/null"))));
        assertFalse(StdinPluginSource.isPipeOrFile(Files.createSymbolicLink(dir.resolve("4"), Path.of("/dev/pts/0"))));
        assertFalse(StdinPluginSource.isPipeOrFile(dir.resolve("missing")));
        StdinPluginSource.stdinIsPipeOrFile(); // must not throw whatever stdin the test runner has
    }

    @Test
    void logSourceFollowsAcrossRotationOnItsOwnThread() throws Exception {
        Path log = dir.resolve("audit.log");
        Files.writeString(log, "before-start\n");
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        LogFollowSource src = new LogFollowSource(FollowOptions.of(log).withPollInterval(Duration.ofMillis(10)));
        assertEquals("log", src.mode());
        src.start(got::add);
        append(log, SYSCALL + "\n");
        await(() -> got.size() == 1);
        append(log, EOE + "\n");
        Files.move(log, dir.resolve("audit.log.1"));
        append(log, "after-rotation\n");
        await(() -> got.size() == 3);
        src.close();
        src.ended().get(5, TimeUnit.SECONDS);
        assertEquals(List.of(SYSCALL, EOE, "after-rotation"), got);
        assertEquals(3, src.linesRead());
        assertEquals(1, src.rotations());
        assertEquals(0, src.malformedLines());
        append(log, "after-close\n");
        Thread.sleep(50);
        assertEquals(3, got.size(), "nothing is delivered after close");
    }

    @Test
    void pluginConfResourceHasTheRequiredSettings() throws IOException {
        try (InputStream in = StdinPluginSource.class.getResourceAsStream("fleetrec-audisp-plugin.conf")) {
            assertTrue(in != null, "resource missing");
            List<String> settings = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
            assertEquals(List.of("active = yes", "direction = out", "path = /usr/local/bin/fleetrec-agent-audisp",
                    "type = always", "format = string"), settings);
        }
    }

    private static void append(Path p, String text) throws IOException {
        Files.writeString(p, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(5);
        }
    }

    private static int indexOf(byte[] b, byte v) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        throw new AssertionError("byte not found");
    }
}
