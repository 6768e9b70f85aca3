package org.fleetrec.agent.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditEventAssembler;
import org.fleetrec.agent.audit.AuditRecordParser;
import org.fleetrec.agent.host.HostIdentity;
import org.fleetrec.agent.host.UserNames;
import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real path: a process this test starts is moved into a cgroup v2 directory named the way
 * Docker's systemd driver names a container's, and the agent's process table, reading the real
 * /proc, reports that container. Needs root and a writable cgroup2 mount (skipped otherwise);
 * changes nothing but the test's own cgroup, which it removes. Does not touch kernel audit.
 */
class CgroupContainerLiveTest {
    private static final HostIdentity HOST = new HostIdentity("host-1", "lab", "boot-1", "Linux", "6.1", "amd64");
    private static final Path PROC = Path.of("/proc");

    private final String id = HexFormat.of().formatHex(randomBytes(32));
    private Path parent;
    private Path scope;
    private Process child;

    @BeforeEach
    void cgroup() throws IOException {
        assumeTrue("0".equals(effectiveUid()), "moving a process between cgroups needs root; skipping");
        Optional<Path> mount = cgroup2Mount();
        assumeTrue(mount.isPresent(), "no cgroup2 mount on this machine; skipping");
        parent = mount.get().resolve("fleetrec-test-" + id.substring(0, 8));
        try {
            Files.createDirectory(parent);
        } catch (IOException e) {
            assumeTrue(false, "cannot create a cgroup under " + mount.get() + " (" + e + "); skipping");
        }
        scope = Files.createDirectory(parent.resolve("docker-" + id + ".scope"));
    }

    @AfterEach
    void cleanup() throws Exception {
        if (child != null) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
        // A cgroup is removed with rmdir once no process is left in it.
        if (scope != null) Files.deleteIfExists(scope);
        if (parent != null) Files.deleteIfExists(parent);
    }

    @Test
    void aProcessMovedIntoAContainerCgroupIsSeenInThatContainer() throws Exception {
        child = new ProcessBuilder("sleep", "60").start();
        long pid = child.pid();
        // Before the move the child is where this test runs (the host, unless the test itself runs in a container).
        Container own = CgroupContainers.parse(ProcStat.cgroup(PROC, ProcessHandle.current().pid()).orElse("")).orElse(null);
        assertEquals(own, new ProcessTable(HOST, PROC).current(pid).map(ProcessTable.Entry::container).orElse(null));

        Files.writeString(scope.resolve("cgroup.procs"), Long.toString(pid));
        assertTrue(Files.readString(PROC.resolve(pid + "/cgroup")).contains("docker-" + id + ".scope"));

        ProcessTable table = new ProcessTable(HOST, PROC);
        Container seen = table.current(pid).map(ProcessTable.Entry::container).orElse(null);
        assertEquals(new Container(id, "docker"), seen);

        // The same through the mapper, as an exec event of that pid would be recorded.
        EventDocument doc = execDocument(new EventMapper(new ProcessTable(HOST, PROC), UserNames.none(), PROC), pid);
        assertEquals(id, doc.text("container.id"));
        assertEquals("docker", doc.text("container.runtime"));
    }

    private static EventDocument execDocument(EventMapper mapper, long pid) {
        String head = "msg=audit(1700000300.000:77): ";
        List<AuditEvent> events = new ArrayList<>();
        AuditEventAssembler assembler = new AuditEventAssembler(events::add, 2_000);
        for (String line : List.of(
                "type=SYSCALL " + head + "arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=2 ppid="
                        + ProcessHandle.current().pid() + " pid=" + pid + " auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
                        + "fsgid=0 tty=(none) ses=4294967295 comm=\"sleep\" exe=\"/usr/bin/sleep\" key=\"fleetrec\"",
                "type=EXECVE " + head + "argc=2 a0=\"sleep\" a1=\"60\"",
                "type=EOE " + head)) {
            assembler.accept(AuditRecordParser.parseLine(line));
        }
        assembler.flushAll();
        return mapper.map(events.get(0)).get(0);
    }

    private static Optional<Path> cgroup2Mount() throws IOException {
        for (String line : Files.readAllLines(PROC.resolve("self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 2 && f[2].equals("cgroup2")) return Optional.of(Path.of(f[1]));
        }
        return Optional.empty();
    }

    private static String effectiveUid() throws IOException {
        for (String line : Files.readAllLines(PROC.resolve("self/status"))) {
            if (line.startsWith("Uid:")) return line.split("\\s+")[2];
        }
        return "?";
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }
}
