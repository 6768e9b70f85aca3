package org.fleetrec.agent.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditEventAssembler;
import org.fleetrec.agent.audit.AuditRecordParser;
import org.fleetrec.agent.host.HostIdentity;
import org.fleetrec.agent.host.UserNames;
import org.fleetrec.agent.process.EventMapper;
import org.fleetrec.agent.process.ProcessTable;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Audit logs from other machines: the events the data's oracles count, processes linked from the
 * log alone, names only from the log, and nothing of this host (its /proc, its files, its users).
 */
class AuditImportTest {
    private static final String LIBAUDIT = "linux-audit/go-libaudit/";
    private static final String LAUREL = "linux-audit/laurel/testdata/";

    /** README A1: the reassembler's expected events per file (restated from go-libaudit's tests). */
    @Test
    void theReassemblerOraclesEventCountsHold() throws Exception {
        Map<String, Integer> events = Map.of("normal.log", 5, "lost_messages.log", 5, "out_of_order.log", 5, "rollover.log", 5);
        for (var expected : events.entrySet()) {
            CollectingRun run = CollectingRun.of("evidence-host", List.of(CollectingRun.shared(LIBAUDIT + "testdata/" + expected.getKey())));
            assertEquals(expected.getValue().longValue(), run.summary.auditEvents(), expected.getKey());
            assertEquals(Map.of(), run.summary.failed(), expected.getKey());
            assertEquals(run.summary.auditEvents(), run.summary.documents() + ImportSummary.total(run.summary.skipped()),
                    "each event a document or a stated skip: " + expected.getKey());
        }
    }

