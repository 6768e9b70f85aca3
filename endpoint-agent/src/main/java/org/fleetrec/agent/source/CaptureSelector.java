package org.fleetrec.agent.source;

import com.sun.jna.Platform;
import org.fleetrec.agent.source.line.FollowOptions;
import org.fleetrec.agent.source.line.LineSink;
import org.fleetrec.agent.source.line.LogFollowSource;
import org.fleetrec.agent.source.line.LogPosition;
import org.fleetrec.agent.source.line.StdinPluginSource;
import org.fleetrec.agent.source.netlink.KernelAudit;
import org.fleetrec.agent.source.windows.EventLogCapture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Picks how the agent gets its records. On Linux, in order of preference: the kernel over netlink (own
 * the channel, or share it through multicast); else as an auditd plugin reading stdin; else following
 * audit.log. On Windows: Sysmon's channel of the event log, the only source there (and never tried
 * elsewhere, so a Linux agent never loads wevtapi). {@code FLEETREC_AUDIT_SOURCE} (auto | netlink |
 * audisp | log[:path] | eventlog) can force one.
 */
public final class CaptureSelector {
    private static final Logger log = LoggerFactory.getLogger(CaptureSelector.class);

    /** Starts netlink capture with a given rule set; the agent supplies it so rule policy stays there. */
    public interface NetlinkStarter {
        KernelAudit start() throws IOException;
    }

    /** Starts reading the Windows event log; the agent supplies it so where batches go stays there. */
    public interface EventLogStarter {
        Capture start(Optional<String> savedPosition) throws IOException;
    }

    private CaptureSelector() {
    }

    /** Whether {@code choice} reads the Windows event log: asked for, or left to auto on Windows. */
    public static boolean readsEventLog(String choice) {
        String mode = choice == null || choice.isBlank() ? "auto" : choice;
        return mode.equals(EventLogCapture.MODE) || (mode.equals("auto") && Platform.isWindows());
    }

    /**
     * @param lines         where a line source's lines go; a log follower gives each line's position
     * @param eventLog      starts the Windows event log source (asked for, or auto on Windows)
     * @param savedPosition what the agent last persisted of those positions ({@link LogPosition#encode()}, or an
     *                      event-log bookmark): a log follower on the same path resumes there instead of starting at
     *                      the end, the event log after the bookmarked record
     */
    public static Capture start(String choice, NetlinkStarter netlink, LineSink lines, EventLogStarter eventLog,
                                Optional<String> savedPosition) throws IOException {
        String mode = choice == null || choice.isBlank() ? "auto" : choice;
        if (readsEventLog(mode)) return eventLog.start(savedPosition);
        if (mode.equals("netlink")) return new NetlinkCapture(netlink.start());
        if (mode.equals("audisp")) return audisp(lines);
        if (mode.equals("log") || mode.startsWith("log:")) {
            return log(mode.startsWith("log:") ? Path.of(mode.substring(4)) : FollowOptions.DEFAULT_PATH, lines, savedPosition);
        }
        if (!mode.equals("auto")) throw new IllegalArgumentException("FLEETREC_AUDIT_SOURCE must be auto, netlink, audisp, log[:path] or eventlog, not " + mode);
        try {
            return new NetlinkCapture(netlink.start());
        } catch (IOException netlinkRefused) {
            if (StdinPluginSource.stdinIsPipeOrFile()) {
                log.warn("kernel audit over netlink refused ({}); reading auditd's plugin stream on stdin", netlinkRefused.getMessage());
                return audisp(lines);
            }
            if (Files.isReadable(FollowOptions.DEFAULT_PATH)) {
                log.warn("kernel audit over netlink refused ({}); following {}", netlinkRefused.getMessage(), FollowOptions.DEFAULT_PATH);
                return log(FollowOptions.DEFAULT_PATH, lines, savedPosition);
            }
            throw netlinkRefused;
        }
    }

    private static Capture audisp(LineSink lines) throws IOException {
        StdinPluginSource source = StdinPluginSource.fromStdin();
        source.start(line -> lines.accept(line, null)); // a stream cannot be resumed: no positions
        return new LineCapture(source);
    }

    private static Capture log(Path file, LineSink lines, Optional<String> savedPosition) throws IOException {
        LogFollowSource source = new LogFollowSource(FollowOptions.of(file),
                savedPosition.flatMap(LogPosition::decode).orElse(null));
        source.startWithPositions(lines);
        return new LineCapture(source);
    }
}
