package org.fleetrec.agent.process;

import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditEventAssembler;
import org.fleetrec.agent.audit.AuditMutator;
import org.fleetrec.agent.audit.AuditParseException;
import org.fleetrec.agent.audit.AuditRecordParser;
import org.fleetrec.agent.host.HostIdentity;
import org.fleetrec.agent.host.UserNames;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's mapping path (parser, assembler, {@link EventMapper}) fed with the real shared logs and with
 * seeded mutations of them, against a fake /proc. The agent contains a mapper's RuntimeException per event
 * (counted as malformed, the event is lost), so for mutated input the test only requires that no Error
 * escapes and prints which exception types were contained (seen so far: InvalidPathException from a path
 * with a NUL, which a kernel never writes but a forged log can); clean real data must map without any.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventMapperFuzzTest {
    private static final long SEED = Long.getLong("fleetrec.fuzzSeed", 20_240_601L);
    private static final int MUTATIONS = 40_000;
    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(6);

    @TempDir
    Path dir;
    private EventMapper mapper;
    private final Map<String, Integer> thrown = new TreeMap<>();
    private long mapped;

    @BeforeEach
    void fakeHost() throws Exception {
        Path proc = Files.createDirectories(dir.resolve("proc"));
        Files.writeString(proc.resolve("stat"), "cpu 1 2 3\nbtime 1604990000\n");
        Files.writeString(dir.resolve("passwd"), "root:x:0:0::/root:/bin/bash\n");
        Files.writeString(dir.resolve("group"), "root:x:0:\n");
        HostIdentity host = new HostIdentity("host-1", "lab", "boot-1", "Linux", "5.4", "amd64");
        mapper = new EventMapper(new ProcessTable(host, proc), new UserNames(dir.resolve("passwd"),
                dir.resolve("group")), proc);
    }

    private void map(AuditEvent event) {
        try {
            mapper.map(event);
            mapped++;
        } catch (RuntimeException e) {
            // Contained by the agent (counted as malformed); recorded here to be reported.
            thrown.merge(e.getClass().getSimpleName(), 1, Integer::sum);
        }
    }

    @Test
    void realLogsMapWithoutAnyException() throws Exception {
        AuditEventAssembler assembler = new AuditEventAssembler(this::map, 2_000);
        for (String line : AuditMutator.sharedCorpus()) {
            try {
                assembler.accept(AuditRecordParser.parseLine(line));
            } catch (AuditParseException knownForeignLine) {
                // type=UNKNOWN[1329] msg=?, see AuditCorpusAcceptanceTest
            }
        }
        assembler.flushAll();
        assertEquals(Map.of(), thrown, "exceptions while mapping real, unmodified records");
        assertTrue(mapped > 250, "mapped only " + mapped);
    }

    @Test
    void mutatedRecordsNeverEscapeWithAnErrorFromTheMappers() throws Exception {
        AuditMutator mutator = new AuditMutator(SEED, AuditMutator.sharedCorpus());
        AuditEventAssembler assembler = new AuditEventAssembler(this::map, 2_000);
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int i = 0;
        for (; i < MUTATIONS && System.nanoTime() < deadline; i++) {
            try {
                assembler.accept(AuditRecordParser.parseLine(mutator.next()));
            } catch (AuditParseException rejected) {
                // fine
            }
            if (i % 2_000 == 1_999) {
                assembler.flushAll();
            }
        }
        assembler.flushAll();
        // StackOverflowError, OutOfMemoryError etc. would have failed the test by escaping map().
        System.out.println("EventMapperFuzzTest: " + i + " mutations, " + mapped + " events mapped, exceptions "
                + "contained by the agent: " + thrown);
        assertTrue(mapped > 100, "mapped only " + mapped);
    }
}
