package org.fleetrec.agent.source.line;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Step-by-step {@code tail -F} behaviour: every poll must deliver exactly the lines completed since the
 * previous one, in order, none twice, none half.
 */
class LogFollowerTest {
    @TempDir
    Path dir;
    private Path log;
    private final List<String> got = new ArrayList<>();
    private LogFollower follower;

    @AfterEach
    void closeFollower() throws IOException {
        if (follower != null) {
            follower.close();
        }
    }

    private LogFollower follow(boolean fromBeginning, int maxLineBytes) {
        log = dir.resolve("audit.log");
        follower = new LogFollower(log, fromBeginning, maxLineBytes);
        return follower;
    }

    private void append(Path p, String text) throws IOException {
        Files.writeString(p, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Polls once and returns what arrived in that poll. */
    private List<String> poll() throws IOException {
        List<String> now = new ArrayList<>();
        follower.poll(now::add);
        got.addAll(now);
        return now;
    }

    private static void truncate(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
    }

    @Test
    void startsAtTheEndAndFollowsAppendsRotationTruncationAndPartialLines() throws IOException {
        Files.writeString(dir.resolve("audit.log"), "old-1\nold-2\n");
        follow(false, 1 << 20);
        assertEquals(List.of(), poll(), "existing lines are history, not new");

        append(log, "a\nb\n");
        assertEquals(List.of("a", "b"), poll());
        assertEquals(List.of(), poll(), "nothing new, nothing twice");

        append(log, "par");
        assertEquals(List.of(), poll(), "half a line is held back");
        append(log, "tial\nc");
        assertEquals(List.of("partial"), poll());
        append(log, "\n");
        assertEquals(List.of("c"), poll());

        // Rotation as auditd does it: the writer finishes the old file, renames it, creates a new one.
        append(log, "d\n");
        Files.move(log, dir.resolve("audit.log.1"));
        append(dir.resolve("audit.log.1"), "e\n"); // a last write that landed in the old file after the rename
        assertEquals(List.of("d", "e"), poll(), "no new file yet: keep reading the old one");
        append(log, "f\ng\n");
        assertEquals(List.of("f", "g"), poll());
        assertEquals(1, follower.rotations());

        // copytruncate
        truncate(log);
        assertEquals(List.of(), poll());
        assertEquals(1, follower.truncations());
        assertEquals(0, follower.position());
        append(log, "h\n");
        assertEquals(List.of("h"), poll());

        assertEquals(List.of("a", "b", "partial", "c", "d", "e", "f", "g", "h"), got);
        assertEquals(0, follower.malformedLines());
    }

    @Test
    void rotationDrainsTheOldFileBeforeTheNewOneInOnePoll() throws IOException {
        follow(true, 1 << 20);
        append(log, "1\n");
        assertEquals(List.of("1"), poll());
        append(log, "2\n3\n");
        Files.move(log, dir.resolve("audit.log.1"));
        append(log, "4\n");
        assertEquals(List.of("2", "3", "4"), poll());
        // and again, with the rotated file replaced by another rotation
        append(log, "5\n");
        Files.move(log, dir.resolve("audit.log.1"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        append(log, "6\n");
        assertEquals(List.of("5", "6"), poll());
        assertEquals(2, follower.rotations());
    }

    @Test
    void aLineCutShortByTruncationOrRotationIsDroppedAndCounted() throws IOException {
        follow(true, 1 << 20);
        append(log, "one\nhal");
        assertEquals(List.of("one"), poll());
        truncate(log);
        assertEquals(List.of(), poll());
        append(log, "two\n");
        assertEquals(List.of("two"), poll(), "the fragment 'hal' must not be glued to the new line");
        assertEquals(1, follower.malformedLines());

        append(log, "torn-by-rotation");
        assertEquals(List.of(), poll());
        Files.move(log, dir.resolve("audit.log.1"));
        append(log, "three\n");
        assertEquals(List.of("three"), poll());
        assertEquals(2, follower.malformedLines());
        assertEquals(List.of("one", "two", "three"), got);
    }

    @Test
    void overLongLinesAreSkippedAndCountedEvenAcrossPolls() throws IOException {
        follow(true, 16);
        append(log, "short\n" + "x".repeat(40) + "\nok\n");
        assertEquals(List.of("short", "ok"), poll());
        assertEquals(1, follower.malformedLines());
        append(log, "y".repeat(10));
        poll();
        append(log, "y".repeat(10));
        poll();
        append(log, "y".repeat(10) + "\nafter\n");
        assertEquals(List.of("after"), poll());
        assertEquals(2, follower.malformedLines());
        append(log, "exactly-16-bytes\n");
        assertEquals(List.of("exactly-16-bytes"), poll(), "the bound is inclusive");
    }

    @Test
    void aFileThatAppearsLaterIsReadFromItsStart() throws IOException {
        follow(false, 1 << 20);
        assertEquals(List.of(), poll());
        append(log, "first\nsecond\n");
        assertEquals(List.of("first", "second"), poll());
    }

    @Test
    void startingAtTheEndPicksUpTheLineBeingWritten() throws IOException {
        Files.writeString(dir.resolve("audit.log"), "history\nhalf-");
        follow(false, 1 << 20);
        assertEquals(List.of(), poll());
        append(log, "written\nnext\n");
        assertEquals(List.of("half-written", "next"), poll());
    }

    @Test
    void fromBeginningReadsTheExistingFileAndUtf8SurvivesChunkBoundaries() throws IOException {
        String big = "é".repeat(40_000); // 80 000 bytes: crosses the 64 KiB read buffer mid-character
        Files.writeString(dir.resolve("audit.log"), "x\n" + big + "\ny\n");
        follow(true, 1 << 20);
        assertEquals(List.of("x", big, "y"), poll());
    }
}
