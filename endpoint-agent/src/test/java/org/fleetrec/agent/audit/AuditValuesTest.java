package org.fleetrec.agent.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AuditValuesTest {

    @Test
    void decodeHexOrText() {
        assertEquals("cafe", AuditValues.decodeHexOrText("\"cafe\""));
        assertEquals("ab c", AuditValues.decodeHexOrText("61622063"));
        assertEquals("(null)", AuditValues.decodeHexOrText("(null)"));
        assertEquals("abc", AuditValues.decodeHexOrText("abc"), "odd length is not hex");
        assertEquals("", AuditValues.decodeHexOrText("\"\""));
        assertEquals("", AuditValues.decodeHexOrText(""));
        assertEquals("é", AuditValues.decodeHexOrText("C3A9"), "UTF-8");
        assertEquals(null, AuditValues.decodeHexOrText(null));
    }

    @Test
    void proctitleArgs() {
        assertEquals(List.of("/bin/echo", "a b"), AuditValues.proctitleArgs("2F62696E2F6563686F0061206200"));
        assertEquals(List.of("a", "", "b"), AuditValues.proctitleArgs("61000062"));
        assertEquals(List.of("bash"), AuditValues.proctitleArgs("\"bash\""));
        assertEquals(List.of("sleep", "1"), AuditValues.proctitleArgs("736C6565700031"));
        assertEquals(List.of(), AuditValues.proctitleArgs(""));
    }

    /** filebeat module oracle: a2 is hex because it contains quotes and blanks. */
    @Test
    void execveHexArgMatchesFilebeat() throws IOException {
        Path log = AuditTestData.linuxAudit("filebeat-auditd-module/execve-hex-arg.log");
        JsonNode expected = new ObjectMapper().readTree(
                Files.readString(log.resolveSibling("execve-hex-arg-expected.json")));
        JsonNode doc = expected.isArray() ? expected.get(0) : expected;
        List<String> want = new ArrayList<>();
        doc.get("process.args").forEach(n -> want.add(n.asText()));
        List<String> args = AuditValues.execveArgs(AuditTestData.records(log));
        assertEquals(want, args);
        assertEquals(doc.get("process.args_count").asInt(), args.size());
    }

    /** audit-userspace test4.log: argc=48 on one line; every arg present, proctitle (128 bytes) agrees. */
    @Test
    void longArgcFromAuparse() throws IOException {
        Path log = AuditTestData.linuxAudit("audit-userspace-auparse/test4.log");
        List<AuditRecord> all = AuditTestData.records(log);
        Map<Long, List<AuditRecord>> bySerial = new TreeMap<>();
        all.forEach(r -> bySerial.computeIfAbsent(r.serial(), k -> new ArrayList<>()).add(r));
        List<AuditRecord> first = bySerial.get(25618L);
        List<AuditRecord> execve = first.stream().filter(r -> r.type() == RecordTypes.EXECVE).toList();
        List<String> args = AuditValues.execveArgs(execve);
        assertEquals(48, args.size());
        assertEquals("/bin/sh", args.get(0));
        assertEquals("-efu", args.get(1));
        assertEquals("/usr/bin/ld", args.get(2));
        List<String> title = AuditValues.proctitleArgs(first.stream()
                .filter(r -> r.type() == RecordTypes.PROCTITLE).findFirst().orElseThrow().field("proctitle"));
        // proctitle is cut at 128 bytes: all but its last element are complete args
        assertEquals(args.subList(0, title.size() - 1), title.subList(0, title.size() - 1));
        assertTrue(args.get(title.size() - 1).startsWith(title.get(title.size() - 1)));
        for (Map.Entry<Long, List<AuditRecord>> e : bySerial.entrySet()) {
            List<AuditRecord> ex = e.getValue().stream().filter(r -> r.type() == RecordTypes.EXECVE).toList();
            if (!ex.isEmpty()) {
                assertEquals(Long.parseLong(ex.get(0).field("argc")), AuditValues.execveArgs(ex).size(),
                        "serial " + e.getKey());
            }
        }
    }

    /** laurel oracle: one 8 KiB argument split as a1_len / a1[0..n] over several EXECVE records. */
    @Test
    void execveLongArgMatchesLaurel() throws IOException {
        Path txt = AuditTestData.linuxAudit("laurel/testdata/record-execve-long.txt");
        JsonNode expected = new ObjectMapper().readTree(Files.readString(txt.resolveSibling("record-execve-long.json")));
        List<String> want = new ArrayList<>();
        expected.get("EXECVE").get("ARGV").forEach(n -> want.add(n.asText()));
        List<AuditRecord> records = AuditTestData.records(txt);
        List<AuditRecord> execve = records.stream().filter(r -> r.type() == RecordTypes.EXECVE).toList();
        assertTrue(execve.size() > 1, "argument is split across records");
        List<String> args = AuditValues.execveArgs(execve);
        assertEquals(want, args);
        assertEquals(Long.parseLong(execve.get(0).field("a1_len")), args.get(1).length() * 2L,
                "a1_len counts hex characters");
        List<String> title = new ArrayList<>();
        expected.get("PROCTITLE").get("ARGV").forEach(n -> title.add(n.asText()));
        assertEquals(title, AuditValues.proctitleArgs(records.stream()
                .filter(r -> r.type() == RecordTypes.PROCTITLE).findFirst().orElseThrow().field("proctitle")));
    }

    @Test
    void quotedChunksAndMissingArgs() {
        AuditRecord a = AuditRecordParser.parse(RecordTypes.EXECVE,
                "audit(1.000:7): argc=4 a0=\"x\" a1_len=6 a1[0]=\"abc\"");
        AuditRecord b = AuditRecordParser.parse(RecordTypes.EXECVE, "audit(1.000:7): a1[1]=646566 a3=\"z\"");
        assertEquals(List.of("x", "abcdef", "z"), AuditValues.execveArgs(List.of(a, b)),
                "a2 missing (lost record) is skipped, not invented");
        assertEquals(List.of(), AuditValues.execveArgs(List.of()));
    }
}
