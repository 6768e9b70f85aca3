package org.fleetrec.agent.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Acceptance over every raw audit log in the shared public data (read in place): each record line parses,
 * and the assembler makes exactly one event per distinct {@code (timestamp, serial)} pair. The pairs are
 * counted with a regex over the raw text, independently of the parser under test.
 */
class AuditCorpusAcceptanceTest {
    /** The stamp as auditd writes it; deliberately not the parser's code. */
    private static final Pattern STAMP = Pattern.compile("msg=audit\\((\\d+(?:\\.\\d+)?):(\\d+)\\)");

    /**
     * Lines of the raw logs that are not parseable records, on purpose, with the reason. Everything else
     * must parse. Not listed because they are not record lines at all: laurel's {@code #} comment lines
     * (skipped by {@link AuditTestData#recordLines}) and laurel's {@code tree/README.txt} (prose, left out by
     * {@link AuditTestData#rawAuditLogs}). Odd but valid, so it must parse: laurel's
     * {@code type=UNKNOWN[1420] msg=audit(...)}, written by an auditd that had no name yet for
     * MAC_TASK_CONTEXTS; the number is still the type.
     */
    private static final Map<String, String> FOREIGN_LINES = Map.of(
            "go-libaudit/auparse/testdata/audit-rhel7.log\ttype=UNKNOWN[1329] msg=?",
            "auditd writes this when it has neither a name for type 1329 (AUDIT_REPLACE) nor the record text: "
                    + "there is no stamp, so no serial to group by; go-libaudit's golden rejects it too (null)");

    /**
     * KNOWN ASSEMBLER BUG, pinned exactly so that fixing it turns these entries red: where a record of a type
     * {@link AuditEventAssembler} treats as always alone (AVC, LOGIN, SERVICE_START: types below 1300 or in
     * the 1400s) comes <em>before</em> the SYSCALL of the same kernel event, it is emitted at once as its own
     * event and the SYSCALL group that follows becomes a second event with the same (time, serial). The
     * kernel does this whenever such a record is raised inside a syscall (an AppArmor/SELinux denial, the
     * auid change on login, a userspace message sent over netlink while a rule audits sendto). Key: test
     * name TAB pair; value: how many events that one pair currently becomes.
     */
    @TestFactory
    Stream<DynamicTest> everyRawLogParsesAndAssemblesIntoOneEventPerTimestampAndSerial() throws IOException {
        List<Path> files = AuditTestData.rawAuditLogs();
        assertTrue(files.size() >= 55, "expected the whole linux-audit folder, found " + files.size() + " files");
        return files.stream().map(f -> DynamicTest.dynamicTest(AuditTestData.name(f), () -> checkFile(f)));
    }

    private static void checkFile(Path file) throws IOException {
        String name = AuditTestData.name(file);
        List<AuditRecord> records = new ArrayList<>();
        List<String> stamped = new ArrayList<>();
        for (String line : AuditTestData.recordLines(file)) {
            String reason = FOREIGN_LINES.get(name + "\t" + line);
            if (reason != null) {
                assertThrows(AuditParseException.class, () -> AuditRecordParser.parseLine(line), reason);
                assertFalse(STAMP.matcher(line).find(), "a foreign line must not count as a pair: " + line);
                continue;
            }
            try {
                records.add(AuditRecordParser.parseLine(line));
            } catch (RuntimeException e) {
                fail(name + ": unexpected " + e + " for line: " + line, e);
            }
            stamped.add(line);
        }
        assertFalse(records.isEmpty(), name + " has no records");
        assertAssemblesToOneEventPerPair(name, records, stamped);
    }

