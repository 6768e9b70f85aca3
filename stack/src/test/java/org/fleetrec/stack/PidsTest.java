package org.fleetrec.stack;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PidsTest {
    @Test
    void onlyAProcessCarryingOurMarkerIsSignalled() throws Exception {
        String marker = "-Dfleetrec.part=pids-test@" + System.nanoTime();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process ours = new ProcessBuilder(java, marker, "-cp", System.getProperty("java.class.path"),
                Sleeper.class.getName()).start();
        Process stranger = new ProcessBuilder("sleep", "60").start();
        try {
            assertTrue(Pids.stop(stranger.pid(), marker, Duration.ofSeconds(5)));
            assertTrue(stranger.isAlive(), "a process without our marker was signalled");
            assertTrue(Pids.matches(ours.pid(), marker));
            assertTrue(Pids.stop(ours.pid(), marker, Duration.ofSeconds(20)));
            assertFalse(ours.isAlive());
        } finally {
            ours.destroyForcibly();
            stranger.destroyForcibly();
        }
    }

    /** A child JVM that waits to be stopped. */
    public static final class Sleeper {
        public static void main(String[] args) throws Exception {
            Thread.sleep(120_000);
        }
    }
}