    /** README A1: auparse's golden file has one parsed record per line, null where the line is unreadable. */
    @Test
    void everyLineFailsExactlyWhereTheGoldenParserFails() throws Exception {
        Path folder = CollectingRun.shared(LIBAUDIT + "auparse/testdata");
        try (var logs = Files.list(folder)) {
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                JsonNode golden = EventCodec.mapper().readTree(log.resolveSibling(log.getFileName() + ".golden").toFile());
                List<String> unreadable = new ArrayList<>();
                for (int i = 0; i < golden.size(); i++) if (golden.get(i).isNull()) unreadable.add(log + ":" + (i + 1));
                CollectingRun run = CollectingRun.of("evidence-host", List.of(log));
                List<String> failedAt = run.summary.failed().values().stream().map(ImportSummary.Reason::firstAt).sorted().toList();
                assertEquals(unreadable, failedAt, "failures of " + log.getFileName());
                assertEquals(golden.size(), run.summary.records(), "records of " + log.getFileName());
            }
        }
    }

    @Test
    void namesComeFromAnEnrichedLogAndNeverFromThisHost() throws Exception {
        CollectingRun enriched = CollectingRun.of(null, List.of(CollectingRun.shared(LAUREL + "record-execve.txt")));
        EventDocument exec = enriched.documents.stream().filter(d -> "executed".equals(d.text("event.action"))).findFirst().orElseThrow();
        assertEquals("work", exec.text("host.name"), "the machine named in node=");
        assertEquals("0", exec.text("user.id"));
        assertEquals("root", exec.text("user.name"));
        assertEquals("1000", exec.text("user.audit.id"));
        assertEquals("user", exec.text("user.audit.name"), "the recording machine's name for uid 1000");

        CollectingRun raw = CollectingRun.of("evidence-host", List.of(CollectingRun.shared(LIBAUDIT + "testdata/normal.log")));
        assertFalse(raw.documents.isEmpty());
        for (EventDocument doc : raw.documents) {
            assertEquals("evidence-host", doc.text("host.name"));
            assertNull(doc.text("user.name"), "this host's /etc/passwd names nobody of another machine: " + doc);
            assertNull(doc.text("process.hash.sha256"), "a file of the same name here is not what ran there: " + doc);
        }
    }

    /** laurel's trace draws the tree in its comments: subshells fold into the shell, children hang under it. */
    @Test
    void theProcessTreeIsBuiltFromTheLogAlone() throws Exception {
        CollectingRun run = CollectingRun.of("trace-host", List.of(CollectingRun.shared(LAUREL + "shell-proc-trace.txt")));
        Map<Long, EventDocument> execs = run.documents.stream().filter(d -> "executed".equals(d.text("event.action")))
                .collect(Collectors.toMap(d -> d.get("process.pid").asLong(), d -> d));
        assertEquals(Set.of(71505L, 71507L, 71508L, 71509L), execs.keySet(), "the script, grep, echo and sed");
        String script = execs.get(71505L).text("process.entity_id");
        assertEquals("/usr/bin/dash", execs.get(71505L).text("process.executable"));
        for (long child : new long[]{71507, 71508, 71509}) {
            assertEquals(script, execs.get(child).text("process.parent.entity_id"), "parent of " + child);
            assertEquals("/usr/bin/dash", execs.get(child).text("process.parent.executable"));
        }
        String shell = execs.get(71505L).text("process.parent.entity_id");
        assertTrue(shell != null && !shell.equals(script), "the shell that never executed in the log is inferred");
        assertEquals(4, execs.values().stream().map(d -> d.text("process.entity_id")).distinct().count());
        CollectingRun again = CollectingRun.of("trace-host", List.of(CollectingRun.shared(LAUREL + "shell-proc-trace.txt")));
        assertEquals(run.documents.stream().map(EventDocument::toString).toList(),
                again.documents.stream().map(EventDocument::toString).toList(), "the same documents on every import");
    }

    @Test
    void aLogThatNamesNoHostNeedsOne() throws Exception {
        CollectingRun run = CollectingRun.of(null, List.of(CollectingRun.shared(LIBAUDIT + "testdata/normal.log")));
        assertEquals(0, run.summary.documents());
        assertEquals(Set.of("the record names no host (no node=), and no --host was given"), run.summary.failed().keySet());
        assertEquals(run.summary.records(), ImportSummary.total(run.summary.failed()));
    }

    /**
     * A path from another machine is kept as written: a directory of the same name here may be a
     * symlink, which says nothing of where the file was there. The live mapper resolves the same
     * record, so the difference is the evidence mode and not the record.
     */
    @Test
    void anImportedPathIsKeptAsWrittenWhereALiveOneIsResolved(@TempDir Path dir) throws Exception {
        Path real = Files.createDirectories(dir.resolve("real"));
        Files.createSymbolicLink(dir.resolve("link"), real);
        String written = dir.resolve("link").resolve("notes.txt").toString();
        String head = "msg=audit(1700000000.100:77): ";
        List<String> lines = List.of(
                "type=SYSCALL " + head + "arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=55d0 a2=0 a3=0 items=1"
                        + " ppid=1 pid=4242 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000"
                        + " fsgid=1000 tty=pts0 ses=3 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"fleetrec\"",
                "type=CWD " + head + "cwd=\"/\"",
                "type=PATH " + head + "item=0 name=\"" + written + "\" inode=1311 dev=08:01 mode=0100644 ouid=1000"
                        + " ogid=1000 rdev=00:00 nametype=NORMAL",
                "type=EOE " + head);
        Path log = Files.writeString(Files.createDirectories(dir.resolve("logs")).resolve("audit.log"),
                String.join("\n", lines) + "\n");

        CollectingRun run = CollectingRun.of("evidence-host", List.of(log));
        EventDocument imported = run.documents.stream().filter(d -> "file".equals(d.text("event.dataset"))).findFirst().orElseThrow();
        assertEquals("read", imported.text("event.action"));
        assertEquals(written, imported.text("file.path"));
        assertEquals(dir.resolve("link").toString(), imported.text("file.directory"));

        Path proc = Files.createDirectories(dir.resolve("proc"));
        Files.writeString(proc.resolve("stat"), "cpu 1 2 3\nbtime 1700000000\n");
        HostIdentity host = new HostIdentity("live-host", "lab", "boot-1", "Linux", "6.1", "amd64");
        EventMapper live = new EventMapper(new ProcessTable(host, proc), UserNames.none(), proc);
        List<AuditEvent> events = new ArrayList<>();
        AuditEventAssembler assembler = new AuditEventAssembler(events::add, 2_000);
        for (String line : lines) assembler.accept(AuditRecordParser.parseLine(line));
        assembler.flushAll();
        assertEquals(1, events.size());
        EventDocument resolved = live.map(events.get(0)).get(0);
        assertEquals(real.toRealPath().resolve("notes.txt").toString(), resolved.text("file.path"));
    }

    /** A cut gzip keeps what was read before the cut, says so, and the next file is imported whole. */
    @Test
    void aBrokenGzipLosesOnlyWhatIsPastTheBreak(@TempDir Path dir) throws Exception {
        StringBuilder log = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            long serial = 1000 + i;
            log.append("type=SYSCALL msg=audit(1700000000.").append(String.format("%03d", i % 1000)).append(':').append(serial)
                    .append("): arch=c000003e syscall=2 success=yes exit=3 a0=0 a1=0 a2=0 a3=0 items=1 ppid=1 pid=").append(100 + i)
                    .append(" auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295")
                    .append(" comm=\"cat\" exe=\"/usr/bin/cat\" key=(null)\n")
                    .append("type=EOE msg=audit(1700000000.").append(String.format("%03d", i % 1000)).append(':').append(serial).append("): \n");
        }
        byte[] whole = gzip(log.toString());
        Path broken = dir.resolve("a-broken.log.gz");
        Files.write(broken, Arrays.copyOf(whole, whole.length / 2));
        Path fine = dir.resolve("b-fine.log.gz");
        Files.write(fine, whole);
        CollectingRun run = CollectingRun.of("cut-host", List.of(dir));
        var failures = run.summary.failed();
        assertEquals(1, failures.size(), failures.toString());
        String reason = failures.keySet().iterator().next();
        assertTrue(reason.startsWith("the file could not be read to its end"), reason);
        assertEquals(broken.toString(), failures.get(reason).firstAt());
        long fromBroken = run.documents.stream().filter(d -> d.text("log.file.path").equals(broken.toString())).count();
        long fromFine = run.documents.stream().filter(d -> d.text("log.file.path").equals(fine.toString())).count();
        assertEquals(2000, fromFine, "the file after the broken one is whole");
        assertTrue(fromBroken > 0 && fromBroken < 2000, "what was read before the cut is kept: " + fromBroken);
    }

    private static byte[] gzip(String text) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
