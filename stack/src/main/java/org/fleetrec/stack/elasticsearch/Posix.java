package org.fleetrec.stack.elasticsearch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Small Linux helpers: who we are, reading {@code /proc}, running as {@code nobody}, stopping a process by pid.
 * Nothing here ever looks processes up by name.
 */
final class Posix {

    static final String NOBODY_USER = "nobody";

    private static final Map<Path, Boolean> NOBODY_CAN_TRAVERSE = new ConcurrentHashMap<>();
    private static volatile String nobodyGroup;

    private Posix() {
    }

    /** True when the effective uid of this JVM is 0. */
    static boolean isRoot() {
        return effectiveUid(ProcessHandle.current().pid()).map(uid -> uid == 0).orElse(false);
    }

    /** The effective uid of a process, from the {@code Uid:} line of {@code /proc/<pid>/status}. */
    static Optional<Integer> effectiveUid(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Uid:")) {
                    String[] parts = line.substring(4).trim().split("\\s+");
                    return Optional.of(Integer.parseInt(parts.length > 1 ? parts[1] : parts[0]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // process gone or not Linux
        }
        return Optional.empty();
    }

    /** The arguments of a live process from {@code /proc/<pid>/cmdline}; empty when unreadable or gone. */
    static List<String> cmdline(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < raw.length) {
                args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
            }
            return args;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    static Optional<ProcessHandle> alive(long pid) {
        if (pid <= 0 || pid == ProcessHandle.current().pid()) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    }

    /**
     * SIGTERM, wait up to {@code grace}, then SIGKILL and wait a little more. Returns true when the process is gone.
     * The handle carries the process start time, so a recycled pid is never signalled.
     */
    static boolean terminate(ProcessHandle handle, Duration grace) {
        if (!handle.isAlive()) {
            return true;
        }
        handle.destroy();
        if (awaitExit(handle, grace)) {
            return true;
        }
        handle.destroyForcibly();
        return awaitExit(handle, Duration.ofSeconds(15));
    }

    static boolean awaitExit(ProcessHandle handle, Duration timeout) {
        try {
            handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // fall through to the isAlive check
        }
        return !handle.isAlive();
    }

    /** Group to pair with {@code nobody}: {@code nogroup} on Debian, {@code nobody} elsewhere. */
    static String nobodyGroup() {
        String group = nobodyGroup;
        if (group == null) {
            UserPrincipalLookupService lookup = Path.of("/").getFileSystem().getUserPrincipalLookupService();
            group = "nogroup";
            try {
                lookup.lookupPrincipalByGroupName(group);
            } catch (IOException e) {
                group = NOBODY_USER;
            }
            nobodyGroup = group;
        }
        return group;
    }

    /** The command prefix that runs a program as nobody. */
    static List<String> asNobodyPrefix() {
        return List.of("setpriv", "--reuid=" + NOBODY_USER, "--regid=" + nobodyGroup(), "--clear-groups", "--");
    }

    /** Gives a file or directory (not following links) to nobody. */
    static void chownToNobody(Path path) throws IOException {
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = lookup.lookupPrincipalByName(NOBODY_USER);
        GroupPrincipal group = lookup.lookupPrincipalByGroupName(nobodyGroup());
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        view.setOwner(user);
        view.setGroup(group);
    }

    /**
     * Whether the nobody user can traverse {@code dir} (checked for real, by running {@code test -x} as nobody, so
     * 0700 parents such as {@code /root} are detected). Only meaningful when we are root.
     */
    static boolean nobodyCanTraverse(Path dir) {
        return NOBODY_CAN_TRAVERSE.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> {
            List<String> cmd = new ArrayList<>(asNobodyPrefix());
            cmd.addAll(List.of("test", "-x", d.toString()));
            try {
                Process p = new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return false;
                }
                return p.exitValue() == 0;
            } catch (IOException e) {
                throw new IllegalStateException("cannot run setpriv (util-linux) to check access for nobody", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }
}
