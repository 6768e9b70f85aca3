package org.fleetrec.web.bench;

import org.fleetrec.model.Dataset;
import org.fleetrec.model.EntityIds;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The verbs activities are written in: a process starts, ends, writes a file, connects, accepts,
 * logs in. Each plans the documents the agent would record for it, with pids, entity ids, audit
 * serials and ports taken from its host as the kernel would hand them out.
 */
final class Planner {
    final Random random;
    private final Timeline timeline;
    private final long end;
    private final Map<String, String> hashes = new HashMap<>();
    private final Map<String, Set<String>> clientsByServer = new HashMap<>();
    private long nextInode = 1_048_576;

    Planner(Timeline timeline, Random random, long end) {
        this.timeline = timeline;
        this.random = random;
        this.end = end;
    }

    /** A process that was running before the agent started: recorded once, at {@code agentStart}. */
    SyntheticProcess snapshot(SyntheticHost host, SyntheticProcess parent, long pid, long start, long agentStart, Who who,
                              String cwd, String executable, String... args) {
        SyntheticProcess p = process(host, parent, pid, start, 0, who, cwd, executable, List.of(args));
        timeline.add(host, agentStart, Dataset.PROCESS, EcsEvents.snapshot(p, agentStart));
        return p;
    }

    /** fork + execve under {@code parent}, as the same user, in the same directory. */
    SyntheticProcess exec(SyntheticProcess parent, long time, String executable, String... args) {
        return exec(parent, time, parent.who(), parent.workingDirectory(), executable, args);
    }

    SyntheticProcess exec(SyntheticProcess parent, long time, Who who, String cwd, String executable, String... args) {
        return exec(parent, time, who, cwd, executable, List.of(args));
    }

    SyntheticProcess exec(SyntheticProcess parent, long time, Who who, String cwd, String executable, List<String> args) {
        return execWithHash(parent, time, who, cwd, executable, hash(parent.host(), executable), args);
    }

    SyntheticProcess execWithHash(SyntheticProcess parent, long time, Who who, String cwd, String executable, String sha256,
                                  List<String> args) {
        SyntheticHost host = parent.host();
        time = clamp(time);
        SyntheticProcess p = new SyntheticProcess(host, null, host.nextPid(random), parent, executable, args,
                commandLine(args), time, who, cwd, sha256);
        p = withEntity(p, 1);
        timeline.add(host, time, Dataset.PROCESS, EcsEvents.exec(p, time, host.nextAuditSerial(random)));
        return p;
    }

    void exit(SyntheticProcess p, long time, int code) {
        time = clamp(time);
        timeline.add(p.host(), time, Dataset.PROCESS, EcsEvents.exit(p, time, code, p.host().nextAuditSerial(random)));
    }

    /** A short command: started and ended {@code millis} later with status 0. */
    SyntheticProcess run(SyntheticProcess parent, long time, long millis, String executable, String... args) {
        SyntheticProcess p = exec(parent, time, executable, args);
        exit(p, time + millis, 0);
        return p;
    }

    void file(SyntheticProcess p, long time, String action, String path) {
        file(p, time, action, path, null);
    }

    void file(SyntheticProcess p, long time, String action, String path, String targetPath) {
        time = clamp(time);
        String mode = path.startsWith("/tmp/") || path.contains("/bin/") ? "0755" : "0644";
        EcsEvents.FileFacts facts = new EcsEvents.FileFacts(action, path, targetPath, nextInode++, mode, p.who().effective());
        timeline.add(p.host(), time, Dataset.FILE, EcsEvents.file(p, time, facts, p.host().nextAuditSerial(random)));
    }

    /** An outbound connection to an address outside the fleet. */
    EcsEvents.Flow connect(SyntheticProcess client, long time, String transport, String destinationIp, int destinationPort) {
        time = clamp(time);
        SyntheticHost host = client.host();
        EcsEvents.Flow flow = new EcsEvents.Flow(transport, host.ip, host.nextPort(), destinationIp, destinationPort);
        timeline.add(host, time, Dataset.NETWORK,
                EcsEvents.connection(client, time, flow, true, flow.communityId(), host.nextAuditSerial(random)));
        return flow;
    }

