package org.fleetrec.agent.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditEventAssemblerTest {

    private record Result(List<String> events, long gaps) {
    }

    private static Result replay(String file) throws IOException {
        List<AuditEvent> events = new ArrayList<>();
        AuditEventAssembler a = new AuditEventAssembler(events::add, 2_000);
        for (AuditRecord r : AuditTestData.records(AuditTestData.linuxAudit("go-libaudit/testdata/" + file))) {
            a.accept(r);
        }
        a.flushAll();
        List<String> summary = new ArrayList<>();
        for (AuditEvent e : events) {
            summary.add(e.serial() + ":" + e.records().size());
            e.records().forEach(r -> assertEquals(e.serial(), r.serial()));
        }
        return new Result(summary, a.sequenceGaps());
    }

    // Expected groupings: README A1, restated from go-libaudit's reassembler_test.go.
    @Test
    void normal() throws IOException {
        Result r = replay("normal.log");
        assertEquals(List.of("58:2", "59:5", "60:5", "61:4", "62:1"), r.events());
        assertEquals(0, r.gaps());
    }

    @Test
    void lostMessages() throws IOException {
        Result r = replay("lost_messages.log");
        assertEquals(List.of("49:2", "59:5", "60:5", "61:4", "62:1"), r.events());
        assertEquals(9, r.gaps());
    }

    @Test
    void outOfOrder() throws IOException {
        Result r = replay("out_of_order.log");
        assertEquals(List.of("58:2", "59:5", "60:5", "61:4", "62:1"), r.events());
        assertEquals(0, r.gaps());
    }

    @Test
    void rollover() throws IOException {
        Result r = replay("rollover.log");
        assertEquals(List.of("4294967294:1", "4294967295:1", "0:1", "1:1", "2:1"), r.events());
        assertEquals(0, r.gaps());
    }

    @Test
    void anAvcRaisedInsideASyscallJoinsThatSyscallsEvent() {
        List<AuditEvent> out = new ArrayList<>();
        AuditEventAssembler a = new AuditEventAssembler(out::add, 1_000);
        a.accept(rec(1400, 20, 5_000)); // the kernel writes the AVC first…
        a.accept(rec(1300, 20, 5_000)); // …then the syscall's own records
        a.accept(rec(1302, 20, 5_000));
        a.flushExpired(5_000 + AuditEventAssembler.LONE_MILLIS);
        assertTrue(out.isEmpty(), "joined by a SYSCALL, the event waits for its EOE");
        a.accept(rec(1320, 20, 5_000));
        assertEquals(1, out.size());
        assertEquals(List.of(1400, 1300, 1302), out.get(0).records().stream().map(AuditRecord::type).toList());
    }

    @Test
    void aSerialRepeatedWithoutEndIsEmittedInBoundedPieces() {
        List<AuditEvent> out = new ArrayList<>();
        AuditEventAssembler a = new AuditEventAssembler(out::add, 60_000);
        for (int i = 0; i < AuditEventAssembler.MAX_RECORDS_PER_EVENT * 3; i++) a.accept(rec(1302, 30, 1_000));
        assertEquals(3, out.size());
        assertTrue(out.stream().allMatch(e -> e.records().size() == AuditEventAssembler.MAX_RECORDS_PER_EVENT));
    }

    @Test
    void eoeClosesEventAtOnceAndStandaloneTypesWaitOnlyBriefly() {
        List<AuditEvent> out = new ArrayList<>();
        AuditEventAssembler a = new AuditEventAssembler(out::add, 1_000);
        a.accept(rec(1300, 10, 1_000));
        a.accept(rec(1309, 10, 1_000));
        assertTrue(out.isEmpty());
        a.accept(rec(1112, 11, 1_001)); // USER_LOGIN: alone
        a.accept(rec(1400, 12, 1_001)); // AVC: alone
        a.accept(rec(1305, 13, 1_001)); // CONFIG_CHANGE: alone
        a.flushExpired(1_001 + AuditEventAssembler.LONE_MILLIS - 1);
        assertTrue(out.isEmpty(), "a syscall of the same serial may still come");
        a.flushExpired(1_001 + AuditEventAssembler.LONE_MILLIS);
        assertEquals(List.of(11L, 12L, 13L), out.stream().map(AuditEvent::serial).toList());
        a.accept(rec(1320, 10, 1_000)); // EOE
        assertEquals(4, out.size());
        AuditEvent e = out.get(3);
        assertEquals(10, e.serial());
        assertEquals(2, e.records().size(), "EOE itself is not kept");
        assertEquals(1309, e.first(RecordTypes.EXECVE).type());
        assertEquals(null, e.first(RecordTypes.PATH));
        assertEquals(1, e.all(RecordTypes.SYSCALL).size());
        a.accept(rec(1320, 10, 1_000)); // duplicate EOE: nothing
        assertEquals(4, out.size());
        assertEquals(0, a.sequenceGaps());
    }

    @Test
    void flushExpiredUsesRecordTime() {
        List<AuditEvent> out = new ArrayList<>();
        AuditEventAssembler a = new AuditEventAssembler(out::add, 500);
        a.accept(rec(1300, 1, 10_000));
        a.accept(rec(1300, 2, 10_400));
        a.flushExpired(10_499);
        assertTrue(out.isEmpty());
        a.flushExpired(10_500);
        assertEquals(List.of(1L), out.stream().map(AuditEvent::serial).toList());
        a.flushExpired(10_900);
        assertEquals(2, out.size());
        assertEquals(0, a.inFlight());
    }

    @Test
    void boundedInFlight() {
        List<AuditEvent> out = new ArrayList<>();
        AuditEventAssembler a = new AuditEventAssembler(out::add, 60_000);
        for (int i = 0; i < AuditEventAssembler.MAX_IN_FLIGHT + 10; i++) {
            a.accept(rec(1300, i, 1_000));
        }
        assertEquals(10, out.size());
        assertEquals(0L, out.get(0).serial(), "oldest is evicted first");
        assertEquals(AuditEventAssembler.MAX_IN_FLIGHT, a.inFlight());
    }

    @Test
    void lateSerialTakesBackItsGap() {
        AuditEventAssembler a = new AuditEventAssembler(e -> { }, 1_000);
        a.accept(rec(1300, 100, 0));
        a.accept(rec(1300, 103, 0));
        assertEquals(2, a.sequenceGaps());
        a.accept(rec(1300, 101, 0));
        assertEquals(1, a.sequenceGaps());
        a.accept(rec(1300, 101, 0));
        assertEquals(1, a.sequenceGaps(), "a second late record of the same serial changes nothing");
        a.accept(rec(1300, 0xFFFF_FFFFL, 0)); // far behind (backwards): not a gap
        assertEquals(1, a.sequenceGaps());
    }

    private static AuditRecord rec(int type, long serial, long millis) {
        return AuditRecordParser.parse(type, "audit(" + millis / 1000 + "." + String.format("%03d", millis % 1000)
                + ":" + serial + "): x=1");
    }
}
