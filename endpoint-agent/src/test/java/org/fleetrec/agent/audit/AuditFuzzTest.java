package org.fleetrec.agent.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded mutation fuzzing of real records from the shared logs through both parser entry points and the
 * assembler. The contract under test: the only exception that ever leaves the parser is
 * {@link AuditParseException}; nothing leaves the assembler; the assembler never holds more than
 * {@link AuditEventAssembler#MAX_IN_FLIGHT} events. Replay a failure with {@code -Dfleetrec.fuzzSeed=N}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuditFuzzTest {
    private static final long SEED = Long.getLong("fleetrec.fuzzSeed", 20_240_601L);
    private static final int MUTATIONS = 120_000;
    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(8);

    @Test
    void truncationAtEveryPositionOfASampleOfLines() throws IOException {
        List<String> corpus = AuditMutator.sharedCorpus();
        Random random = new Random(SEED);
        AuditEventAssembler assembler = new AuditEventAssembler(e -> { }, 2_000);
        Stats stats = new Stats();
        for (int n = 0; n < 60; n++) {
            String line = corpus.get(random.nextInt(corpus.size()));
            for (int cut = 0; cut <= line.length(); cut++) {
                exercise(line.substring(0, cut), assembler, stats);
            }
        }
        assembler.flushAll();
        assertTrue(stats.parsed > 0 && stats.rejected > 0, stats.toString());
    }

    @Test
    void randomMutationsOnlyEverRaiseAuditParseExceptionAndKeepTheAssemblerBounded() throws IOException {
        AuditMutator mutator = new AuditMutator(SEED, AuditMutator.sharedCorpus());
        long[] events = new long[1];
        AuditEventAssembler assembler = new AuditEventAssembler(e -> events[0]++, 2_000);
        Stats stats = new Stats();
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int i = 0;
        for (; i < MUTATIONS && System.nanoTime() < deadline; i++) {
            exercise(mutator.next(), assembler, stats);
            if (i % 5_000 == 4_999) {
                // Mutated stamps are anywhere in time; a far-future "now" also exercises expiry.
                assembler.flushExpired(mutator.random().nextBoolean() ? Long.MAX_VALUE : 0);
            }
        }
        assembler.flushAll();
        assertEquals(0, assembler.inFlight());
        assertTrue(i >= 10_000, "only " + i + " mutations in the time budget");
        assertTrue(stats.parsed > i / 10 && stats.rejected > i / 10, stats + " after " + i + " mutations");
        assertTrue(events[0] > 0);
    }

    @Test
    void theAssemblerNeverHoldsMoreThanItsBoundWhateverTheSerials() {
        long[] emitted = new long[1];
        AuditEventAssembler assembler = new AuditEventAssembler(e -> emitted[0]++, 2_000);
        int n = AuditEventAssembler.MAX_IN_FLIGHT * 3;
        for (int serial = 0; serial < n; serial++) {
            // SYSCALL without EOE: every one waits, as after a lost EOE or from a forged stream.
            assembler.accept(AuditRecordParser.parseLine(
                    "type=SYSCALL msg=audit(1700000000.000:" + serial + "): arch=c000003e syscall=59 pid=1"));
            assertTrue(assembler.inFlight() <= AuditEventAssembler.MAX_IN_FLIGHT);
        }
        assertEquals(n - AuditEventAssembler.MAX_IN_FLIGHT, emitted[0], "the oldest are emitted early, not lost");
        assembler.flushAll();
        assertEquals(n, emitted[0]);
    }

    @Test
    void adversarialStampsAndHugeValuesAreHandledCleanly() {
        String tail = "): arch=c000003e syscall=59 pid=1";
        for (String stamp : List.of("99999999999999999999.1:2", "1.1:99999999999999999999", "1.1:18446744073709551616",
                "1.1:4294967296", "9223372036854775807:1", "922337203684775807:1", "9223372036854775.807:1",
                "1.1:-1", "-1.1:2", ".5:1", "1.:1", "1.1234567890:1", "1.1:", ":", "", "1e5.1:2", "\u0661.1:2",
                "1.1:2:3")) {
            String line = "type=SYSCALL msg=audit(" + stamp + tail;
            assertThrows(AuditParseException.class, () -> AuditRecordParser.parseLine(line), line);
            assertThrows(AuditParseException.class, () -> AuditRecordParser.parse(1300, "audit(" + stamp + tail));
        }
        // The largest values that do fit are accepted exactly.
        AuditRecord max = AuditRecordParser.parseLine("type=SYSCALL msg=audit(999999999999999.999:4294967295" + tail);
        assertEquals(4_294_967_295L, max.serial());
        assertEquals(999_999_999_999_999_999L, max.epochMillis());

        String huge = "A".repeat(2 << 20);
        AuditRecord r = AuditRecordParser.parseLine("type=EXECVE msg=audit(1.1:2): argc=1 a0=" + huge);
        assertEquals(huge.length(), r.field("a0").length());
        assertEquals(huge.length() / 2, r.text("a0").length(), "even-length hex is decoded");
        AuditRecord quote = AuditRecordParser.parseLine("type=USER_CMD msg=audit(1.1:2): msg='cmd=\"" + huge);
        assertEquals(huge.length(), quote.field("cmd").length(), "unterminated quotes keep what there is");
    }

    /** Both entry points, then everything a consumer might call on the record, then the assembler. */
    private static void exercise(String line, AuditEventAssembler assembler, Stats stats) {
        AuditRecord r = null;
        try {
            r = AuditRecordParser.parseLine(line);
            stats.parsed++;
        } catch (AuditParseException expected) {
            stats.rejected++;
        } catch (RuntimeException | StackOverflowError e) {
            fail("parseLine threw " + e + " for " + show(line), e);
        }
        int msg = line.indexOf("msg=");
        if (msg >= 0) {
            String payload = line.substring(msg + 4);
            try {
                AuditRecordParser.parse(RecordTypes.SYSCALL, payload);
            } catch (AuditParseException expected) {
                // a clean rejection
            } catch (RuntimeException | StackOverflowError e) {
                fail("parse threw " + e + " for " + show(payload), e);
            }
        }
        if (r == null) {
            return;
        }
        try {
            touch(r);
            assembler.accept(r);
        } catch (RuntimeException | StackOverflowError e) {
            fail("record use or assembler threw " + e + " for " + show(line), e);
        }
        assertTrue(assembler.inFlight() <= AuditEventAssembler.MAX_IN_FLIGHT);
    }

    private static void touch(AuditRecord r) {
        r.typeName();
        r.interpreted().size();
        for (String name : new ArrayList<>(r.fields().keySet())) {
            r.text(name);
            r.quoted(name);
        }
        if (r.type() == RecordTypes.EXECVE) {
            AuditValues.execveArgs(List.of(r));
        }
        AuditValues.proctitleArgs(r.field("proctitle"));
    }

    /** A bounded, escaped rendering of hostile text for failure messages. */
    static String show(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < Math.min(s.length(), 300); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        return sb.append(s.length() > 300 ? "...\" (" + s.length() + " chars)" : "\"").toString();
    }

    private static final class Stats {
        long parsed;
        long rejected;

        @Override
        public String toString() {
            return "parsed " + parsed + ", rejected " + rejected;
        }
    }
}
