package org.fleetrec.detection.sigma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Events per second through all loadable Linux rules on one thread, printed for the record (the
 * project's goal is 50,000/s with 200 rules on one core). The stream mixes the documents the agent
 * writes on a busy Linux host: execs (real OTRF and Sysmon-for-Linux ones, plus execs shaped like
 * ExecveMapper's with everyday command lines), file writes, connections and raw audit records.
 */
class SigmaThroughputTest {
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

    @Test
    void eventsPerSecondWithAllLinuxRules() throws IOException {
        RuleSet set = RuleSet.load(SharedData.path("sigma/rules/linux"));
        List<EventDocument> mixed = stream();
        List<EventDocument> execs = mixed.stream().filter(d -> "executed".equals(d.text("event.action"))).toList();
        measure("mixed stream", set, mixed);
        measure("process starts only (each meets every process_creation rule)", set, execs);
    }

    private static void measure(String what, RuleSet set, List<EventDocument> stream) {
        long warmUntil = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < warmUntil) for (EventDocument d : stream) set.evaluate(d);
        int hits = 0;
        for (EventDocument d : stream) hits += set.evaluate(d).size();
        int rounds = 0;
        long matched = 0;
        long start = System.nanoTime();
        while (System.nanoTime() - start < 3_000_000_000L) {
            for (EventDocument d : stream) matched += set.evaluate(d).size();
            rounds++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long events = (long) rounds * stream.size();
        System.out.printf("throughput, %s: %,.0f events/s on one thread (%d rules, %,d events in %.1f s, %d matches per %d-event round)%n",
                what, events / seconds, set.rules().size(), events, seconds, hits, stream.size());
        assertEquals((long) hits * rounds, matched, "every round finds the same matches");
        assertTrue(hits > 0, "the stream holds events the rules are meant to catch");
    }

    private static List<EventDocument> stream() throws IOException {
        List<EventDocument> real = new ArrayList<>();
        real.addAll(AuditDocuments.of(SharedData.path("linux-audit/otrf-security-datasets/sh_arp_cache_2020-11-10074812.log")));
        real.addAll(AuditDocuments.of(SharedData.path("linux-audit/otrf-security-datasets/sh_binary_padding_dd_2020-11-10081941.log")));
        real.addAll(SigmaRegressionTest.documents(SharedData.path("sysmon-linux/otrf-log4shell/sysmon_linux_events.DERIVED.xml")));
        Random random = new Random(42);
        List<EventDocument> out = new ArrayList<>(real);
        while (out.size() < 5_000) {
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