    /** One test value of go-libaudit's aucoalesce YAML is one raw event, as multi-line text. */
    @TestFactory
    Stream<DynamicTest> everyAucoalesceYamlEventParsesAndAssemblesToOneEvent() throws IOException {
        Path dir = AuditTestData.linuxAudit("go-libaudit/aucoalesce/testdata");
        List<Path> yamls;
        try (Stream<Path> s = Files.list(dir)) {
            yamls = s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path yaml : yamls) {
            for (Map.Entry<String, String> t : AuditTestData.aucoalesceEvents(yaml).entrySet()) {
                String name = yaml.getFileName() + " / " + t.getKey();
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    List<String> lines = t.getValue().lines().filter(l -> !l.isBlank()).toList();
                    List<AuditRecord> records = new ArrayList<>();
                    for (String line : lines) {
                        records.add(AuditRecordParser.parseLine(line));
                    }
                    assertEquals(1, pairs(lines).size(), name + ": each test value is one event");
                    assertAssemblesToOneEventPerPair(name, records, lines);
                }));
            }
        }
        assertEquals(48, tests.size(), "the README promises 48 tests in 8 files");
        return tests.stream();
    }

    private static void assertAssemblesToOneEventPerPair(String name, List<AuditRecord> records, List<String> lines) {
        List<AuditEvent> events = new ArrayList<>();
        AuditEventAssembler assembler = new AuditEventAssembler(events::add, 2_000);
        for (AuditRecord r : records) {
            assembler.accept(r);
            assertTrue(assembler.inFlight() <= AuditEventAssembler.MAX_IN_FLIGHT);
        }
        assembler.flushAll();
        assertEquals(0, assembler.inFlight());

        Set<String> pairs = pairs(lines);
        Map<String, Integer> eventsPerPair = new TreeMap<>();
        for (AuditEvent e : events) {
            eventsPerPair.merge(pairOf(e.records().get(0)), 1, Integer::sum);
        }
        assertEquals(new TreeSet<>(pairs), eventsPerPair.keySet(), name + ": " + describe(events));
        Map<String, Integer> split = new TreeMap<>();
        eventsPerPair.forEach((pair, n) -> {
            if (n != 1) {
                split.put(pair, n);
            }
        });
        assertEquals(Map.of(), split, name + ": pairs that became more than one event; events " + describe(events));
        assertEquals(pairs.size(), events.size(), name + ": events " + describe(events) + " vs pairs " + pairs);

        // Nothing lost or duplicated on the way: every record except the EOE markers is in exactly one event,
        // and an event holds only records of its own serial.
        long nonEoe = records.stream().filter(r -> r.type() != RecordTypes.EOE).count();
        assertEquals(nonEoe, events.stream().mapToLong(e -> e.records().size()).sum(), name);
        for (AuditEvent e : events) {
            for (AuditRecord r : e.records()) {
                assertEquals(e.serial(), r.serial(), name);
            }
        }
    }

    private static Set<String> pairs(List<String> lines) {
        Set<String> pairs = new LinkedHashSet<>();
        for (String line : lines) {
            Matcher m = STAMP.matcher(line);
            if (m.find()) {
                pairs.add(m.group(1) + ":" + m.group(2));
            }
        }
        return pairs;
    }

    /** The record's own stamp text, found the same independent way. */
    private static String pairOf(AuditRecord r) {
        Matcher m = STAMP.matcher(r.text());
        assertTrue(m.find(), r.text());
        return m.group(1) + ":" + m.group(2);
    }

    private static String describe(List<AuditEvent> events) {
        StringBuilder sb = new StringBuilder("[");
        for (AuditEvent e : events) {
            sb.append(e.serial()).append(':');
            e.records().forEach(r -> sb.append(r.typeName()).append(','));
            sb.setLength(sb.length() - 1);
            sb.append(' ');
        }
        return sb.append(']').toString();
    }

    /**
     * The auoms rows (Azure Log Analytics JSON around Microsoft's auditd replacement's own format) are not
     * audit.log lines and must be rejected cleanly, both as the raw row and as the embedded syslog
     * message ({@code type=AUOMS_EXECVE audit(...): ...}: no {@code msg=}, and a type auditd never wrote).
     */
    @Test
    void auomsRowsAreRejectedWithAuditParseExceptionOnly() throws IOException {
        Path f = AuditTestData.linuxAudit("otrf-log4shell-auoms/"
                + "syslog_auoms_auditd_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json");
        ObjectMapper json = new ObjectMapper();
        int rows = 0;
        for (String row : AuditTestData.lines(f)) {
            assertThrows(AuditParseException.class, () -> AuditRecordParser.parseLine(row), row);
            JsonNode message = json.readTree(row).get("SyslogMessage");
            assertTrue(message != null && message.isTextual(), row);
            assertThrows(AuditParseException.class, () -> AuditRecordParser.parseLine(message.asText()),
                    message.asText());
            rows++;
        }
        assertEquals(50, rows);
    }
}
