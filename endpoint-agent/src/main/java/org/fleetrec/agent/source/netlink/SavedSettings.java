package org.fleetrec.agent.source.netlink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * The kernel audit settings as the agent found them, kept on disk while it runs. A clean stop
 * restores them and deletes the file; after a SIGKILL the file is what tells the next start (or
 * {@code agent cleanup}) what to restore, since the kernel then shows the agent's own values.
 */
public record SavedSettings(int enabled, int backlogLimit, int backlogWaitTime, int rateLimit) {

    public static SavedSettings of(AuditStatus status) {
        return new SavedSettings(status.enabled(), status.backlogLimit(), status.backlogWaitTime(), status.rateLimit());
    }

    /** The status with these settings in place of the current ones (pid and counters stay live). */
    public AuditStatus over(AuditStatus live) {
        return new AuditStatus(live.mask(), enabled, live.failure(), live.pid(), rateLimit, backlogLimit, live.lost(),
                live.backlog(), live.featureBitmap(), backlogWaitTime);
    }

    public AuditStatusUpdate restoring() {
        return AuditStatusUpdate.none().enabled(enabled).backlogLimit(backlogLimit).backlogWaitTime(backlogWaitTime)
                .rateLimit(rateLimit);
    }

    public static Optional<SavedSettings> read(Path file) {
        if (file == null || !Files.exists(file)) return Optional.empty();
        Properties p = new Properties();
        try (var in = Files.newInputStream(file)) {
            p.load(in);
            return Optional.of(new SavedSettings(Integer.parseInt(p.getProperty("enabled")),
                    Integer.parseInt(p.getProperty("backlog_limit")), Integer.parseInt(p.getProperty("backlog_wait_time")),
                    Integer.parseInt(p.getProperty("rate_limit"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // unreadable: fall back to what the kernel shows
        }
    }

    public void write(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("enabled", Integer.toString(enabled));
        p.setProperty("backlog_limit", Integer.toString(backlogLimit));
        p.setProperty("backlog_wait_time", Integer.toString(backlogWaitTime));
        p.setProperty("rate_limit", Integer.toString(rateLimit));
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (var out = Files.newOutputStream(temp)) {
            p.store(out, "kernel audit settings found before the agent changed them");
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
