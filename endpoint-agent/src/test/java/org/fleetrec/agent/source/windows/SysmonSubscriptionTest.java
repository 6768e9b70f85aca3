package org.fleetrec.agent.source.windows;

import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Sysmon subscription loop against a scripted event log: real Sysmon XML (Windows' own EvtRender
 * output and Sysmon for Linux with its broken entities) goes in, ECS documents and bookmarks come out,
 * through the faults only Windows produces: a log that wraps or is cleared under the reader, stale query
 * results, bookmarks refused, render buffers too small, events that cannot be rendered or parsed. After
 * every run, every handle it opened is closed and no call was misused.
 */
class SysmonSubscriptionTest {
    private static final SysmonSubscription.Limits LIMITS = new SysmonSubscription.Limits(5, 50, 10, 100);
    private static final int RPC_S_SERVER_UNAVAILABLE = 1722;

    private final ScriptedEventLog log = new ScriptedEventLog();
    private final List<Run> runs = new ArrayList<>();

    @AfterEach
    void everyHandleClosedAndNoCallMisused() {
        runs.forEach(Run::close);
        assertEquals(0, log.openHandles(), "handles left open: " + log.openHandleKinds());
        assertEquals(List.of(), log.misuse());
    }

    @Test
    void aFirstStartBeginsAfterTheNewestRecordAndReadsEverythingThatFollows() throws Exception {
        List<String> linux = SysmonSamples.sysmonForLinux();
        String cutOff = SysmonSamples.sysmonForLinuxCutOff();
        log.writeAll(SysmonSamples.windowsRendered()); // records 1..4: history
        Run run = start(Optional.empty());
        assertEquals(4, position(run.start.orElseThrow()).recordId(), "the start position is the newest record, persisted at once");

        log.writeAll(linux); // records 5..97; the eighth (record 12) was cut off by syslog
        run.awaitUntil(() -> run.docs().size() == linux.size());

        List<Long> expected = new ArrayList<>(range(5, 97));
        expected.remove(Long.valueOf(12));
        assertEquals(expected, recordIds(run.sysmon()), "every record once, in order, none of the history");
        // Section B5's counts, less the cut-off event (a process creation).
        assertEquals(Map.of("1", 30, "3", 6, "5", 50, "11", 4, "23", 2), countByCode(run.sysmon()));
        EventDocument unreadable = only(run.agent("unreadable-event"));
        assertEquals(7, run.docs().indexOf(unreadable), "kept in its place");
        String tail = cutOff.substring(cutOff.indexOf("</EventRecordID>")); // the record id is the scripted log's
        assertTrue(unreadable.text("event.original").endsWith(tail), "its text is kept: " + unreadable.text("event.original"));
        assertTrue(unreadable.text("error.message").startsWith("malformed event XML"), unreadable.text("error.message"));
        assertTrue(run.batches.stream().allMatch(b -> b.documents().size() <= LIMITS.batch()), "bounded batches");
        assertTrue(log.largestNext() <= LIMITS.batch(), "EvtNext never asked for more than a batch: " + log.largestNext());
        assertEquals(97, position(run.persisted).recordId(), "the last bookmark handed on is past the last record");
        // Sysmon for Linux writes "&lt unknown process&gt " without the ';': repaired, not lost.
        assertTrue(run.sysmon().stream().anyMatch(d -> "<unknown process>".equals(d.text("process.executable"))),
                "broken entities repaired");
        assertTrue(run.sysmon().stream().noneMatch(d -> d.json().toString().contains("&lt")));
        assertEquals(new SysmonSubscription.Counts(92, 0, 1, 0, 0, 0, 0), run.subscription.counts());
    }

    @Test
    void anEmptyChannelIsReadFromItsOldestRecord() throws Exception {
        Run run = start(Optional.empty());
        assertTrue(run.start.isEmpty(), "nothing to bookmark yet");
        log.writeAll(SysmonSamples.windowsRendered());
        run.awaitUntil(() -> run.sysmon().size() == 4);

        List<EventDocument> docs = run.sysmon();
        assertEquals(List.of("2", "5", "3", "3"), docs.stream().map(d -> d.text("event.code")).toList());
        assertEquals(range(1, 4), recordIds(docs));
        assertEquals("vagrant-2012-r2", docs.get(0).text("host.name"), "the event's Computer");
        assertTrue(docs.get(0).text("file.path").endsWith("ee4a6e45-bffd-49f4-98ae-32aebcc890b5.tmp"), docs.get(0).json().toString());
        assertEquals("Microsoft-Windows-Sysmon/Operational", docs.get(0).text("winlog.channel"));
    }

