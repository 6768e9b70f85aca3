package org.fleetrec.detection.sigma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * SigmaHQ's auditd rules over audit records turned into documents by the agent's own parser,
 * assembler and mappers: each audit field the rules use must land where the mapping says, for
 * execs (EXECVE aN), file creations (PATH name/nametype), raw syscalls (SYSCALL aN), user-space
 * records (type) and the comm of a process the log saw executing. Each case also has a near miss.
 */
class SigmaAuditMappingTest {
    private static RuleSet rules;

    private static RuleSet rules() throws IOException {
        if (rules == null) rules = RuleSet.load(SharedData.path("sigma/rules/linux/auditd"));
        return rules;
    }

    @Test
    void execArgumentsByPosition() throws IOException {
        assertTrue(titles(exec(101, 1000, "/usr/bin/chmod", "chmod", "777", "/tmp/x")).contains("Suspicious Commands Linux"));
        assertFalse(titles(exec(102, 1000, "/usr/bin/chmod", "chmod", "755", "/tmp/x")).contains("Suspicious Commands Linux"));
        assertFalse(titles(exec(103, 1000, "/usr/bin/ls", "ls", "chmod", "777")).contains("Suspicious Commands Linux"), "a0 is argv[0], not any argument");
    }

    @Test
    void execAsTheWebServerUser() throws IOException {
        assertTrue(titles(exec(104, 33, "/usr/bin/id", "id")).contains("Webshell Remote Command Execution"));
        assertFalse(titles(exec(105, 1000, "/usr/bin/id", "id")).contains("Webshell Remote Command Execution"));
    }

    @Test
    void systemdUnitCreatedThroughAPathRecord() throws IOException {
        String unit = "Systemd Service Creation";
        assertTrue(titles(create(201, "/etc/systemd/system/evil.service", "CREATE")).contains(unit));
        assertFalse(titles(create(202, "/etc/systemd/system/evil.service", "NORMAL")).contains(unit), "opened, not created");
        assertFalse(titles(create(203, "/etc/evil.service", "CREATE")).contains(unit));
    }

    /** Calls no mapper claims stay raw: their name and SYSCALL arguments are auditd.data.*. */
    @Test
    void rawSyscallNameAndArguments() throws IOException {
        List<String> memfd = List.of(
                "type=SYSCALL msg=audit(1700000010.000:301): arch=c000003e syscall=319 success=yes exit=3 a0=7ffc a1=0 a2=0 a3=0 items=0 ppid=1 pid=900 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=1 comm=\"ecasound\" exe=\"/usr/bin/ecasound\" key=\"memfd\"",
                "type=PROCTITLE msg=audit(1700000010.000:301): proctitle=6563617300");
        assertTrue(titles(AuditDocuments.of(memfd)).contains("Audio Capture"));
        assertFalse(titles(AuditDocuments.of(List.of(memfd.get(0).replace("syscall=319", "syscall=62"), memfd.get(1)))).contains("Audio Capture"));

        RuleSet attach = TestRules.set("product: linux\nservice: auditd\n", "sel:\n  type: SYSCALL\n  SYSCALL: ptrace\n  a0: 10\ncondition: sel");
        assertTrue(attach.rejected().isEmpty(), attach.rejected().toString());
        String ptrace = "type=SYSCALL msg=audit(1700000011.000:302): arch=c000003e syscall=101 success=yes exit=0 a0=10 a1=4d2 a2=0 a3=0 items=0 ppid=1 pid=901 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=1 comm=\"gdb\" exe=\"/usr/bin/gdb\" key=(null)";
        assertTrue(TestRules.fires(attach, AuditDocuments.of(List.of(ptrace)).get(0)), "PTRACE_ATTACH (0x10)");
        assertFalse(TestRules.fires(attach, AuditDocuments.of(List.of(ptrace.replace("a0=10", "a0=0"))).get(0)), "PTRACE_TRACEME");
    }

