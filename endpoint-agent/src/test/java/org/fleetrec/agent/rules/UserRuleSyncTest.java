package org.fleetrec.agent.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fleetrec.agent.audit.rule.Arch;
import org.fleetrec.agent.audit.rule.AuditRuleData;
import org.fleetrec.agent.audit.rule.AuditRuleParser;
import org.fleetrec.agent.source.netlink.NetlinkErrorException;
import org.junit.jupiter.api.Test;

/** Sync logic against a fake kernel that behaves like the real one where it matters (EEXIST, ENOENT, -A). */
class UserRuleSyncTest {

    /** Holds rules in stored form, refuses what {@link #refuse} says, like the kernel does. */
    static final class FakeKernel implements RuleTarget {
        final List<AuditRuleData> rules = new ArrayList<>();
        final Map<AuditRuleData, Integer> refuse = new HashMap<>();
        final Map<AuditRuleData, Integer> refuseDelete = new HashMap<>();
        final List<String> calls = new ArrayList<>();

        @Override
        public void add(AuditRuleData rule) throws IOException {
            calls.add("add " + rule.key());
            Integer errno = refuse.get(rule);
            if (errno != null) {
                throw new NetlinkErrorException("AUDIT_ADD_RULE", -errno);
            }
            AuditRuleData stored = rule.stored();
            // the kernel compares the prepend flag too, so only an -a rule collides with its stored twin
            if (rule.equals(stored) && rules.contains(stored)) {
                throw new NetlinkErrorException("AUDIT_ADD_RULE", -17);
            }
            rules.add(stored);
        }

        @Override
        public void delete(AuditRuleData rule) throws IOException {
            calls.add("delete " + rule.key());
            Integer errno = refuseDelete.get(rule);
            if (errno != null) {
                throw new NetlinkErrorException("AUDIT_DEL_RULE", -errno);
            }
            if (!rules.remove(rule)) {
                throw new NetlinkErrorException("AUDIT_DEL_RULE", -2);
            }
        }
    }

    private static AuditRuleData rule(String key) {
        return AuditRuleData.exitAlways().arch(Arch.B64).syscalls("openat").key(key);
    }

    private static AuditRuleData prepended(String key) {
        return AuditRuleData.of(AuditRuleData.FILTER_EXIT | AuditRuleParser.FILTER_PREPEND, AuditRuleData.ACTION_ALWAYS)
                .arch(Arch.B64).syscalls("openat").key(key);
    }

    @Test
    void addsNewAndDeletesRemoved() {
        FakeKernel k = new FakeKernel();
        UserRuleSync sync = new UserRuleSync(k);
        SyncResult first = sync.sync(List.of(rule("a"), rule("b"), rule("a")));
        assertTrue(first.ok());
        assertNull(first.reason());
        assertEquals(2, first.added());
        assertEquals(List.of(rule("a"), rule("b")), k.rules);
        SyncResult second = sync.sync(List.of(rule("b"), rule("c")));
        assertEquals(new SyncResult(true, 1, 1, null), second);
        assertEquals(List.of(rule("b"), rule("c")), k.rules);
        assertEquals(new SyncResult(true, 0, 0, null), sync.sync(List.of(rule("c"), rule("b"))), "nothing to do");
        assertEquals(List.of(rule("b"), rule("c")), sync.installed());
    }

    @Test
    void aRefusedRuleRollsBackTheWholeChange() {
        FakeKernel k = new FakeKernel();
        UserRuleSync sync = new UserRuleSync(k);
        assertTrue(sync.sync(List.of(rule("a"), rule("b"))).ok());
        k.refuse.put(rule("bad"), 22);
        SyncResult r = sync.sync(List.of(rule("a"), rule("c"), rule("bad"), rule("d")),
                x -> x.equals(rule("bad")) ? "-a always,exit ... -k bad" : x.toString());
        assertFalse(r.ok());
        assertTrue(r.reason().contains("-a always,exit ... -k bad") && r.reason().contains("EINVAL (22)"), r.reason());
        assertTrue(r.reason().contains("previous user rules stay in force"), r.reason());
        assertEquals(List.of(rule("a"), rule("b")), k.rules.stream().sorted(this::byKey).toList(), "previous state");
        assertEquals(List.of(rule("a"), rule("b")), sync.installed().stream().sorted(this::byKey).toList());
        assertFalse(k.calls.contains("add d"), "stops at the first refusal");
    }