    @Test
    void aRestartResumesRightAfterTheLastBatchTaken() throws Exception {
        List<String> linux = SysmonSamples.sysmonForLinuxWhole();
        log.writeAll(SysmonSamples.windowsRendered());
        Run first = start(Optional.empty());
        first.acceptOnly = 3; // then the taker stops: the fourth batch is refused and never persisted
        log.writeAll(linux.subList(0, 30)); // records 5..34
        first.thread.join(10_000);
        assertFalse(first.thread.isAlive(), "a refused batch ends the loop");
        assertEquals(range(5, 19), recordIds(first.sysmon()));
        assertEquals(19, position(first.persisted).recordId());

        log.writeAll(linux.subList(30, linux.size())); // records 35..96, written while stopped
        Run second = start(Optional.of(first.persisted));
        second.awaitUntil(() -> second.sysmon().size() == 77);
        assertEquals(range(20, 96), recordIds(second.sysmon()), "the refused batch is read again, nothing twice");
        assertTrue(second.agent("source-gap").isEmpty());
        assertEquals(96, position(second.persisted).recordId());
    }

    @Test
    void recordsOverwrittenWhileStoppedAreAGapOfKnownSize() throws Exception {
        List<String> linux = SysmonSamples.sysmonForLinuxWhole();
        log.writeAll(SysmonSamples.windowsRendered());
        Run first = start(Optional.empty());
        log.writeAll(linux.subList(0, 10)); // records 5..14
        first.awaitUntil(() -> first.sysmon().size() == 10);
        first.close();

        log.writeAll(linux.subList(10, 30)); // records 15..34
        log.overwriteUpTo(20, false); // the log wrapped: 15..20 were never read
        Run second = start(Optional.of(first.persisted));
        second.awaitUntil(() -> second.sysmon().size() == 14);

        assertEquals(range(21, 34), recordIds(second.sysmon()));
        EventDocument gap = only(second.agent("source-gap"));
        assertEquals(6, gap.get("fleet.source_gap.count").asLong());
        assertEquals(14, gap.get("fleet.source_gap.after_record").asLong());
        assertEquals(21, gap.get("fleet.source_gap.next_record").asLong());
        assertTrue(gap.text("fleet.source_gap.reason").contains("after a restart"), gap.text("fleet.source_gap.reason"));
        assertEquals(0, second.docs().indexOf(gap), "the gap comes before the first record after it");
        SysmonSubscription.Counts counts = second.subscription.counts();
        assertEquals(1, counts.gaps());
        assertEquals(6, counts.missedRecords());
    }

    @Test
    void aClearedChannelIsReadAgainFromItsOldestRecord() throws Exception {
        List<String> linux = SysmonSamples.sysmonForLinuxWhole();
        log.writeAll(SysmonSamples.windowsRendered());
        Run first = start(Optional.empty());
        log.writeAll(linux.subList(0, 6)); // records 5..10
        first.awaitUntil(() -> first.sysmon().size() == 6);
        first.close();

        log.clear();
        log.writeAll(linux.subList(6, 9)); // numbering starts again: records 1..3
        Run second = start(Optional.of(first.persisted)); // after record 10, which the service no longer has
        log.writeAll(linux.subList(9, 11)); // records 4, 5: the first shows the numbers went back
        second.awaitUntil(() -> second.sysmon().size() == 5);

        assertEquals(range(1, 5), recordIds(second.sysmon()), "everything written since the clear, once");
        EventDocument gap = only(second.agent("source-gap"));
        assertTrue(gap.text("fleet.source_gap.reason").contains("cleared"), gap.text("fleet.source_gap.reason"));
        assertFalse(gap.has("fleet.source_gap.count"), "how much was lost cannot be told");
        assertEquals(10, gap.get("fleet.source_gap.after_record").asLong());
    }

    @Test
    void aSavedBookmarkTheServiceRefusesMeansReadingFromTheOldestRecord() throws Exception {
        log.writeAll(SysmonSamples.windowsRendered());
        String saved = BookmarkPosition.of("<BookmarkList>\r\n  <Bookmark Channel='" + SysmonSubscription.CHANNEL
                + "' RecordId='2' IsCurrent='true'/>\r\n</BookmarkList>").encode();
        log.refuseBookmarkXml(1);
        Run run = start(Optional.of(saved));
        run.awaitUntil(() -> run.sysmon().size() == 4);
        assertEquals(range(1, 4), recordIds(run.sysmon()));
        EventDocument gap = only(run.agent("source-gap"));
        assertTrue(gap.text("fleet.source_gap.reason").contains("saved bookmark was refused"), gap.text("fleet.source_gap.reason"));
        assertEquals(2, gap.get("fleet.source_gap.after_record").asLong());
        assertTrue(run.start.isEmpty(), "no bookmark yet: the start position is not moved to a record not read");
        run.close();

        // A damaged position in the store: the same way, never a failed start.
        Run damaged = start(Optional.of("eventlog-v1 <BookmarkList><Bookm"));
        damaged.awaitUntil(() -> damaged.sysmon().size() == 4);
        assertEquals(range(1, 4), recordIds(damaged.sysmon()));
        assertEquals(1, damaged.agent("source-gap").size());
    }