    /**
     * A TCP connection to a fleet host: the egress event on the client's host and, a moment later,
     * the ingress event of {@code acceptor} on the server, both with the flow's one community id.
     */
    EcsEvents.Flow connect(SyntheticProcess client, long time, SyntheticProcess acceptor, int port) {
        time = clamp(time);
        SyntheticHost host = client.host();
        SyntheticHost server = acceptor.host();
        EcsEvents.Flow flow = new EcsEvents.Flow("tcp", host.ip, host.nextPort(), server.ip, port);
        String communityId = flow.communityId();
        timeline.add(host, time, Dataset.NETWORK, EcsEvents.connection(client, time, flow, true, communityId, host.nextAuditSerial(random)));
        long accepted = clamp(time + 1);
        timeline.add(server, accepted, Dataset.NETWORK,
                EcsEvents.connection(acceptor, accepted, flow, false, communityId, server.nextAuditSerial(random)));
        clientsByServer.computeIfAbsent(server.ip + ":" + port, k -> new HashSet<>()).add(host.name);
        return flow;
    }

    /** An inbound connection from outside the fleet. */
    EcsEvents.Flow accept(SyntheticProcess acceptor, long time, String sourceIp, int sourcePort, int localPort) {
        time = clamp(time);
        SyntheticHost host = acceptor.host();
        EcsEvents.Flow flow = new EcsEvents.Flow("tcp", sourceIp, sourcePort, host.ip, localPort);
        timeline.add(host, time, Dataset.NETWORK,
                EcsEvents.connection(acceptor, time, flow, false, flow.communityId(), host.nextAuditSerial(random)));
        return flow;
    }

    /** A PAM or login record written by {@code process} (which the agent may not know: then only its pid). */
    void auth(SyntheticHost host, SyntheticProcess process, long time, EcsEvents.AuthFacts facts) {
        time = clamp(time);
        long pid = process == null ? host.nextPid(random) : process.pid();
        String executable = process == null ? "/usr/sbin/sshd" : process.executable();
        timeline.add(host, time, Dataset.AUTH, EcsEvents.auth(pid, process, executable, time, facts, host.nextAuditSerial(random)));
    }

    void kernelModule(SyntheticProcess p, long time, String module) {
        time = clamp(time);
        String path = "/lib/modules/" + p.host().os.kernel() + "/kernel/net/" + module + ".ko";
        timeline.add(p.host(), time, Dataset.LIBRARY, EcsEvents.kernelModule(p, time, module, path, p.host().nextAuditSerial(random)));
    }

    void sharedLibrary(SyntheticProcess p, long time, String path) {
        time = clamp(time);
        timeline.add(p.host(), time, Dataset.LIBRARY, EcsEvents.sharedLibrary(p, time, path, p.host().nextAuditSerial(random)));
    }

    /** Hosts that connected to {@code ip:port} so far. */
    Set<String> clientsOf(String ip, int port) {
        return clientsByServer.getOrDefault(ip + ":" + port, Set.of());
    }

    long pick(long from, long to) {
        return from + (long) (random.nextDouble() * (to - from));
    }

    <T> T pick(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }

    boolean chance(double probability) {
        return random.nextDouble() < probability;
    }

    private long clamp(long time) {
        return Math.min(time, end);
    }

    private SyntheticProcess process(SyntheticHost host, SyntheticProcess parent, long pid, long start, int ordinal, Who who,
                                     String cwd, String executable, List<String> args) {
        SyntheticProcess p = new SyntheticProcess(host, null, pid, parent, executable, args, commandLine(args), start, who, cwd,
                hash(host, executable));
        return withEntity(p, ordinal);
    }

    private static SyntheticProcess withEntity(SyntheticProcess p, int ordinal) {
        // The agent's own derivation: host, boot, pid, start in clock ticks since boot, exec ordinal.
        long startTicks = Math.max(0, (p.startMillis() - p.host().bootMillis) / 10);
        String entityId = EntityIds.process(p.host().id, p.host().bootId, p.pid(), startTicks, ordinal);
        return new SyntheticProcess(p.host(), entityId, p.pid(), p.parent(), p.executable(), p.args(), p.commandLine(),
                p.startMillis(), p.who(), p.workingDirectory(), p.sha256());
    }

    /** One image per path and OS, so a program has the same hash on every host of a release. */
    private String hash(SyntheticHost host, String executable) {
        return hashes.computeIfAbsent(executable + "|" + host.os.name(), Planner::sha256Hex);
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the JDK", e);
        }
    }

    /** argv as one line, quoted as the agent quotes it. */
    static String commandLine(List<String> args) {
        StringBuilder line = new StringBuilder();
        for (String arg : args) {
            if (!line.isEmpty()) line.append(' ');
            boolean plain = !arg.isEmpty() && arg.chars().allMatch(c -> c > ' ' && c < 127 && "'\"\\$`!*?&;|<>(){}[]#~".indexOf(c) < 0);
            line.append(plain ? arg : "'" + arg.replace("'", "'\\''") + "'");
        }
        return line.toString();
    }
}
