package org.fleetrec.detection.bench;

import org.fleetrec.model.EventDocument;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Documents shaped like the agent's on a busy Linux host: execs with everyday command lines (and a
 * few that rules are meant to catch), file writes, connections and raw audit records, in a fixed
 * mix from a seed, so two runs evaluate the same stream.
 */
public final class SyntheticStream {
    private static final String[][] COMMANDS = {
            {"/usr/bin/ls", "ls", "-la", "/var/log"}, {"/usr/bin/grep", "grep", "-r", "error", "/etc/nginx"},
            {"/usr/bin/python3", "python3", "/opt/app/manage.py", "runserver"}, {"/usr/bin/bash", "bash", "-c", "make -j8 all"},
            {"/usr/bin/git", "git", "status", "--porcelain"}, {"/usr/bin/systemctl", "systemctl", "status", "nginx"},
            {"/usr/bin/curl", "curl", "-s", "https://api.example.org/v1/health"}, {"/usr/bin/cat", "cat", "/proc/meminfo"},
            {"/usr/bin/sed", "sed", "-n", "1,20p", "build.log"}, {"/usr/bin/awk", "awk", "{print $1}", "access.log"},
            {"/usr/bin/java", "java", "-Xmx2g", "-jar", "/opt/svc/service.jar"}, {"/usr/sbin/sshd", "sshd", "-D"},
            {"/usr/bin/find", "find", "/home/dev/src", "-name", "*.java"}, {"/usr/bin/tar", "tar", "-xzf", "release.tgz"},
            {"/usr/bin/ps", "ps", "aux"}, {"/usr/bin/docker", "docker", "ps", "-a"}, {"/usr/bin/node", "node", "server.js"},
            {"/usr/bin/rsync", "rsync", "-a", "build/", "out/"}, {"/usr/bin/dd", "dd", "if=/dev/zero", "bs=1", "count=1"},
            {"/usr/sbin/arp", "arp", "-a"}, {"/usr/bin/base64", "base64", "-d"}, {"/usr/bin/whoami", "whoami"}};
    private static final String[] FILES = {"/var/log/nginx/access.log", "/tmp/build-4711/out.o", "/home/dev/.cache/pip/x.whl",
            "/etc/cron.d/backup", "/var/lib/dpkg/status", "/home/dev/src/Main.java", "/tmp/rootlog", "/etc/profile.d/x.sh"};
    private static final String[] HOSTS = {"10.0.0.5", "93.184.216.34", "192.168.1.20", "8.8.8.8", "2001:db8::7"};

    private SyntheticStream() {
    }

    /** {@code size} documents: 40 % execs, 30 % file writes, 20 % connections, 10 % raw records. */
    public static List<EventDocument> events(long seed, int size) {
        Random random = new Random(seed);
        List<EventDocument> out = new ArrayList<>(size);
        while (out.size() < size) {
            int kind = random.nextInt(10);
            String[] cmd = COMMANDS[random.nextInt(COMMANDS.length)];
            if (kind < 4) out.add(exec(cmd, random));
            else if (kind < 7) out.add(file(cmd, FILES[random.nextInt(FILES.length)], random));
            else if (kind < 9) out.add(connect(cmd, HOSTS[random.nextInt(HOSTS.length)], random));
            else out.add(raw(random));
        }
        return out;
    }

    private static EventDocument base(String dataset, String action, String category, String type, Random r) {
        return EventDocument.create().put("@timestamp", "2026-01-01T00:00:00Z").put("event.dataset", dataset)
                .put("event.action", action).put("event.kind", "event").putAll("event.category", List.of(category))
                .putAll("event.type", List.of(type)).put("event.outcome", "success").put("host.os.type", "linux")
                .put("host.name", "web-1").put("auditd.sequence", r.nextInt(1 << 30)).put("user.id", "1000").put("user.name", "dev");
    }

    private static EventDocument process(EventDocument d, String[] cmd, Random r) {
        List<String> args = List.of(cmd).subList(1, cmd.length);
        return d.put("process.pid", 1000 + r.nextInt(30000)).put("process.executable", cmd[0])
                .put("process.name", cmd[0].substring(cmd[0].lastIndexOf('/') + 1)).putAll("process.args", args)
                .put("process.command_line", String.join(" ", args)).put("process.parent.executable", "/usr/bin/bash")
                .put("process.parent.command_line", "-bash").put("process.working_directory", "/home/dev");
    }

    private static EventDocument exec(String[] cmd, Random r) {
        return process(base("process", "executed", "process", "start", r), cmd, r).put("auditd.record_type", "EXECVE");
    }

    private static EventDocument file(String[] cmd, String path, Random r) {
        return process(base("file", r.nextBoolean() ? "created" : "modified", "file", "creation", r), cmd, r)
                .put("file.path", path).put("file.name", path.substring(path.lastIndexOf('/') + 1)).put("auditd.record_type", "SYSCALL");
    }

    private static EventDocument connect(String[] cmd, String ip, Random r) {
        return process(base("network", "connected-to", "network", "connection", r), cmd, r)
                .put("destination.ip", ip).put("destination.port", r.nextBoolean() ? 443 : 4444).put("network.direction", "egress")
                .put("auditd.record_type", "SYSCALL");
    }

    private static EventDocument raw(Random r) {
        return base("auditd", "sysinfo", "host", "info", r).put("auditd.record_type", "SYSCALL")
                .putAll("auditd.records", List.of("SYSCALL", "PROCTITLE")).put("auditd.data.syscall", r.nextBoolean() ? "sysinfo" : "getrandom")
                .put("process.executable", "/usr/bin/top");
    }
}