    private int byKey(AuditRuleData x, AuditRuleData y) {
        return x.key().compareTo(y.key());
    }

    @Test
    void prependedRulesAreDeletedInTheFormTheKernelKeeps() throws IOException {
        FakeKernel k = new FakeKernel();
        UserRuleSync sync = new UserRuleSync(k);
        assertTrue(sync.sync(List.of(prepended("p"))).ok());
        assertEquals(List.of(rule("p")), k.rules, "the kernel drops the prepend flag");
        SyncResult swap = sync.sync(List.of(rule("p")));
        assertTrue(swap.ok(), "-A X to -a X: delete first, so no EEXIST");
        assertEquals(List.of(rule("p")), k.rules);
        assertTrue(sync.sync(List.of(prepended("p"))).ok());
        sync.removeAll();
        assertTrue(k.rules.isEmpty());
        assertTrue(sync.installed().isEmpty());
    }

    @Test
    void rulesSomeoneElseHoldsOrDeletedAreNotOurs() throws IOException {
        FakeKernel k = new FakeKernel();
        k.rules.add(rule("foreign"));
        UserRuleSync sync = new UserRuleSync(k);
        SyncResult r = sync.sync(List.of(rule("foreign"), rule("mine")));
        assertTrue(r.ok(), "EEXIST: already recorded");
        assertEquals(List.of(rule("mine")), sync.installed());
        k.rules.remove(rule("mine")); // e.g. auditctl -D
        assertTrue(sync.sync(List.of()).ok(), "ENOENT on delete: already gone");
        sync.removeAll();
        assertEquals(List.of(rule("foreign")), k.rules, "never deletes what it did not add");
    }

    @Test
    void aFailedDeleteRestoresWhatWasDeleted() {
        FakeKernel k = new FakeKernel();
        UserRuleSync sync = new UserRuleSync(k);
        assertTrue(sync.sync(List.of(rule("a"), rule("b"))).ok());
        k.refuseDelete.put(rule("b"), 1);
        SyncResult r = sync.sync(List.of());
        assertFalse(r.ok());
        assertTrue(r.reason().contains("could not delete") && r.reason().contains("EPERM (1)"), r.reason());
        assertEquals(2, k.rules.size(), "a was re-added");
        assertEquals(2, sync.installed().size());
    }

    @Test
    void aFailedRollbackIsReportedAndTracked() {
        FakeKernel k = new FakeKernel();
        UserRuleSync sync = new UserRuleSync(k);
        assertTrue(sync.sync(List.of(rule("a"))).ok());
        k.refuse.put(rule("bad"), 2);
        k.refuseDelete.put(rule("c"), 1);
        SyncResult r = sync.sync(List.of(rule("c"), rule("bad")));
        assertFalse(r.ok());
        assertTrue(r.reason().contains("ENOENT (2)") && r.reason().contains("restoring the previous user rules also failed"),
                r.reason());
        assertTrue(sync.installed().contains(rule("c")), "c is still in the kernel, so still ours to remove");
        assertTrue(sync.installed().contains(rule("a")));
    }

    @Test
    void removeAllTriesEveryRuleAndReportsTheFirstFailure() {
        FakeKernel k = new FakeKernel();
        UserRuleSync sync = new UserRuleSync(k);
        assertTrue(sync.sync(List.of(rule("a"), rule("b"), rule("c"))).ok());
        k.refuseDelete.put(rule("b"), 1);
        IOException e = assertThrows(IOException.class, sync::removeAll);
        assertTrue(e.getMessage().contains("EPERM"), e.getMessage());
        assertEquals(List.of(rule("b")), k.rules);
        assertEquals(List.of(rule("b")), sync.installed());
    }
}