    @Test
    void staleQueryResultsAreSubscribedAgainAfterTheLastRecordTaken() throws Exception {
        List<String> linux = SysmonSamples.sysmonForLinuxWhole();
        log.writeAll(SysmonSamples.windowsRendered());
        Run run = start(Optional.empty());
        log.failNext(EventLogCodes.ERROR_EVT_QUERY_RESULT_STALE, EventLogCodes.ERROR_EVT_QUERY_RESULT_INVALID_POSITION);
        log.writeAll(linux.subList(0, 20));
        run.awaitUntil(() -> run.sysmon().size() == 20);
        assertEquals(range(5, 24), recordIds(run.sysmon()), "nothing lost, nothing twice");
        assertTrue(run.agent("source-gap").isEmpty(), "no record was lost: no gap");
        assertEquals(2, run.subscription.counts().resubscriptions());
    }

    @Test
    void aLogThatWrapsUnderASlowReaderIsAGapOfKnownSize() throws Exception {
        List<String> linux = SysmonSamples.sysmonForLinuxWhole();
        Run run = start(Optional.empty());
        run.gate = new CountDownLatch(1); // the taker is slow: the first batch waits
        log.writeAll(linux.subList(0, 10)); // records 1..10
        run.awaitUntil(() -> run.waiting);
        log.writeAll(linux.subList(10, 30)); // records 11..30
        log.overwriteUpTo(15, true); // 6..15 overwritten before they were read; the subscription is stale
        run.gate.countDown();
        run.awaitUntil(() -> run.sysmon().size() == 20);

        assertEquals(LongStream.concat(LongStream.rangeClosed(1, 5), LongStream.rangeClosed(16, 30)).boxed().toList(),
                recordIds(run.sysmon()));
        EventDocument gap = only(run.agent("source-gap"));
        assertEquals(10, gap.get("fleet.source_gap.count").asLong());
        assertTrue(gap.text("fleet.source_gap.reason").contains("stale"), gap.text("fleet.source_gap.reason"));
        assertEquals(1, run.subscription.counts().resubscriptions());
        assertEquals(10, run.subscription.counts().missedRecords());
    }

    @Test
    void theRenderBufferGrowsToWhatTheServiceAsksAndStaysGrown() throws Exception {
        List<String> windows = SysmonSamples.windowsRendered();
        String rule = "r".repeat(30_000); // 60 KB of UTF-16: beyond the first buffer
        String large = windows.get(0).replace("<Data Name='RuleName'></Data>", "<Data Name='RuleName'>" + rule + "</Data>");
        assertTrue(large.contains(rule), "the sample has an empty RuleName to fill");
        Run run = start(Optional.empty());
        log.write(large);
        log.writeAll(windows.subList(1, 4));
        log.write(large);
        run.awaitUntil(() -> run.sysmon().size() == 5);

        assertEquals(rule, run.sysmon().get(0).text("rule.name"), "rendered whole");
        assertEquals(rule, run.sysmon().get(4).text("rule.name"));
        assertEquals(1, run.subscription.counts().bufferGrowths(), "grown once, then large enough");
        List<Integer> sizes = log.renderBufferSizes();
        assertEquals(EventRenderer.INITIAL_BYTES, sizes.get(0));
        assertTrue(sizes.subList(1, sizes.size()).stream().allMatch(s -> s >= 2 * rule.length()), sizes.toString());
    }

    @Test
    void anEventBeyondTheRenderBoundIsUnreadableAndReadingGoesOn() throws Exception {
        List<String> windows = SysmonSamples.windowsRendered();
        String huge = windows.get(0).replace("<Data Name='RuleName'></Data>",
                "<Data Name='RuleName'>" + "h".repeat(EventRenderer.MAX_BYTES / 2 + 10) + "</Data>");
        Run run = start(Optional.empty());
        log.write(windows.get(1));
        log.write(huge);
        log.write(windows.get(2));
        run.awaitUntil(() -> run.docs().size() == 3);

        assertEquals(List.of(1L, 3L), recordIds(run.sysmon()));
        EventDocument unreadable = only(run.agent("unreadable-event"));
        assertTrue(unreadable.text("error.message").contains("refused"), unreadable.text("error.message"));
        assertFalse(unreadable.has("event.original"), "never rendered, nothing to keep");
        assertTrue(run.agent("source-gap").isEmpty(), "the unreadable record keeps its place in the numbering");
        assertEquals(3, position(run.persisted).recordId(), "the bookmark moved past it");
    }

