package org.fleetrec.agent.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditEventAssembler;
import org.fleetrec.agent.audit.AuditRecordParser;
import org.fleetrec.agent.host.HostIdentity;
import org.fleetrec.agent.host.UserNames;
import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exec and file documents carry container.* from the process's cgroup, read in a fake /proc when
 * the process is first seen; a process already gone shares its parent's container.
 */
class ContainerContextTest {
    private static final HostIdentity HOST = new HostIdentity("host-1", "lab", "boot-1", "Linux", "6.1", "amd64");
    private static final String ID = "5d2c0f7e9b1a3c4d6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5";

    @TempDir
    Path dir;
    private Path proc;
    private EventMapper mapper;

    @BeforeEach
    void fakeHost() throws Exception {
        proc = Files.createDirectories(dir.resolve("proc"));
        Files.writeString(proc.resolve("stat"), "cpu 1 2 3\nbtime 1700000000\n");
        mapper = new EventMapper(new ProcessTable(HOST, proc), UserNames.none(), proc);
    }

    private void task(long pid, String comm, long ppid, String cgroup) throws Exception {
        Path p = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(p.resolve("stat"), pid + " (" + comm + ") S " + ppid
                + " 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 " + (1000 + pid) + " 1000 100\n");
        Files.writeString(p.resolve("cmdline"), comm + "\0");
        if (cgroup != null) Files.writeString(p.resolve("cgroup"), cgroup);
    }

    private List<EventDocument> map(String... lines) {
        List<AuditEvent> events = new ArrayList<>();
        AuditEventAssembler assembler = new AuditEventAssembler(events::add, 2_000);
        for (String line : lines) assembler.accept(AuditRecordParser.parseLine(line));
        assembler.flushAll();
        List<EventDocument> docs = new ArrayList<>();
        for (AuditEvent e : events) docs.addAll(mapper.map(e));
        return docs;
    }

    private static String[] exec(int serial, long pid, long ppid, String exe, String... argv) {
        String head = "msg=audit(1700000100.%03d:%d): ".formatted(serial % 1000, serial);
        StringBuilder args = new StringBuilder("argc=" + argv.length);
        for (int i = 0; i < argv.length; i++) args.append(" a").append(i).append("=\"").append(argv[i]).append('"');
        return new String[]{
                "type=SYSCALL " + head + "arch=c000003e syscall=59 success=yes exit=0 a0=55d0 a1=55d1 a2=55d2 a3=0 items=2 ppid="
                        + ppid + " pid=" + pid + " auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=\""
                        + argv[0] + "\" exe=\"" + exe + "\" key=\"fleetrec\"",
                "type=EXECVE " + head + args,
                "type=CWD " + head + "cwd=\"/\"",
                "type=PATH " + head + "item=0 name=\"" + exe + "\" inode=1311 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL",
                "type=EOE " + head};
    }

    @Test
    void anExecInsideAContainerCarriesItsId() throws Exception {
        task(4100, "sh", 4000, "0::/system.slice/docker-" + ID + ".scope\n");
        task(4101, "docker", 4100, "0::/system.slice/docker-" + ID + ".scope\n");
        EventDocument doc = map(exec(1, 4101, 4100, "/usr/bin/docker", "docker", "ps")).get(0);
        assertEquals(ID, doc.text("container.id"));
        assertEquals("docker", doc.text("container.runtime"));
    }

    @Test
    void anExecOnTheHostCarriesNone() throws Exception {
        task(4200, "bash", 1, "0::/user.slice/user-1000.slice/session-3.scope\n");
        task(4201, "docker", 4200, "0::/user.slice/user-1000.slice/session-3.scope\n");
        EventDocument doc = map(exec(2, 4201, 4200, "/usr/bin/docker", "docker", "ps")).get(0);
        assertFalse(doc.has("container.id"), doc.toString());
        assertFalse(doc.has("container.runtime"), doc.toString());
    }

    @Test
    void aProcessGoneBeforeItsEventSharesItsParentsContainer() throws Exception {
        // Kubernetes, cgroupfs driver: the runtime is not named.
        task(4300, "sh", 4000, "0::/kubepods/besteffort/pod8e9f0a1b/" + ID + "\n");
        // 4301 exited before its exec was mapped: no /proc entry.
        EventDocument doc = map(exec(3, 4301, 4300, "/usr/bin/kubectl", "kubectl", "get", "secrets")).get(0);
        assertEquals(ID, doc.text("container.id"));
        assertNull(doc.text("container.runtime"));
    }

    @Test
    void aGoneProcessOfAHostParentStaysOnTheHost() throws Exception {
        task(4400, "bash", 1, "0::/init.scope\n");
        EventDocument doc = map(exec(4, 4401, 4400, "/usr/bin/id", "id")).get(0);
        assertFalse(doc.has("container.id"), doc.toString());
    }

    @Test
    void fileDocumentsOfAContainerProcessCarryItToo() throws Exception {
        task(4500, "cat", 4000, "0::/machine.slice/libpod-" + ID + ".scope/container\n");
        String head = "msg=audit(1700000200.000:50): ";
        List<EventDocument> docs = map(
                "type=SYSCALL " + head + "arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffd1000 a2=80000 a3=0 items=1 "
                        + "ppid=4000 pid=4500 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 "
                        + "comm=\"cat\" exe=\"/usr/bin/cat\" key=\"fleetrec\"",
                "type=CWD " + head + "cwd=\"/root\"",
                "type=PATH " + head + "item=0 name=\"/etc/shadow\" inode=2051 dev=08:01 mode=0100640 ouid=0 ogid=42 rdev=00:00 nametype=NORMAL",
                "type=EOE " + head);
        EventDocument read = docs.get(0);
        assertEquals("read", read.text("event.action"));
        assertEquals("/etc/shadow", read.text("file.path"));
        assertEquals(ID, read.text("container.id"));
        assertEquals("podman", read.text("container.runtime"));
    }
}
