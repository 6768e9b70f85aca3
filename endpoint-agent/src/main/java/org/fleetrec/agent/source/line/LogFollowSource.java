package org.fleetrec.agent.source.line;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Capture by following {@code /var/log/audit/audit.log} (or any path) like {@code tail -F}: for hosts
 * where auditd owns the kernel channel and we may not join its multicast group nor install a plugin.
 * Polls (no inotify: one stat and one read per interval is cheap, and works on every file system),
 * survives rotation and truncation, never emits half a line; see {@link LogFollower} for the rules.
 *
 * <p>What gets recorded is decided by auditd's rules; this source installs none. A missing file is
 * waited for. Read errors are logged (rarely) and retried on the next poll; they do not end the source.
 */
public final class LogFollowSource implements AuditLineSource {
    private static final Logger LOG = LoggerFactory.getLogger(LogFollowSource.class);

    private final FollowOptions options;
    private final LogFollower follower;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile CountingSink sink;
    private volatile boolean running;
    private Thread thread;
    private boolean started;
    private boolean closed;
    private LogPosition startPosition;

    public LogFollowSource(FollowOptions options) {
        this(options, null);
    }

    /**
     * Resumes where a previous run stopped, when {@code resumeFrom} (a position this source delivered
     * with a line, see {@link #startWithPositions}) was saved while following the same path; otherwise
     * starts as {@code options} say.
     */
    public LogFollowSource(FollowOptions options, LogPosition resumeFrom) {
        this.options = Objects.requireNonNull(options, "options");
        this.follower = new LogFollower(options.path(), options.fromBeginning(), options.maxLineBytes(), resumeFrom);
    }

    @Override
    public String mode() {
        return MODE_LOG;
    }

    public FollowOptions options() {
        return options;
    }

    @Override
    public void start(Consumer<String> lineSink) throws IOException {
        Objects.requireNonNull(lineSink, "lineSink");
        startWithPositions((line, after) -> lineSink.accept(line));
    }

    /**
     * Starts the reading thread; each line comes with the position just past it. Persisting a position
     * only once the events of every line before it are stored, and passing it back to the constructor on
     * the next start, resumes without loss.
     */
    public synchronized void startWithPositions(LineSink lineSink) throws IOException {
        if (started || closed) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        Objects.requireNonNull(lineSink, "lineSink");
        // On the caller's thread, so that "from the end" means the end as of this call.
        follower.begin();
        startPosition = follower.startPosition();
        started = true;
        sink = new CountingSink(lineSink, MODE_LOG);
        running = true;
        thread = new Thread(this::followLoop, "audit-log-follow");
        thread.setDaemon(true);
        thread.start();
        LOG.info("audit log source: {}", follower.startAccount());
    }

    /** Where reading started (after {@link #startWithPositions}); empty where no position can be given. */
    @Override
    public synchronized Optional<LogPosition> startPosition() {
        return started ? Optional.ofNullable(startPosition) : Optional.empty();
    }

    private void followLoop() {
        long pollNanos = options.pollInterval().toNanos();
        long consecutiveErrors = 0;
        try {
            while (running) {
                long read;
                try {
                    read = follower.pollWithPositions(sink);
                    consecutiveErrors = 0;
                } catch (IOException | RuntimeException e) {
                    if (consecutiveErrors++ % 1000 == 0) {
                        LOG.warn("audit log source: reading {} failed ({} in a row): {}", options.path(),
                                consecutiveErrors, e.toString());
                    }
                    read = 0;
                }
                if (read == 0 && running) {
                    // park, not sleep: close() unparks us, and an interrupt would close the FileChannel.
                    LockSupport.parkNanos(this, pollNanos);
                }
            }
        } finally {
            try {
                follower.close();
            } catch (IOException e) {
                LOG.debug("audit log source: closing {}: {}", options.path(), e.toString());
            }
            ended.complete(null);
        }
    }

    @Override
    public long linesRead() {
        CountingSink s = sink;
        return s == null ? 0 : s.delivered();
    }

    @Override
    public long malformedLines() {
        return follower.malformedLines();
    }

    @Override
    public long sinkFailures() {
        CountingSink s = sink;
        return s == null ? 0 : s.failures();
    }

    /** Times the path was found pointing at a new file. */
    public long rotations() {
        return follower.rotations();
    }

    /** Times the file was found shorter than what we had read. */
    public long truncations() {
        return follower.truncations();
    }

    @Override
    public CompletableFuture<Void> ended() {
        return ended;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        running = false;
        Thread t = thread;
        if (t == null) {
            ended.complete(null);
            return;
        }
        LockSupport.unpark(t);
        if (t != Thread.currentThread()) {
            try {
                t.join(options.pollInterval().toMillis() + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
