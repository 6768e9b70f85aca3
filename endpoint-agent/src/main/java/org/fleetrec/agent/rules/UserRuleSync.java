package org.fleetrec.agent.rules;

import org.fleetrec.agent.audit.rule.AuditRuleData;
import org.fleetrec.agent.audit.rule.AuditRuleParser;
import org.fleetrec.agent.source.netlink.Errno;
import org.fleetrec.agent.source.netlink.NetlinkErrorException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Keeps the kernel's copy of the user rules equal to the wanted set, all or nothing: a sync deletes the rules
 * that left the set, adds the new ones, and if the kernel refuses any step it undoes the steps already taken,
 * so the kernel stays at the last set that worked. It remembers exactly what it installed, so
 * {@link #removeAll()} at agent stop deletes those and nothing else.
 *
 * <p>Rules are identified by their bytes. A rule the kernel already holds (EEXIST: auditd or someone else
 * loaded the identical rule) counts as applied but is not ours, so it is never deleted. A rule someone else
 * deleted meanwhile (ENOENT on delete) counts as deleted. A crashed agent's copies are not known here: delete
 * rules carrying {@link UserRules#KEY} before the first sync.
 *
 * <p>Thread-safe; the agent calls {@link #sync} from its poll loop and {@link #removeAll} from shutdown.
 */
public final class UserRuleSync {
    private static final int EEXIST = 17;
    private static final int ENOENT = 2;

    private final RuleTarget target;
    private final List<AuditRuleData> installed = new ArrayList<>();

    public UserRuleSync(RuleTarget target) {
        this.target = Objects.requireNonNull(target, "target");
    }

    /** {@link #sync(List, Function)} naming rules by {@link AuditRuleData#toString()}. */
    public SyncResult sync(List<AuditRuleData> wanted) {
        return sync(wanted, AuditRuleData::toString);
    }

    /**
     * Makes the kernel hold {@code wanted}. {@code describe} names a rule in the failure reason (the agent
     * passes the user's rule text). Never throws for kernel refusals: they are the result.
     */
    public synchronized SyncResult sync(List<AuditRuleData> wanted, Function<? super AuditRuleData, String> describe) {
        List<AuditRuleData> want = List.copyOf(new LinkedHashSet<>(wanted));
        List<AuditRuleData> toDelete = installed.stream().filter(r -> !want.contains(r)).toList();
        List<AuditRuleData> toAdd = want.stream().filter(r -> !installed.contains(r)).toList();
        Deque<AuditRuleData> deleted = new ArrayDeque<>();
        Deque<AuditRuleData> added = new ArrayDeque<>();
        // Deletions first: "-a X" replaced by "-A X" is the same kernel rule and would otherwise collide.
        for (AuditRuleData r : toDelete) {
            try {
                delete(r);
                installed.remove(r);
                deleted.push(r);
            } catch (IOException e) {
                return failure("could not delete rule '" + describe.apply(r) + "': " + why(e), added, deleted);
            }
        }
        for (AuditRuleData r : toAdd) {
            try {
                target.add(r);
                installed.add(r);
                added.push(r);
            } catch (NetlinkErrorException e) {
                if (e.errno() != EEXIST) {
                    return failure("the kernel refused rule '" + describe.apply(r) + "': " + why(e), added, deleted);
                }
                // identical rule already loaded by someone else: it records what the user wants; not ours
            } catch (IOException e) {
                return failure("could not add rule '" + describe.apply(r) + "': " + why(e), added, deleted);
            }
        }
        return SyncResult.success(added.size(), deleted.size());
    }

    private SyncResult failure(String reason, Deque<AuditRuleData> added, Deque<AuditRuleData> deleted) {
        List<String> problems = new ArrayList<>();
        for (AuditRuleData r : added) { // newest first
            try {
                delete(r);
                installed.remove(r);
            } catch (IOException e) {
                problems.add("could not delete " + r + ": " + why(e));
            }
        }
        for (AuditRuleData r : deleted) {
            try {
                target.add(r);
                installed.add(r);
            } catch (NetlinkErrorException e) {
                if (e.errno() != EEXIST) {
                    problems.add("could not re-add " + r + ": " + why(e));
                }
            } catch (IOException e) {
                problems.add("could not re-add " + r + ": " + why(e));
            }
        }
        if (problems.isEmpty()) {
            return SyncResult.failure(reason + "; the previous user rules stay in force");
        }
        return SyncResult.failure(reason + "; restoring the previous user rules also failed: "
                + String.join("; ", problems));
    }

    /** What this sync object has installed and not deleted, in the order added. */
    public synchronized List<AuditRuleData> installed() {
        return List.copyOf(installed);
    }

    /** Deletes every rule this object installed (agent stop). Tries all; throws the first failure, if any. */
    public synchronized void removeAll() throws IOException {
        IOException failure = null;
        for (AuditRuleData r : List.copyOf(installed)) {
            try {
                delete(r);
                installed.remove(r);
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void delete(AuditRuleData r) throws IOException {
        try {
            target.delete(r.stored());
        } catch (NetlinkErrorException e) {
            if (e.errno() != ENOENT) {
                throw e;
            }
            // already gone (auditctl -D, a cleanup): the goal of deleting it is met
        }
    }

    private static String why(IOException e) {
        if (e instanceof NetlinkErrorException ne) {
            return Errno.describe(ne.errno()) + switch (ne.errno()) {
                case 2 -> " (no such file or directory: the directory holding a -F path must exist)";
                case 20 -> " (not a directory: part of a -F path or dir is a file)";
                case 22 -> " (invalid argument: the kernel does not accept this field, operator or value here)";
                case 1, 13 -> " (permission denied: changing audit rules needs root)";
                case 28 -> " (no space: too many audit rules or watches)";
                default -> "";
            };
        }
        return e.getMessage();
    }
}
