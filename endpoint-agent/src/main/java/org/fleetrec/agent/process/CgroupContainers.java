package org.fleetrec.agent.process;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which container a task runs in, read from the text of its {@code /proc/<pid>/cgroup}. Container
 * runtimes put each container in a cgroup named after its id, so the name tells both:
 * <ul>
 *   <li>systemd drivers: {@code docker-<id>.scope}, {@code cri-containerd-<id>.scope},
 *       {@code crio-<id>.scope}, {@code libpod-<id>.scope}, {@code nerdctl-<id>.scope}
 *       (anywhere in the path: under system.slice, machine.slice, a user slice or kubepods);</li>
 *   <li>cgroupfs drivers: a bare 64-hex directory, under {@code /docker/} (Docker), under
 *       {@code kubepods} (Kubernetes, runtime not named) or a containerd namespace;</li>
 *   <li>LXC: {@code lxc.payload.<name>}.</li>
 * </ul>
 * The monitors next to containers ({@code crio-conmon-*}, {@code libpod-conmon-*},
 * {@code lxc.monitor.*}) run on the host and are not containers. Nested containers
 * (Docker in Docker seen from the host) give the innermost one.
 */
public final class CgroupContainers {
    /** /proc/<pid>/cgroup holds one line per hierarchy: a dozen on cgroup v1, one on v2. */
    static final int MAX_LINES = 256;

    private static final Pattern SCOPE = Pattern.compile("(docker|cri-containerd|crio|libpod|nerdctl)-([0-9a-f]{64})(\\.scope)?");
    private static final Pattern BARE_ID = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern LXC = Pattern.compile("lxc\\.payload\\.([A-Za-z0-9_.-]{1,64})");

    private CgroupContainers() {
    }

    /** The container named by a cgroup file's text; empty for a host process (or text that names none). */
    public static Optional<Container> parse(String cgroupFile) {
        if (cgroupFile == null || cgroupFile.isEmpty()) return Optional.empty();
        List<String> paths = new ArrayList<>();
        String unified = null;
        int lines = 0;
        for (String line : cgroupFile.split("\n", MAX_LINES + 1)) {
            if (++lines > MAX_LINES) break;
            // hierarchy-id:controllers:path, where the path itself may hold ':'
            int first = line.indexOf(':');
            int second = first < 0 ? -1 : line.indexOf(':', first + 1);
            if (second < 0) continue;
            String path = line.substring(second + 1).strip();
            if (line.startsWith("0::")) unified = path;
            else paths.add(path);
        }
        // The unified (v2) hierarchy is the one systemd and every runtime keep current.
        if (unified != null) paths.add(0, unified);
        for (String path : paths) {
            Optional<Container> found = inPath(path);
            if (found.isPresent()) return found;
        }
        return Optional.empty();
    }

    private static Optional<Container> inPath(String path) {
        Container innermost = null;
        String previous = "";
        for (String part : path.split("/")) {
            Matcher scope = SCOPE.matcher(part);
            Matcher lxc = LXC.matcher(part);
            if (scope.matches()) {
                innermost = new Container(scope.group(2), runtime(scope.group(1)));
            } else if (BARE_ID.matcher(part).matches()) {
                innermost = new Container(part, "docker".equals(previous) ? "docker" : null);
            } else if (lxc.matches()) {
                innermost = new Container(lxc.group(1), "lxc");
            }
            previous = part;
        }
        return Optional.ofNullable(innermost);
    }

    private static String runtime(String prefix) {
        return switch (prefix) {
            case "docker" -> "docker";
            case "cri-containerd", "nerdctl" -> "containerd";
            case "crio" -> "cri-o";
            case "libpod" -> "podman";
            default -> null;
        };
    }
}
