package org.fleetrec.agent.process;

import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditEventAssembler;
import org.fleetrec.agent.audit.AuditRecord;
import org.fleetrec.agent.audit.AuditTestData;
import org.fleetrec.agent.host.HostIdentity;
import org.fleetrec.agent.host.UserNames;
import org.fleetrec.model.EntityIds;
import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recorded execve events (OTRF's arp-cache discovery run) mapped to ECS process documents. */
class ExecveMapperTest {
    private static final HostIdentity HOST = new HostIdentity("host-1", "lab", "boot-1", "Linux", "5.4", "amd64");

    @TempDir
    Path dir;
    private Path proc;
    private ExecveMapper mapper;
    private ProcessTable table;

    @BeforeEach
    void fakeHost() throws Exception {
        proc = Files.createDirectories(dir.resolve("proc"));
        Files.writeString(proc.resolve("stat"), "cpu 1 2 3\nbtime 1604990000\n");
        // The shell that ran the pipeline is alive (in this fake /proc); its children are already gone.
        writeStat(29002, "bash", 1, 5000);
        Files.writeString(dir.resolve("passwd"), "root:x:0:0::/root:/bin/bash\nwardog:x:1000:1000::/home/wardog:/bin/bash\n");
        Files.writeString(dir.resolve("group"), "root:x:0:\nwardog:x:1000:\n");
        table = new ProcessTable(HOST, proc);
        UserNames names = new UserNames(dir.resolve("passwd"), dir.resolve("group"));
        mapper = new ExecveMapper(table, new ProcessFields(table, names), new ExecutableHasher(proc, true));
    }

    private void writeStat(long pid, String comm, long ppid, long startTicks) throws Exception {
        Path p = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(p.resolve("stat"), pid + " (" + comm + ") S " + ppid
                + " 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 " + startTicks + " 1000 100\n");
        Files.deleteIfExists(p.resolve("exe"));
        Files.createSymbolicLink(p.resolve("exe"), Path.of("/bin/" + comm));
        Files.writeString(p.resolve("cmdline"), comm + "\0");
    }

    private List<AuditEvent> events(String file) throws Exception {
        List<AuditEvent> events = new ArrayList<>();
        AuditEventAssembler assembler = new AuditEventAssembler(events::add, 2_000);
        for (AuditRecord record : AuditTestData.records(AuditTestData.linuxAudit(file))) assembler.accept(record);
        assembler.flushAll();
        return events;
    }

    @Test
    void arpPipelineBecomesTwoProcessesOfOneParent() throws Exception {
        List<EventDocument> docs = events("otrf-security-datasets/sh_arp_cache_2020-11-10074812.log").stream()
                .filter(ExecveMapper::isExec).map(mapper::map).toList();
        assertEquals(2, docs.size());
        EventDocument arp = docs.get(0);
        assertEquals("/usr/sbin/arp", arp.text("process.executable"));
        assertEquals("arp", arp.text("process.name"));
        assertEquals("arp -a", arp.text("process.command_line"));
        assertEquals("/home/wardog", arp.text("process.working_directory"));
        assertEquals(1631, arp.get("process.pid").asLong());
        assertEquals("1000", arp.text("user.id"));
        assertEquals("wardog", arp.text("user.name"));
        assertEquals("wardog", arp.text("user.audit.name"));
        assertEquals("pts0", arp.text("process.tty.name"));
        assertEquals("104", arp.text("process.session_id"));
        assertEquals("success", arp.text("event.outcome"));
        assertEquals("2020-11-10T07:48:16.155Z", arp.text("@timestamp"));
        assertFalse(arp.has("auditd.key"), "key=(null) is no key");

        // The parent is the live shell, with the entity id /proc gives it.
        String shell = EntityIds.process("host-1", "boot-1", 29002, 5000, 0);
        assertEquals(shell, arp.text("process.parent.entity_id"));
        assertEquals(shell, docs.get(1).text("process.parent.entity_id"));
        assertEquals("bash", arp.text("process.parent.name"));

        EventDocument grep = docs.get(1);
        assertEquals("grep -v '^?'", grep.text("process.command_line"));
        assertEquals(List.of("grep", "-v", "^?"), List.of(grep.get("process.args").get(0).asText(),
                grep.get("process.args").get(1).asText(), grep.get("process.args").get(2).asText()));
        assertNotEquals(arp.text("process.entity_id"), grep.text("process.entity_id"));
        // Gone before it was read: the start is estimated from the event time, never before its parent.
        assertTrue(arp.text("process.start").compareTo(arp.text("process.parent.start")) >= 0);
    }

    @Test
    void laterEventsOfAProcessFindItsEntityAndASecondExecGetsANewOne() throws Exception {
        writeStat(1631, "arp", 29002, 7000);
        AuditEvent exec = events("otrf-security-datasets/sh_arp_cache_2020-11-10074812.log").get(0);
        EventDocument first = mapper.map(exec);
        assertEquals(EntityIds.process("host-1", "boot-1", 1631, 7000, 0), first.text("process.entity_id"));
        assertEquals(first.text("process.entity_id"), table.get(1631).orElseThrow().entityId());

        EventDocument second = mapper.map(exec); // the same task execs again
        assertEquals(EntityIds.process("host-1", "boot-1", 1631, 7000, 1), second.text("process.entity_id"));
    }

    @Test
    void aFailedExecIsRecordedButCreatesNoProcess() throws Exception {
        AuditEvent exec = events("otrf-security-datasets/sh_binary_padding_dd_2020-11-10081941.log").stream()
                .filter(ExecveMapper::isExec).findFirst().orElseThrow();
        List<AuditRecord> records = new ArrayList<>(exec.records());
        AuditRecord syscall = exec.first(org.fleetrec.agent.audit.RecordTypes.SYSCALL);
        records.set(records.indexOf(syscall), org.fleetrec.agent.audit.AuditRecordParser.parseLine(
                syscall.text().replace("success=yes", "success=no").replace("exit=0", "exit=-2")));
        EventDocument doc = mapper.map(new AuditEvent(exec.serial(), exec.epochMillis(), records));
        assertEquals("failure", doc.text("event.outcome"));
        assertNull(doc.get("process.entity_id"));
        assertTrue(table.get(doc.get("process.pid").asLong()).isEmpty());
        assertTrue(doc.text("process.command_line").startsWith("dd "), doc.text("process.command_line"));
    }
}
