package org.fleetrec.agent.source.line;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A capture source that yields audit records as audit.log text lines ({@code [node=..] type=NAME
 * msg=audit(...): ...}), for when the agent can neither own nor join the kernel's netlink channel. Lines
 * go to {@code AuditRecordParser.parseLine}; this layer never interprets them.
 *
 * <p>Each source reads on one daemon thread of its own and hands every complete line to the sink on that
 * thread. The sink must not block (offer to a bounded queue and count drops); a sink exception is counted
 * and logged, never fatal. A source never delivers a partial line: a line cut short (file truncated,
 * input ended mid-line) or longer than the line bound is dropped and counted in {@link #malformedLines()}.
 */
public interface AuditLineSource extends AutoCloseable {
    /** Mode name of a source reading auditd's plugin stream on stdin (health field {@code source_mode}). */
    String MODE_AUDISP = "audisp";
    /** Mode name of a source following audit.log. */
    String MODE_LOG = "log";

    /** {@value #MODE_AUDISP} or {@value #MODE_LOG}. */
    String mode();

    /** Where a started source began reading, if it can resume from there (a followed log can, a stream cannot). */
    default Optional<LogPosition> startPosition() {
        return Optional.empty();
    }

    /**
     * Starts the reading thread. Call once.
     *
     * @throws IOException           if the input cannot be set up at all (nothing was started then)
     * @throws IllegalStateException if already started or closed
     */
    void start(Consumer<String> lineSink) throws IOException;

    /** Complete lines handed to the sink so far (including those whose sink call threw). */
    long linesRead();

    /** Lines dropped by the source itself: longer than the bound, or cut short (truncation, end of input). */
    long malformedLines();

    /** Sink calls that threw. */
    long sinkFailures();

    /**
     * Completes when no more lines will come: at end of input (auditd stopped the plugin), after
     * {@link #close()}, or exceptionally when reading failed for good.
     */
    CompletableFuture<Void> ended();

    /** Stops reading; idempotent. Lines already handed over stay handed over. */
    @Override
    void close();
}
