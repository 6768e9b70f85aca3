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
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A follower started from a saved position reads exactly the lines written after it, wherever rotation
 * put them, and reports with each line the position that resumes after it.
 */
class LogFollowerResumeTest {
    @TempDir
    Path dir;
    private Path log;
    private LogFollower follower;
    private final List<String> lines = new ArrayList<>();
    private LogPosition last;

    @AfterEach
    void closeFollower() throws IOException {
        if (follower != null) follower.close();
    }

    private void append(Path p, String text) throws IOException {
        Files.writeString(p, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** A follower that ran from the beginning over what the log holds now, stopped, and returns where it stood. */
    private LogPosition runOnce(LogPosition from) throws IOException {
        try (LogFollower once = new LogFollower(log, true, 1 << 20, from)) {
            once.pollWithPositions((line, after) -> last = after);
        }
        assertNotNull(last);
        return last;
    }

    private List<String> resume(LogPosition from) throws IOException {
        lines.clear();
        follower = new LogFollower(log, false, 1 << 20, from);
        follower.pollWithPositions((line, after) -> {
            lines.add(line);
            last = after;
        });
        return List.copyOf(lines);
    }

    @Test
    void resumesInTheSameFileAndEachPositionIsTheByteAfterItsLine() throws IOException {
        log = dir.resolve("audit.log");
        append(log, "type=A msg=audit(1.0:1): one\ntype=A msg=audit(1.0:2): two\n");
        LogPosition saved = runOnce(null);
        assertEquals(Files.size(log), saved.offset());
        assertEquals(Optional.of(saved), LogPosition.decode(saved.encode()), "stored as text and read back");

        append(log, "three\nfour\n");
        assertEquals(List.of("three", "four"), resume(saved));
        assertEquals(Files.size(log), last.offset());
        append(log, "five\n");
        List<String> more = new ArrayList<>();
        follower.poll(more::add);
        assertEquals(List.of("five"), more, "and follows on as usual");
    }

    @Test
    void afterTwoRenameRotationsReadsTheRestOfTheOldFileThenEveryNewerOne() throws IOException {
        log = dir.resolve("audit.log");
        append(log, "type=A msg=audit(1.0:1): first file\n");
        LogPosition saved = runOnce(null);
        append(log, "rest of first\n");
        Files.move(log, dir.resolve("audit.log.1"));
        append(log, "type=A msg=audit(2.0:1): second file\n");
        Files.move(dir.resolve("audit.log.1"), dir.resolve("audit.log.2"));
        Files.move(log, dir.resolve("audit.log.1"));
        append(log, "type=A msg=audit(3.0:1): third file\n");

        assertEquals(List.of("rest of first", "type=A msg=audit(2.0:1): second file", "type=A msg=audit(3.0:1): third file"),
                resume(saved));
        assertEquals(Files.size(log), last.offset(), "ends in the followed file");
    }

    @Test
    void aPositionSavedWhileCatchingUpInARotatedFileIsFoundThereAgain() throws IOException {
        log = dir.resolve("audit.log");
        append(log, "type=A msg=audit(1.0:1): first file\nmore\n");
        Files.move(log, dir.resolve("audit.log.1"));
        append(log, "type=A msg=audit(2.0:1): second file\n");
        LogPosition midRotated = firstLinePosition(dir.resolve("audit.log.1"));
        assertEquals(List.of("more", "type=A msg=audit(2.0:1): second file"), resume(midRotated));
    }

    @Test
    void afterCopyAndTruncateReadsTheCopyThenTheTruncatedFile() throws IOException {
        log = dir.resolve("audit.log");
        append(log, "type=A msg=audit(1.0:1): original\n");
        LogPosition saved = runOnce(null);
        append(log, "written before the copy\n");
        Files.copy(log, dir.resolve("audit.log.1"));
        truncate(log);
        append(log, "type=A msg=audit(2.0:1): after the truncation\n");

        assertEquals(List.of("written before the copy", "type=A msg=audit(2.0:1): after the truncation"), resume(saved));
    }

    @Test
    void whenNoFileHoldsThePositionTheLogIsReadFromItsStart() throws IOException {
        log = dir.resolve("audit.log");
        append(log, "type=A msg=audit(1.0:1): gone soon\n");
        LogPosition saved = runOnce(null);
        truncate(log); // truncated while stopped, no copy kept
        append(log, "type=A msg=audit(2.0:1): new\n");
        assertEquals(List.of("type=A msg=audit(2.0:1): new"), resume(saved));
    }

    @Test
    void aPositionSavedForAnotherPathIsIgnoredAndReadingStartsAtTheEnd() throws IOException {
        log = dir.resolve("other.log");
        append(log, "type=A msg=audit(1.0:1): other\n");
        LogPosition elsewhere = runOnce(null);
        log = dir.resolve("audit.log");
        append(log, "type=A msg=audit(1.0:1): other\nhistory\n");
        assertEquals(List.of(), resume(elsewhere));
        assertEquals(Optional.empty(), LogPosition.decode("log-v0 1 2 3 /x"), "another version");
        assertEquals(Optional.empty(), LogPosition.decode("log-v1 x 2 3 /x"), "damaged");
    }

    private LogPosition firstLinePosition(Path file) throws IOException {
        long end = Files.readString(file).indexOf('\n') + 1;
        try (FileChannel ch = FileChannel.open(file)) {
            return new LogPosition(LogPosition.canonical(log), end, (int) end, LogPosition.digestOfHead(ch, (int) end));
        }
    }

    private static void truncate(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
    }
}
