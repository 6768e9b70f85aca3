package org.fleetrec.agent.source.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An AUDIT_SET request: only the values whose bit is in {@code mask} are applied by the kernel.
 * Build with {@code AuditStatusUpdate.none().enabled(1).backlogLimit(8192)}.
 */
public record AuditStatusUpdate(int mask, int enabled, int failure, int pid, int rateLimit, int backlogLimit,
                                int backlogWaitTime) {
    public static final int ENABLED = 0x1;
    public static final int FAILURE = 0x2;
    public static final int PID = 0x4;
    public static final int RATE_LIMIT = 0x8;
    public static final int BACKLOG_LIMIT = 0x10;
    public static final int BACKLOG_WAIT_TIME = 0x20;

    /** struct audit_status size on 5.x/6.x kernels (11 u32); the kernel copies min(its size, ours). */
    static final int WIRE_SIZE = 44;

    public static AuditStatusUpdate none() {
        return new AuditStatusUpdate(0, 0, 0, 0, 0, 0, 0);
    }

    public AuditStatusUpdate enabled(int v) {
        return new AuditStatusUpdate(mask | ENABLED, v, failure, pid, rateLimit, backlogLimit, backlogWaitTime);
    }

    public AuditStatusUpdate failure(int v) {
        return new AuditStatusUpdate(mask | FAILURE, enabled, v, pid, rateLimit, backlogLimit, backlogWaitTime);
    }

    /** Registers ({@code pid} = our own pid) or unregisters ({@code 0}) the audit daemon. */
    public AuditStatusUpdate pid(int v) {
        return new AuditStatusUpdate(mask | PID, enabled, failure, v, rateLimit, backlogLimit, backlogWaitTime);
    }

    public AuditStatusUpdate rateLimit(int v) {
        return new AuditStatusUpdate(mask | RATE_LIMIT, enabled, failure, pid, v, backlogLimit, backlogWaitTime);
    }

    public AuditStatusUpdate backlogLimit(int v) {
        return new AuditStatusUpdate(mask | BACKLOG_LIMIT, enabled, failure, pid, rateLimit, v, backlogWaitTime);
    }

    /** In kernel ticks (HZ); how long a task may block when the backlog is full. */
    public AuditStatusUpdate backlogWaitTime(int v) {
        return new AuditStatusUpdate(mask | BACKLOG_WAIT_TIME, enabled, failure, pid, rateLimit, backlogLimit, v);
    }

    public boolean isEmpty() {
        return mask == 0;
    }

    byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(WIRE_SIZE).order(ByteOrder.nativeOrder());
        b.putInt(mask).putInt(enabled).putInt(failure).putInt(pid).putInt(rateLimit).putInt(backlogLimit)
                .putInt(0 /* lost */).putInt(0 /* backlog */).putInt(0 /* feature_bitmap */)
                .putInt(backlogWaitTime).putInt(0 /* backlog_wait_time_actual */);
        return b.array();
    }
}