    @Test
    void userSpaceRecordTypes() throws IOException {
        String stop = "type=SERVICE_STOP msg=audit(1700000020.000:401): pid=1 uid=0 auid=4294967295 ses=4294967295 "
                + "msg='unit=firewalld comm=\"systemd\" exe=\"/usr/lib/systemd/systemd\" hostname=? addr=? terminal=? res=success'";
        assertTrue(titles(AuditDocuments.of(List.of(stop))).contains("Disable System Firewall"));
        assertFalse(titles(AuditDocuments.of(List.of(stop.replace("firewalld", "cups")))).contains("Disable System Firewall"));
        String added = "type=ADD_USER msg=audit(1700000021.000:402): pid=700 uid=0 auid=1000 ses=1 "
                + "msg='op=adding user id=1004 exe=\"/usr/sbin/useradd\" hostname=? addr=? terminal=pts/0 res=success'";
        assertTrue(titles(AuditDocuments.of(List.of(added))).contains("Creation Of An User Account"));
    }

    /** comm is the name the process was executed under: insmod, though the binary is kmod. */
    @Test
    void commOfAProcessSeenExecuting() throws IOException {
        List<String> log = List.of(
                "type=SYSCALL msg=audit(1700000030.000:501): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=2 ppid=1 pid=950 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"insmod\" exe=\"/usr/bin/kmod\" key=(null)",
                "type=EXECVE msg=audit(1700000030.000:501): argc=2 a0=\"insmod\" a1=\"evil.ko\"",
                "type=SYSCALL msg=audit(1700000030.100:502): arch=c000003e syscall=313 success=yes exit=0 a0=3 a1=0 a2=0 a3=0 items=0 ppid=1 pid=950 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"insmod\" exe=\"/usr/bin/kmod\" key=\"modules\"",
                "type=KERN_MODULE msg=audit(1700000030.100:502): name=\"evil\"");
        List<EventDocument> docs = AuditDocuments.of(log);
        assertEquals(2, docs.size());
        String insmod = "Loading of Kernel Module via Insmod";
        for (EventDocument d : docs) {
            assertTrue(rules().evaluate(d).stream().anyMatch(m -> m.title().equals(insmod)), d.toString());
        }
        List<EventDocument> modprobe = AuditDocuments.of(log.stream().map(l -> l.replace("insmod", "modprobe")).toList());
        for (EventDocument d : modprobe) assertTrue(rules().evaluate(d).stream().noneMatch(m -> m.title().equals(insmod)));
    }

    private static List<EventDocument> exec(int serial, int euid, String exe, String... args) throws IOException {
        StringBuilder execve = new StringBuilder("type=EXECVE msg=audit(1700000000.000:" + serial + "): argc=" + args.length);
        for (int i = 0; i < args.length; i++) execve.append(" a").append(i).append("=\"").append(args[i]).append('"');
        return AuditDocuments.of(List.of(
                "type=SYSCALL msg=audit(1700000000.000:" + serial + "): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=2 ppid=1 pid=" + (800 + serial)
                        + " auid=1000 uid=" + euid + " gid=1000 euid=" + euid + " suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=1 comm=\"" + args[0] + "\" exe=\"" + exe + "\" key=(null)",
                execve.toString(),
                "type=CWD msg=audit(1700000000.000:" + serial + "): cwd=\"/home/alice\"",
                "type=PATH msg=audit(1700000000.000:" + serial + "): item=0 name=\"" + exe + "\" inode=5 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL"));
    }

    /** openat(O_WRONLY|O_CREAT|O_TRUNC) of {@code path}, with the item's nametype as given. */
    private static List<EventDocument> create(int serial, String path, String nametype) throws IOException {
        String dir = path.substring(0, path.lastIndexOf('/') + 1);
        return AuditDocuments.of(List.of(
                "type=SYSCALL msg=audit(1700000001.000:" + serial + "): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffd a2=241 a3=1b6 items=2 ppid=1 pid=1234 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"tee\" exe=\"/usr/bin/tee\" key=\"systemd\"",
                "type=CWD msg=audit(1700000001.000:" + serial + "): cwd=\"/root\"",
                "type=PATH msg=audit(1700000001.000:" + serial + "): item=0 name=\"" + dir + "\" inode=1 dev=08:01 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=PARENT",
                "type=PATH msg=audit(1700000001.000:" + serial + "): item=1 name=\"" + path + "\" inode=2 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=" + nametype));
    }

    private static Set<String> titles(List<EventDocument> docs) throws IOException {
        Set<String> out = new TreeSet<>();
        for (EventDocument d : docs) rules().evaluate(d).forEach(m -> out.add(m.title()));
        return out;
    }
}
