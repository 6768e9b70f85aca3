package org.fleetrec.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Signals processes by pid, and only after checking that the pid still is the process we
 * started (its command line carries our marker): a recycled pid is never signalled.
 */
public final class Pids {
    private Pids() {
    }

    public static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    public static Optional<String> commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return Optional.of(new String(raw, StandardCharsets.UTF_8).replace('\0', ' '));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static boolean matches(long pid, String marker) {
        return isAlive(pid) && commandLine(pid).map(c -> c.contains(marker)).orElse(false);
    }

    /** SIGTERM, then SIGKILL after the grace period; returns true when the process is gone. */
    public static boolean stop(long pid, String marker, Duration grace) {
        if (!matches(pid, marker)) return true; // gone, or the pid now belongs to someone else
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) return true;
        handle.get().destroy();
        if (awaitExit(handle.get(), grace)) return true;
        handle.get().destroyForcibly();
        return awaitExit(handle.get(), Duration.ofSeconds(10));
    }

    private static boolean awaitExit(ProcessHandle handle, Duration timeout) {
        try {
            handle.onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return !handle.isAlive();
        }
    }
}
