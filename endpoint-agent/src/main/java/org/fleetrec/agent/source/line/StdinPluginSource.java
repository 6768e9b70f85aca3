package org.fleetrec.agent.source.line;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Capture as an auditd plugin: auditd's dispatcher starts the agent and writes every record to its stdin,
 * one per line, in the audit.log string format ({@code type=SYSCALL msg=audit(1700000000.123:45): ...};
 * with {@code name_format} set, a {@code node=} prefix; with {@code log_format=ENRICHED}, the 0x1D part).
 * The dispatcher replaces newlines inside a record by blanks, so one line is always one record.
 *
 * <h2>Installing</h2>
 * <ol>
 *   <li>Copy the sample {@code fleetrec-audisp-plugin.conf} (a resource next to this class) to
 *       {@code /etc/audit/plugins.d/fleetrec.conf} (auditd 3.x; {@code /etc/audisp/plugins.d/} for the
 *       separate audispd of auditd 2.x), owned by root, mode 0640.</li>
 *   <li>Install {@code /usr/local/bin/fleetrec-agent-audisp}, root-owned, mode 0755: a script that
 *       {@code exec}s the agent in audisp mode. auditd starts plugins with an <em>empty environment</em>
 *       and closes file descriptors 3..23, so the script must set everything itself (absolute path to
 *       {@code java}, the FLEETREC_* variables). It should also run {@code trap '' HUP} before the
 *       {@code exec}: auditd sends SIGHUP to plugins when it reloads its configuration, and a JVM exits
 *       on SIGHUP unless the signal is already ignored when it starts.</li>
 *   <li>{@code auditctl}/{@code augenrules} rules decide what is recorded: auditd owns the kernel channel,
 *       so the agent installs no rules in this mode. Reload auditd ({@code service auditd reload} or
 *       restart) to start the plugin.</li>
 * </ol>
 *
 * <p>Lifecycle: auditd sends SIGTERM when it stops and closes the stream, so the reader sees end of input;
 * {@link #ended()} then completes and {@link #reachedEndOfInput()} is true, and the agent should flush and
 * exit (auditd restarts a plugin that died, on its next record, up to {@code max_restarts}). If the agent
 * falls behind, auditd's dispatcher queue ({@code q_depth}) absorbs bursts and then drops by its
 * {@code overflow_action}; the dispatcher never waits for us longer than its own queue allows.
 *
 * <p>The reader thread only reads and calls the sink, which must not block. A last line without its
 * newline at end of input was cut short (auditd died mid-write): it is dropped and counted, never
 * delivered half.
 */
public final class StdinPluginSource implements AuditLineSource {
    private static final Logger LOG = LoggerFactory.getLogger(StdinPluginSource.class);
    private static final int READ_BUFFER_BYTES = 64 << 10;

    private final InputStream in;
    private final LineSplitter splitter;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile CountingSink sink;
    private volatile boolean stopping;
    private volatile boolean endOfInput;
    private Thread thread;
    private boolean started;
    private boolean closed;

    /** Reads {@code in} (stdin in production, any stream in tests), dropping lines over {@code maxLineBytes}. */
    public StdinPluginSource(InputStream in, int maxLineBytes) {
        this.in = Objects.requireNonNull(in, "in");
        this.splitter = new LineSplitter(maxLineBytes);
    }

    /** The process's stdin, with the default 1 MiB line bound. */
    public static StdinPluginSource fromStdin() {
        // Not System.in: that is a BufferedInputStream others may share; we do our own buffering.
        return new StdinPluginSource(new FileInputStream(FileDescriptor.in), LineSplitter.DEFAULT_MAX_LINE_BYTES);
    }

    /**
     * Whether stdin looks like auditd's plugin stream: a pipe, a socket (auditd 3.x hands plugins one end
     * of an AF_UNIX socketpair; older audispd used a pipe) or a regular file (a replayed log). A terminal or
     * {@code /dev/null} (a systemd service) is not. A heuristic for choosing a mode when nothing was said
     * explicitly: {@code ssh host agent run} also has a pipe on stdin, so an explicit mode wins.
     */
    public static boolean stdinIsPipeOrFile() {
        return isPipeOrFile(Path.of("/proc/self/fd/0"));
    }

    /** {@link #stdinIsPipeOrFile()} for any {@code /proc/<pid>/fd/<n>}-style link. */
    static boolean isPipeOrFile(Path fdLink) {
        try {
            String target = Files.readSymbolicLink(fdLink).toString();
            if (target.startsWith("pipe:[") || target.startsWith("socket:[")) {
                return true;
            }
            return Files.isRegularFile(fdLink);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    @Override
    public String mode() {
        return MODE_AUDISP;
    }

    @Override
    public synchronized void start(Consumer<String> lineSink) {
        if (started || closed) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        started = true;
        sink = new CountingSink(lineSink, MODE_AUDISP);
        thread = new Thread(this::readLoop, "audisp-stdin");
        thread.setDaemon(true);
        thread.start();
    }

    private void readLoop() {
        byte[] buffer = new byte[READ_BUFFER_BYTES];
        try {
            while (!stopping) {
                int n = in.read(buffer);
                if (n < 0) {
                    endOfInput = true;
                    break;
                }
                if (!stopping) {
                    splitter.feed(buffer, 0, n, sink);
                }
            }
            splitter.dropPartial();
            if (endOfInput) {
                LOG.info("audit audisp source: stdin closed (auditd stopped or dropped the plugin) after {} lines",
                        sink.delivered());
            }
            ended.complete(null);
        } catch (IOException | RuntimeException e) {
            if (stopping) {
                ended.complete(null);
            } else {
                LOG.warn("audit audisp source: reading stdin failed after {} lines: {}", sink.delivered(),
                        e.toString());
                ended.completeExceptionally(e);
            }
        }
    }

    /** True once stdin reached end of input (as opposed to {@link #close()} or a read error). */
    public boolean reachedEndOfInput() {
        return endOfInput;
    }

    @Override
    public long linesRead() {
        CountingSink s = sink;
        return s == null ? 0 : s.delivered();
    }

    @Override
    public long malformedLines() {
        return splitter.overlong() + splitter.torn();
    }

    @Override
    public long sinkFailures() {
        CountingSink s = sink;
        return s == null ? 0 : s.failures();
    }

    @Override
    public CompletableFuture<Void> ended() {
        return ended;
    }

    /**
     * Stops delivering and closes the stream. A read already blocked on stdin may stay blocked until
     * auditd writes or closes (the JDK keeps fd 0 occupied with /dev/null on close, so no other file can
     * take its number); the thread is a daemon and delivers nothing more.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopping = true;
        try {
            in.close();
        } catch (IOException e) {
            LOG.debug("audit audisp source: closing stdin: {}", e.toString());
        }
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // A reader still blocked in read() checks 'stopping' before delivering anything it gets.
        ended.complete(null);
    }
}
