package org.fleetrec.agent.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises the scheduling priority of the threads on the capture path, as auditd does with its
 * priority_boost: under a fork storm that fills every core, a recorder at normal priority falls
 * behind exactly when it matters. Linux keeps a nice value per thread, so each capture-path thread
 * boosts itself. FLEETREC_PRIORITY_BOOST (default 4, 0 to disable) is the nice decrease.
 */
public final class ThreadPriority {
    private static final Logger log = LoggerFactory.getLogger(ThreadPriority.class);
    private static final int PRIO_PROCESS = 0;
    private static final int BOOST = boostFromEnvironment();

    private interface Scheduling extends Library {
        int gettid();

        int setpriority(int which, int who, int prio) throws LastErrorException;
    }

    private static volatile Scheduling scheduling;

    private ThreadPriority() {
    }

    /** Boosts the calling thread; a refusal (not root, or a container without CAP_SYS_NICE) is logged, not fatal. */
    public static void boostCurrentThread() {
        if (BOOST <= 0) return;
        try {
            Scheduling libc = scheduling;
            if (libc == null) scheduling = libc = Native.load("c", Scheduling.class);
            libc.setpriority(PRIO_PROCESS, libc.gettid(), -BOOST);
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            log.warn("could not raise the priority of thread {}: {}", Thread.currentThread().getName(), e.getMessage());
        }
    }

    private static int boostFromEnvironment() {
        try {
            return Math.max(0, Math.min(19, Integer.parseInt(System.getenv().getOrDefault("FLEETREC_PRIORITY_BOOST", "4"))));
        } catch (NumberFormatException e) {
            return 4;
        }
    }
}
