package org.fleetrec.agent.audit;

import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * Counts kernel serials that were skipped, with u32 wrap-around. A serial that arrives late (out of order)
 * and was already counted as skipped is taken back, as long as it is among the last
 * {@value #TRACKED} remembered gaps.
 *
 * <p>This is an indicator, not exact loss: the kernel also consumes serials for records nobody receives
 * (for example events filtered out after the serial was assigned, or messages sent while we were not
 * yet registered).
 */
final class SerialGapCounter {
    private static final long U32 = 0xFFFF_FFFFL;
    private static final long HALF = 1L << 31;
    private static final int TRACKED = 4096;

    private final LinkedHashSet<Long> missing = new LinkedHashSet<>();
    private long highest = -1;
    private long gaps;

    void observe(long serial) {
        serial &= U32;
        if (highest < 0) {
            highest = serial;
            return;
        }
        long ahead = (serial - highest) & U32;
        if (ahead == 0) {
            return;
        }
        if (ahead < HALF) {
            long skipped = ahead - 1;
            gaps += skipped;
            if (skipped <= TRACKED) {
                for (long s = 1; s <= skipped; s++) {
                    remember((highest + s) & U32);
                }
            }
            highest = serial;
        } else if (missing.remove(serial)) {
            gaps--;
        }
    }

    private void remember(long serial) {
        missing.add(serial);
        if (missing.size() > TRACKED) {
            Iterator<Long> it = missing.iterator();
            it.next();
            it.remove();
        }
    }

    long gaps() {
        return gaps;
    }
}