    @Test
    void recordsThatCannotBeRenderedOrParsedAreKeptWithTheirReason() throws Exception {
        List<String> windows = SysmonSamples.windowsRendered();
        List<String> broken = SysmonSamples.sysmonForLinuxWhole().stream().filter(x -> x.contains("&lt ") || x.contains("&quot ")).toList();
        assertTrue(broken.size() >= 14, "section B5: events with entities missing their ';': " + broken.size());
        String malformed = SysmonSamples.sysmonForLinuxCutOff();
        String sysmonConfigChanged = windows.get(0).replace("<EventID>2</EventID>", "<EventID>16</EventID>");
        log.unrenderable(2);
        Run run = start(Optional.empty());
        log.write(windows.get(1)); // 1
        log.write(windows.get(2)); // 2: EvtRender fails
        log.write(malformed); // 3: cut off
        log.writeAll(broken); // 4..: repaired
        long configChanged = log.write(sysmonConfigChanged); // Sysmon's own state, not mapped
        long last = log.write(windows.get(3));
        run.awaitUntil(() -> run.docs().size() == broken.size() + 4);

        List<Long> expected = new ArrayList<>(List.of(1L));
        expected.addAll(range(4, configChanged - 1));
        expected.add(last);
        assertEquals(expected, recordIds(run.sysmon()));
        List<EventDocument> unreadable = run.agent("unreadable-event");
        assertEquals(2, unreadable.size());
        assertTrue(unreadable.get(0).text("error.message").contains("15005"), unreadable.get(0).text("error.message"));
        assertFalse(unreadable.get(0).has("event.original"), "never rendered");
        assertTrue(unreadable.get(1).text("error.message").startsWith("malformed event XML"), unreadable.get(1).text("error.message"));
        assertTrue(unreadable.get(1).text("event.original").endsWith("-Dcatalina.base=/opt/tomcat -"), "the record's text is kept");
        assertEquals("pipeline_error", unreadable.get(1).text("event.kind"));
        assertTrue(run.agent("source-gap").isEmpty(), "unreadable records keep their place in the numbering");
        assertTrue(run.sysmon().stream().noneMatch(d -> d.json().toString().contains("&quot ") || d.json().toString().contains("&lt ")));
        SysmonSubscription.Counts counts = run.subscription.counts();
        assertEquals(broken.size() + 2, counts.events());
        assertEquals(1, counts.skipped());
        assertEquals(2, counts.unreadable());
        assertEquals(last, position(run.persisted).recordId());
    }

    @Test
    void aBrokenSubscriptionIsMadeAgainWithoutLosingOrRepeatingRecords() throws Exception {
        List<String> linux = SysmonSamples.sysmonForLinuxWhole();
        log.writeAll(SysmonSamples.windowsRendered());
        Run run = start(Optional.empty());
        // The event log service restarts: EvtNext fails, then both ways of subscribing, then it is back.
        log.failNext(RPC_S_SERVER_UNAVAILABLE);
        log.failSubscribeAfterBookmark(RPC_S_SERVER_UNAVAILABLE);
        log.failSubscribeAtOldest(RPC_S_SERVER_UNAVAILABLE);
        log.writeAll(linux.subList(0, 10));
        run.awaitUntil(() -> run.sysmon().size() == 10);
        assertEquals(range(5, 14), recordIds(run.sysmon()));
        assertTrue(run.agent("source-gap").isEmpty(), "the bookmark was kept while the service was away");
        assertEquals(1, run.subscription.counts().resubscriptions());
    }

    @Test
    void aBookmarkRefusedWhileTheServiceIsUpMeansReadingFromTheOldestRecord() throws Exception {
        log.writeAll(SysmonSamples.windowsRendered());
        Run run = start(Optional.empty());
        log.failNext(RPC_S_SERVER_UNAVAILABLE);
        log.failSubscribeAfterBookmark(EventLogCodes.ERROR_NOT_FOUND);
        log.write(SysmonSamples.windowsRendered().get(0)); // record 5
        run.awaitUntil(() -> run.sysmon().size() == 5);
        assertEquals(range(1, 5), recordIds(run.sysmon()), "everything the channel has, again");
        EventDocument gap = only(run.agent("source-gap"));
        assertTrue(gap.text("fleet.source_gap.reason").contains("refused on subscribing again"), gap.text("fleet.source_gap.reason"));
    }

