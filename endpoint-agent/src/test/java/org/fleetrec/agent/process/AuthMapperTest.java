package org.fleetrec.agent.process;

import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditEventAssembler;
import org.fleetrec.agent.audit.AuditRecord;
import org.fleetrec.agent.audit.AuditRecordParser;
import org.fleetrec.agent.audit.AuditTestData;
import org.fleetrec.agent.host.HostIdentity;
import org.fleetrec.agent.host.UserNames;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** User-space records (PAM, shadow-utils, sshd, sudo) as auth documents, checked against public oracles. */
class AuthMapperTest {
    @TempDir
    Path dir;

    private EventMapper mapper() throws Exception {
        Files.writeString(dir.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n");
        Files.writeString(dir.resolve("group"), "root:x:0:\n");
        Path proc = Files.createDirectories(dir.resolve("proc"));
        return new EventMapper(new ProcessTable(new HostIdentity("h", "n", "b", "os", "k", "a"), proc),
                new UserNames(dir.resolve("passwd"), dir.resolve("group")), proc);
    }

    private List<EventDocument> map(List<AuditRecord> records) throws Exception {
        EventMapper mapper = mapper();
        List<AuditEvent> events = new ArrayList<>();
        AuditEventAssembler assembler = new AuditEventAssembler(events::add, 1_000);
        records.forEach(assembler::accept);
        assembler.flushAll();
        List<EventDocument> docs = new ArrayList<>();
        events.forEach(e -> docs.addAll(mapper.map(e)));
        return docs;
    }

    @Test
    void shadowUtilsAndPamRecordsMatchTheFilebeatOracleWhereTheSchemasAgree() throws Exception {
        Path log = AuditTestData.linuxAudit("filebeat-auditd-module/useradd.log");
        JsonNode expected = EventCodec.mapper().readTree(
                AuditTestData.linuxAudit("filebeat-auditd-module/useradd.log-expected.json").toFile());
        List<EventDocument> docs = map(AuditTestData.records(log));
        assertEquals(expected.size(), docs.size());
        for (int i = 0; i < docs.size(); i++) {
            EventDocument doc = docs.get(i);
            JsonNode oracle = expected.get(i);
            String what = oracle.path("auditd.log.record_type").asText();
            assertEquals("auth", doc.text("event.dataset"), what);
            assertEquals(oracle.path("event.outcome").asText(), doc.text("event.outcome"), what);
            assertEquals(oracle.path("event.category").get(0).asText(), doc.get("event.category").get(0).asText(), what);
            assertEquals(oracle.path("process.executable").asText(), doc.text("process.executable"), what);
            assertEquals(oracle.path("process.pid").asLong(), doc.get("process.pid").asLong(), what);
            assertEquals(oracle.path("source.ip").asText(), doc.text("source.ip"), what);
            assertEquals(oracle.path("user.audit.id").asText(), doc.text("user.audit.id"), what);
            if (oracle.has("user.target.id")) assertEquals(oracle.path("user.target.id").asText(), doc.text("user.target.id"), what);
            if (oracle.has("user.target.name")) assertEquals(oracle.path("user.target.name").asText(), doc.text("user.target.name"), what);
        }
        assertEquals("added-user-account", docs.get(3).text("event.action"));
        assertEquals("changed-password", docs.get(5).text("event.action"));
        assertEquals("root", docs.get(6).text("user.name"), "USER_AUTH names the account being authenticated");
    }

    @Test
    void aFailedSshLoginKeepsWhereItCameFromAndTheHexAccount() throws Exception {
        EventDocument login = map(List.of(AuditRecordParser.parseLine("type=USER_LOGIN msg=audit(1493216050.975:21203): "
                + "pid=10617 uid=0 auid=4294967295 ses=4294967295 msg='op=login acct=28696E76616C6964207573657229 "
                + "exe=\"/usr/sbin/sshd\" hostname=? addr=31.207.47.36 terminal=sshd res=failed'"))).get(0);
        assertEquals("logged-in", login.text("event.action"));
        assertEquals("failure", login.text("event.outcome"));
        assertEquals("31.207.47.36", login.text("source.ip"));
        assertEquals("(invalid user)", login.text("user.name"));
        assertEquals("/usr/sbin/sshd", login.text("process.executable"));
        assertEquals(null, login.get("user.audit.id"), "auid unset means no login user");
    }
}
