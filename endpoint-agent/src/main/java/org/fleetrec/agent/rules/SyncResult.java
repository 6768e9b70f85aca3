package org.fleetrec.agent.rules;

/**
 * Outcome of one {@link UserRuleSync#sync}. When {@code ok} is false the kernel was put back to the previous
 * user set and {@code reason} says which rule failed and why (shown to users in health and {@code rules list}).
 *
 * @param added   rules added to the kernel by this sync (0 after a rollback)
 * @param removed rules deleted from the kernel by this sync (0 after a rollback)
 */
public record SyncResult(boolean ok, int added, int removed, String reason) {
    static SyncResult success(int added, int removed) {
        return new SyncResult(true, added, removed, null);
    }

    static SyncResult failure(String reason) {
        return new SyncResult(false, 0, 0, reason);
    }
}