    @Test
    void stopEndsTheLoopPromptlyAndClosesEverything() throws Exception {
        Run run = start(Optional.empty(), new SysmonSubscription.Limits(5, 30_000, 10, 100));
        Thread.sleep(100); // waiting on the signal, for up to 30 s
        long before = System.nanoTime();
        run.close();
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before) < 1_000, "woken by the signal, not its timeout");
        assertEquals(0, log.openHandles());
    }

    @Test
    void aChannelThatDoesNotExistFailsTheStartAndLeavesNothingOpen() {
        ScriptedEventLog other = new ScriptedEventLog("Some-Other/Channel");
        SysmonSubscription subscription = new SysmonSubscription(other, batch -> true, LIMITS);
        EventLogException e = org.junit.jupiter.api.Assertions.assertThrows(EventLogException.class,
                () -> subscription.open(Optional.empty()));
        assertEquals(EventLogCodes.ERROR_EVT_CHANNEL_NOT_FOUND, e.code());
        assertTrue(e.getMessage().contains("is Sysmon installed?"), e.getMessage());
        assertEquals(0, other.openHandles(), other.openHandleKinds());
    }

    // ---- harness ----

    private Run start(Optional<String> saved) throws EventLogException {
        return start(saved, LIMITS);
    }

    private Run start(Optional<String> saved, SysmonSubscription.Limits limits) throws EventLogException {
        Run run = new Run(saved, limits);
        runs.add(run);
        return run;
    }

    /** One subscription on its thread; its sink keeps what it takes and the last position, as the agent's store does. */
    private final class Run implements AutoCloseable {
        final SysmonSubscription subscription;
        final List<SysmonBatch> batches = new CopyOnWriteArrayList<>();
        final Optional<String> start;
        final Thread thread;
        volatile String persisted;
        volatile int acceptOnly = Integer.MAX_VALUE;
        volatile CountDownLatch gate;
        volatile boolean waiting;

        Run(Optional<String> saved, SysmonSubscription.Limits limits) throws EventLogException {
            subscription = new SysmonSubscription(log, this::accept, limits);
            start = subscription.open(saved);
            persisted = start.orElse(null);
            thread = new Thread(subscription, "test-subscription");
            thread.start();
        }

        private boolean accept(SysmonBatch batch) throws InterruptedException {
            CountDownLatch g = gate;
            if (g != null) {
                waiting = true;
                g.await();
            }
            if (batches.size() >= acceptOnly) return false;
            if (batch.position() != null) persisted = batch.position();
            batches.add(batch);
            return true;
        }

        List<EventDocument> docs() {
            return batches.stream().flatMap(b -> b.documents().stream()).toList();
        }

        List<EventDocument> sysmon() {
            return docs().stream().filter(d -> "sysmon".equals(d.text("event.module"))).toList();
        }

        List<EventDocument> agent(String action) {
            return docs().stream().filter(d -> "agent".equals(d.text("event.dataset")) && action.equals(d.text("event.action"))).toList();
        }

        void awaitUntil(BooleanSupplier condition) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 10_000;
            while (!condition.getAsBoolean()) {
                assertTrue(System.currentTimeMillis() < deadline, "timed out; have " + docs().size() + " documents: "
                        + docs().stream().map(d -> d.text("event.action") + "/" + d.text("winlog.record_id")).toList());
                Thread.sleep(10);
            }
        }

        @Override
        public void close() {
            subscription.stop();
            CountDownLatch g = gate;
            if (g != null) g.countDown();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertFalse(thread.isAlive(), "the loop ends when stopped");
        }
    }

    private static BookmarkPosition position(String encoded) {
        return BookmarkPosition.decode(encoded).orElseThrow(() -> new AssertionError("not a bookmark: " + encoded));
    }

    private static List<Long> recordIds(List<EventDocument> docs) {
        return docs.stream().map(d -> Long.parseLong(d.text("winlog.record_id"))).toList();
    }

    private static List<Long> range(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    private static Map<String, Integer> countByCode(List<EventDocument> docs) {
        Map<String, Integer> counts = new TreeMap<>();
        docs.forEach(d -> counts.merge(d.text("event.code"), 1, Integer::sum));
        return counts;
    }

    private static EventDocument only(List<EventDocument> docs) {
        assertEquals(1, docs.size(), docs.toString());
        return docs.get(0);
    }
}
