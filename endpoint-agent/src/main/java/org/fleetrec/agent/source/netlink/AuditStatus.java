package org.fleetrec.agent.source.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The kernel's {@code struct audit_status} from an AUDIT_GET reply. Older kernels send a shorter struct
 * (no feature_bitmap / backlog_wait_time); missing fields read as 0.
 *
 * @param enabled 0 off, 1 on, 2 on and locked (no changes until reboot)
 * @param pid     the registered audit daemon's pid, 0 if none
 * @param lost    records the kernel dropped since boot (or since reset)
 * @param backlog records queued in the kernel right now
 */
public record AuditStatus(int mask, int enabled, int failure, int pid, int rateLimit, int backlogLimit,
                          int lost, int backlog, int featureBitmap, int backlogWaitTime) {

    /** Parses from the payload's position, native (little-endian) order. */
    public static AuditStatus parse(ByteBuffer payload) {
        ByteBuffer b = payload.duplicate().order(ByteOrder.nativeOrder());
        int[] v = new int[10];
        for (int i = 0; i < v.length && b.remaining() >= 4; i++) {
            v[i] = b.getInt();
        }
        return new AuditStatus(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
    }

    public boolean locked() {
        return enabled == 2;
    }
}
