package org.fleetrec.agent.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Who this host is: a stable id (machine-id), its name, the current boot, and its OS.
 * The boot id takes part in every entity id, so two boots never share a process.
 */
public record HostIdentity(String id, String name, String bootId, String osName, String kernel, String architecture) {

    public static HostIdentity read(Path stateDir) throws IOException {
        return new HostIdentity(machineId(stateDir), hostname(), firstLine(Path.of("/proc/sys/kernel/random/boot_id"), "unknown-boot"),
                readOsName(), firstLine(Path.of("/proc/sys/kernel/osrelease"), System.getProperty("os.version")),
                System.getProperty("os.arch"));
    }

    private static String machineId(Path stateDir) throws IOException {
        for (String candidate : new String[]{"/etc/machine-id", "/var/lib/dbus/machine-id"}) {
            String id = firstLine(Path.of(candidate), "");
            if (id.matches("[0-9a-f]{32}")) return id;
        }
        // No machine id (some containers): keep one of our own so the host stays the same host.
        Path own = stateDir.resolve("host-id");
        if (Files.exists(own)) return Files.readString(own).strip();
        String id = UUID.randomUUID().toString().replace("-", "");
        Files.writeString(own, id);
        return id;
    }

    /** Windows has no /proc: its name is in the environment every process inherits. */
    private static String hostname() {
        String windows = System.getenv("COMPUTERNAME");
        return firstLine(Path.of("/proc/sys/kernel/hostname"), windows == null || windows.isBlank() ? "localhost" : windows);
    }

    private static String readOsName() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) return line.substring(12).replace("\"", "");
            }
        } catch (IOException e) {
            // fall through to the JVM's view
        }
        return System.getProperty("os.name");
    }

    private static String firstLine(Path path, String fallback) {
        try {
            String text = Files.readString(path).strip();
            return text.isEmpty() ? fallback : text.lines().findFirst().orElse(fallback);
        } catch (IOException e) {
            return fallback;
        }
    }
}
