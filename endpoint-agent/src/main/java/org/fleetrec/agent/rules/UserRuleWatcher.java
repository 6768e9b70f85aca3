package org.fleetrec.agent.rules;

import org.fleetrec.agent.source.netlink.AuditNetlink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * Keeps the kernel in step with the host's user rules while the agent runs: when
 * user-rules.json changes, the set is applied as a whole (or rolled back as a whole), and the
 * outcome is written where {@code rules list} and health can read it.
 */
public final class UserRuleWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UserRuleWatcher.class);

    private final Path stateDir;
    private final UserRules rules;
    private final AuditNetlink netlink;
    private final UserRuleSync sync;
    private FileTime seen;
    private volatile String summary = "none";

    public UserRuleWatcher(Path stateDir) throws IOException {
        this.stateDir = stateDir;
        this.rules = new UserRules(stateDir);
        this.netlink = AuditNetlink.open();
        this.sync = new UserRuleSync(RuleTarget.kernel(netlink));
    }

    /** Applies the rule file if it changed since the last call; cheap when it did not. */
    public void poll() {
        Path file = rules.file();
        try {
            FileTime modified = Files.exists(file) ? Files.getLastModifiedTime(file) : FileTime.fromMillis(0);
            if (modified.equals(seen)) return;
            seen = modified;
            UserRuleStatus status;
            try {
                UserRules.Loaded loaded = rules.load();
                SyncResult result = sync.sync(loaded.rules(), loaded::describe);
                status = UserRuleStatus.of(result, Instant.now());
                summary = result.ok() ? loaded.rules().size() + " applied" : "rejected: " + result.reason();
            } catch (UserRules.Refused e) {
                status = UserRuleStatus.refused(e.getMessage(), Instant.now());
                summary = "rejected: " + e.getMessage();
            }
            status.write(stateDir);
            if (!status.ok()) log.warn("user audit rules not applied: {}", status.reason());
        } catch (IOException e) {
            summary = "error: " + e.getMessage();
            log.warn("user audit rules could not be read or applied: {}", e.toString());
        }
    }

    /** "none", "N applied" or why the set was rolled back; shown in health. */
    public String summary() {
        return summary;
    }

    /** Removes exactly the user rules this agent put into the kernel. */
    @Override
    public void close() {
        try {
            sync.removeAll();
        } catch (IOException | RuntimeException e) {
            log.warn("could not remove user audit rules: {}", e.toString());
        } finally {
            netlink.close();
        }
    }
}
