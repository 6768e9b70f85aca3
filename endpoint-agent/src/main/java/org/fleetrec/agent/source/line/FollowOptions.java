package org.fleetrec.agent.source.line;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link LogFollowSource} follows a log.
 *
 * @param path          the log's name (followed by name, like {@code tail -F}, across rotation)
 * @param fromBeginning read the file present at start from its first byte; by default only lines written
 *                      after start are read (files appearing later are always read from their start)
 * @param pollInterval  how long to wait when there was nothing new
 * @param maxLineBytes  longer lines are skipped and counted, never buffered whole
 */
public record FollowOptions(Path path, boolean fromBeginning, Duration pollInterval, int maxLineBytes) {
    public static final Path DEFAULT_PATH = Path.of("/var/log/audit/audit.log");
    public static final Duration DEFAULT_POLL = Duration.ofMillis(250);

    public FollowOptions {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive");
        }
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes < 1");
        }
    }

    /** {@code path}, from the end, polling every 250 ms, lines up to 1 MiB. */
    public static FollowOptions of(Path path) {
        return new FollowOptions(path, false, DEFAULT_POLL, LineSplitter.DEFAULT_MAX_LINE_BYTES);
    }

    public FollowOptions withFromBeginning(boolean value) {
        return new FollowOptions(path, value, pollInterval, maxLineBytes);
    }

    public FollowOptions withPollInterval(Duration value) {
        return new FollowOptions(path, fromBeginning, value, maxLineBytes);
    }

    public FollowOptions withMaxLineBytes(int value) {
        return new FollowOptions(path, fromBeginning, pollInterval, value);
    }
}
