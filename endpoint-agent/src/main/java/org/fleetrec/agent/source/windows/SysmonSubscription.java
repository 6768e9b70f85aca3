package org.fleetrec.agent.source.windows;

import org.fleetrec.agent.sysmon.SysmonEvent;
import org.fleetrec.agent.sysmon.SysmonMapper;
import org.fleetrec.agent.sysmon.SysmonXmlParser;
import org.fleetrec.model.EventDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads Sysmon's channel live: every record rendered to XML, read by {@link SysmonXmlParser}, mapped by
 * {@link SysmonMapper}, and handed on in bounded batches, each with the bookmark just past it.
 *
 * <p><b>Pull, not callback.</b> The subscription has no callback: the service sets a signal event and
 * this one thread takes events with EvtNext when it is ready for them. Events it has not taken stay in
 * the log, so a slow store slows the reading instead of piling events up in memory; no Windows pool
 * thread ever runs Java code (a callback must never throw, must stay reachable from Java for as long as
 * the subscription lives, and cannot be slowed down without blocking the service's thread); and every
 * handle is opened, used and closed by the same thread. The signal is reset before the log is drained,
 * so an event written during the drain sets it again, and the wait has a timeout, so even a missed
 * signal costs a second, not an event.
 *
 * <p><b>Where it starts.</b> After the saved bookmark if there is one (EvtSubscribeStartAfterBookmark,
 * never EvtSubscribeStrict: a strict subscription fails instead of moving on when the bookmarked record
 * was overwritten). Because the service then silently starts at the next record it still has, the first
 * record id after subscribing is checked against the bookmark's ({@link RecordSequence}): a larger one
 * is a gap of known size; a smaller one means the channel was cleared, and the subscription starts again
 * at the oldest record, since after a clear the service may have started past records nobody read. A
 * bookmark the service refuses also means reading again from the oldest record, counted as a gap of
 * unknown size. Without a saved bookmark (a first start) it begins after the newest record there is,
 * like a followed log begins at its end, and that bookmark is the start position to persist at once.
 *
 * <p><b>Faults.</b> A stale query result (the log cleared or wrapped under the subscription) or an
 * invalid position is answered by subscribing again after the bookmark of the last record taken, and
 * the record ids then show how many records were lost. Any other failure of the subscription is retried
 * the same way with a growing pause. A record that cannot be rendered, parsed or mapped becomes an
 * unreadable-event document with its reason (and its XML when there is one), and reading goes on.
 */
public final class SysmonSubscription implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(SysmonSubscription.class);
    public static final String CHANNEL = "Microsoft-Windows-Sysmon/Operational";
    /** Every record of the channel: the record-id continuity checks rely on nothing being filtered out here. */
    static final String QUERY = "*";

    /**
     * @param batch         event handles asked of one EvtNext, and so documents in one batch at most (plus gap documents)
     * @param waitMillis    longest wait for the signal before looking anyway
     * @param nextTimeoutMillis EvtNext's own timeout
     * @param maxRetryMillis    longest pause between two attempts to subscribe again
     */
    public record Limits(int batch, int waitMillis, int nextTimeoutMillis, int maxRetryMillis) {
        public Limits {
            if (batch < 1 || batch > 1024) throw new IllegalArgumentException("batch " + batch + " not in 1..1024");
        }

        public static Limits defaults() {
            return new Limits(100, 1_000, 1_000, 30_000);
        }
    }

    /** Where batches go; called on the subscription's thread. */
    @FunctionalInterface
    public interface BatchSink {
        /** Blocks while the taker is full; false when it takes no more (stopping): the batch is then not persisted. */
        boolean accept(SysmonBatch batch) throws InterruptedException;
    }

    /** What the subscription has done so far. */
    public record Counts(long events, long skipped, long unreadable, long gaps, long missedRecords, long resubscriptions,
                         long bufferGrowths) {
    }

    private final EventLogApi api;
    private final EventRenderer renderer;
    private final BatchSink sink;
    private final Limits limits;
    private final SysmonMapper mapper = new SysmonMapper();
    private final RecordSequence sequence = new RecordSequence();
    private final List<EventDocument> pending = new ArrayList<>();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final Object signalLock = new Object();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong unreadable = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();
    private final AtomicLong missedRecords = new AtomicLong();
    private final AtomicLong resubscriptions = new AtomicLong();
    private volatile boolean stopping;
    private long signal;
    private long subscription;
    private long bookmark;
    /** The bookmark points at a record (an empty one cannot be subscribed after). */
    private boolean bookmarkSet;
    /** Why the subscription is being made again, for a gap its first record may show. */
    private String resumeCause;
    private int retryMillis;

    public SysmonSubscription(EventLogApi api, BatchSink sink, Limits limits) {
        this.api = api;
        this.renderer = new EventRenderer(api);
        this.sink = sink;
        this.limits = limits;
    }

    /**
     * Subscribes, on the caller's thread so that a refusal (no Sysmon, no right to read its channel) fails
     * the start with its reason. Returns the position reading starts from, to persist before any event.
     */
    public Optional<String> open(Optional<String> savedPosition) throws EventLogException {
        try {
            signal = api.createSignal();
            Optional<BookmarkPosition> saved = savedPosition.flatMap(BookmarkPosition::decode);
            if (saved.isPresent() && saved.get().channel() != null && !saved.get().isOf(CHANNEL)) {
                log.warn("the saved position is of channel {}, not {}: starting as on a first start", saved.get().channel(), CHANNEL);
                saved = Optional.empty();
            }
            if (saved.isPresent()) {
                resumeFrom(saved.get());
            } else {
                startAfterNewest();
            }
            return bookmarkSet ? renderPosition() : Optional.empty();
        } catch (EventLogException | RuntimeException e) {
            release();
            throw e;
        }
    }

    private void resumeFrom(BookmarkPosition saved) throws EventLogException {
        try {
            bookmark = api.createBookmark(saved.xml());
            subscription = api.subscribe(signal, CHANNEL, QUERY, bookmark, EventLogCodes.SUBSCRIBE_START_AFTER_BOOKMARK);
            bookmarkSet = true;
            sequence.resumedAfter(saved.recordId());
            resumeCause = "after a restart";
        } catch (EventLogException refused) {
            startOverAtOldest("the saved bookmark was refused (" + refused.getMessage() + ")", saved.recordId());
        }
    }

    private void startAfterNewest() throws EventLogException {
        bookmark = api.createBookmark(null);
        long results = api.query(CHANNEL, QUERY, EventLogCodes.QUERY_CHANNEL_PATH | EventLogCodes.QUERY_REVERSE_DIRECTION);
        try {
            long[] newest = nextOrNothing(results, 1);
            for (long event : newest) {
                try {
                    api.updateBookmark(bookmark, event);
                    bookmarkSet = true;
                } finally {
                    api.close(event);
                }
            }
        } finally {
            api.close(results);
        }
        if (bookmarkSet) {
            subscription = api.subscribe(signal, CHANNEL, QUERY, bookmark, EventLogCodes.SUBSCRIBE_START_AFTER_BOOKMARK);
            renderPosition().flatMap(BookmarkPosition::decode).ifPresent(p -> sequence.resumedAfter(p.recordId()));
            resumeCause = "since the start";
        } else {
            // An empty channel: everything written from now on is ahead of the oldest record.
            subscription = api.subscribe(signal, CHANNEL, QUERY, 0, EventLogCodes.SUBSCRIBE_START_AT_OLDEST);
            sequence.startedOver();
        }
    }

    private long[] nextOrNothing(long results, int max) throws EventLogException {
        try {
            return api.next(results, max, limits.nextTimeoutMillis());
        } catch (EventLogException e) {
            if (EventLogCodes.drained(e.code())) return new long[0];
            throw e;
        }
    }

    /**
     * Reads from the oldest record again, with a fresh bookmark; what was lost cannot be told, only that it
     * may have been. Only once the service took that subscription: while it takes none (it is restarting),
     * the old bookmark is kept and tried again, rather than reading the whole channel again for nothing.
     */
    private void startOverAtOldest(String why, long afterRecord) throws EventLogException {
        closeSubscription();
        long fresh = api.createBookmark(null);
        try {
            subscription = api.subscribe(signal, CHANNEL, QUERY, 0, EventLogCodes.SUBSCRIBE_START_AT_OLDEST);
        } catch (EventLogException e) {
            api.close(fresh);
            throw e;
        }
        if (bookmark != 0) api.close(bookmark);
        bookmark = fresh;
        bookmarkSet = false;
        sequence.startedOver();
        recordGap(why + "; reading again from the oldest record, records may repeat or be missing", -1, afterRecord, -1);
    }

    @Override
    public void run() {
        try {
            if (!pending.isEmpty() && !hand(new SysmonBatch(takePending(), null))) return;
            while (!stopping) {
                try {
                    if (subscription == 0 && !subscribeAgain()) {
                        pause(nextRetry());
                        continue;
                    }
                    reset();
                    if (drain() && !stopping) await();
                } catch (RuntimeException e) {
                    // One bad turn (a bug, a call that threw what it should not) must not end recording.
                    log.warn("reading {} failed; going on", CHANNEL, e);
                    pause(nextRetry());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            release();
        }
    }

    /** Asks the loop to end; it closes every handle it holds before {@link #run()} returns. */
    public void stop() {
        stopping = true;
        stopRequested.countDown();
        synchronized (signalLock) {
            if (signal == 0) return;
            try {
                api.set(signal);
            } catch (EventLogException e) {
                // the wait times out by itself
            }
        }
    }

    public Counts counts() {
        return new Counts(events.get(), skipped.get(), unreadable.get(), gaps.get(), missedRecords.get(), resubscriptions.get(),
                renderer.growths());
    }

    /** Takes events until there are no more for now (true) or the subscription failed and was closed (false). */
    private boolean drain() throws InterruptedException {
        while (!stopping) {
            long[] handles;
            try {
                handles = api.next(subscription, limits.batch(), limits.nextTimeoutMillis());
            } catch (EventLogException e) {
                if (EventLogCodes.drained(e.code())) return true;
                lost(e);
                return false;
            }
            if (handles.length == 0) return true;
            Taken taken = take(handles);
            if (taken.batch() != null && !hand(taken.batch())) return false;
            if (taken.failure() != null) {
                lost(taken.failure());
                return false;
            }
            retryMillis = 0;
        }
        return false;
    }

    /**
     * What a batch of handles gave: the batch to hand on (null when there is nothing to hand), and the
     * failure that ended it early (the subscription is then made again after the last record taken).
     */
    private record Taken(SysmonBatch batch, EventLogException failure) {
    }

    /**
     * Every handle closed whatever happens. A record counts as taken once the bookmark points at it; the
     * batch ends early, with what was taken before, if the bookmark cannot be moved. When the first record
     * after subscribing from a bookmark shows that the channel was cleared, nothing of the batch is kept
     * and the subscription starts again at the oldest record.
     */
    private Taken take(long[] handles) {
        List<EventDocument> docs = takePending();
        boolean moved = false;
        EventLogException failure = null;
        try {
            for (long event : handles) {
                Read read = read(event);
                RecordSequence.Check check = read.recordId() < 0 ? null : sequence.check(read.recordId());
                if (check != null && check.kind() == RecordSequence.Kind.RENUMBERED && check.afterResume()) {
                    // Before the bookmark moves: if starting over fails, the old bookmark is tried again.
                    pending.addAll(0, docs);
                    startOverAtOldest("record " + check.actual() + " came after record " + (check.expected() - 1)
                            + ": the channel was cleared", check.expected() - 1);
                    return new Taken(null, null);
                }
                try {
                    api.updateBookmark(bookmark, event);
                } catch (EventLogException e) {
                    failure = e;
                    break;
                }
                if (check == null) {
                    sequence.unknownTaken();
                } else {
                    sequence.taken(read.recordId());
                    gapBefore(check, docs);
                }
                bookmarkSet = true;
                moved = true;
                read.outcome().incrementAndGet();
                docs.addAll(read.documents());
            }
        } catch (EventLogException e) {
            return new Taken(null, e); // starting over failed: the bookmark is the old one, subscribing again retries it
        } finally {
            for (long event : handles) api.close(event);
        }
        docs.addAll(takePending());
        if (docs.isEmpty() && !moved) return new Taken(null, failure);
        return new Taken(new SysmonBatch(docs, moved ? renderPosition().orElse(null) : null), failure);
    }

    private void gapBefore(RecordSequence.Check check, List<EventDocument> docs) {
        switch (check.kind()) {
            case MISSING -> {
                String when = check.afterResume() && resumeCause != null ? " " + resumeCause : " while reading";
                recordGap(check.missed() + " records overwritten before they were read" + when, check.missed(),
                        check.expected() - 1, check.actual());
            }
            case RENUMBERED -> recordGap("record " + check.actual() + " came after record " + (check.expected() - 1)
                    + ": the channel was cleared", -1, check.expected() - 1, check.actual());
            default -> {
            }
        }
        if (check.afterResume()) resumeCause = null;
        docs.addAll(takePending());
    }

    /** One record read, and the counter it adds to once it is taken. */
    private record Read(long recordId, List<EventDocument> documents, AtomicLong outcome) {
    }

    /** Render, parse, map: never throws, a record that fails any step is kept as unreadable with the reason. */
    private Read read(long event) {
        String xml;
        try {
            xml = renderer.eventXml(event);
        } catch (EventLogException e) {
            return unreadable("could not render the event: " + e.getMessage(), null, -1);
        }
        SysmonEvent parsed;
        try {
            parsed = SysmonXmlParser.parse(xml);
        } catch (IllegalArgumentException e) {
            return unreadable(e.getMessage(), xml, -1);
        }
        try {
            Optional<EventDocument> doc = parsed.isSysmon() ? mapper.map(parsed) : Optional.empty();
            // Sysmon's own state (4, 16, 255) is not mapped, see SysmonKind.
            return doc.map(d -> new Read(parsed.recordId(), List.of(d), events))
                    .orElseGet(() -> new Read(parsed.recordId(), List.of(), skipped));
        } catch (RuntimeException e) {
            return unreadable("could not map event " + parsed.eventId() + ": " + e, xml, parsed.recordId());
        }
    }

    private Read unreadable(String reason, String xml, long recordId) {
        log.debug("unreadable record in {}: {}", CHANNEL, reason);
        return new Read(recordId, List.of(SourceDocuments.unreadable(CHANNEL, reason, xml, recordId)), unreadable);
    }

    private void recordGap(String reason, long count, long afterRecord, long nextRecord) {
        gaps.incrementAndGet();
        if (count > 0) missedRecords.addAndGet(count);
        log.warn("{}: {}", CHANNEL, reason);
        pending.add(SourceDocuments.gap(CHANNEL, reason, count, afterRecord, nextRecord));
    }

    private List<EventDocument> takePending() {
        List<EventDocument> out = new ArrayList<>(pending);
        pending.clear();
        return out;
    }

    private boolean hand(SysmonBatch batch) throws InterruptedException {
        if (sink.accept(batch)) return true;
        stopping = true;
        return false;
    }

    /** The subscription broke: close it; the loop subscribes again after the last record taken. */
    private void lost(EventLogException e) {
        closeSubscription();
        resubscriptions.incrementAndGet();
        if (EventLogCodes.staleResult(e.code())) {
            resumeCause = "while the query result was stale (the log was cleared or wrapped while reading)";
            retryMillis = 0;
            log.info("{}: {}; subscribing again after the last record taken", CHANNEL, e.getMessage());
        } else {
            resumeCause = "while the subscription was down";
            log.warn("{}: {}; subscribing again", CHANNEL, e.getMessage());
        }
    }

    /** After the last record taken; from the oldest if nothing was taken, or if the service refuses the bookmark. */
    private boolean subscribeAgain() throws InterruptedException {
        try {
            if (!bookmarkSet) {
                subscription = api.subscribe(signal, CHANNEL, QUERY, 0, EventLogCodes.SUBSCRIBE_START_AT_OLDEST);
                sequence.startedOver();
                return true;
            }
            try {
                subscription = api.subscribe(signal, CHANNEL, QUERY, bookmark, EventLogCodes.SUBSCRIBE_START_AFTER_BOOKMARK);
                sequence.resumed();
            } catch (EventLogException refused) {
                if (EventLogCodes.staleResult(refused.code())) throw refused; // the log is still moving: try again shortly
                startOverAtOldest("the bookmark was refused on subscribing again (" + refused.getMessage() + ")", sequence.lastTaken());
            }
            return true;
        } catch (EventLogException e) {
            subscription = 0;
            log.warn("cannot subscribe to {} ({}); trying again", CHANNEL, e.getMessage());
            return false;
        }
    }

    private int nextRetry() {
        retryMillis = retryMillis == 0 ? 250 : Math.min(limits.maxRetryMillis(), retryMillis * 2);
        return retryMillis;
    }

    private Optional<String> renderPosition() {
        try {
            return Optional.of(BookmarkPosition.of(renderer.bookmarkXml(bookmark)).encode());
        } catch (EventLogException | IllegalArgumentException e) {
            // The events are handed on anyway; the position persisted stays the previous one (a restart repeats them).
            log.warn("could not render the bookmark of {}: {}", CHANNEL, e.getMessage());
            return Optional.empty();
        }
    }

    private void reset() {
        try {
            api.reset(signal);
        } catch (EventLogException e) {
            log.debug("ResetEvent failed: {}", e.getMessage()); // the next drain finds events anyway
        }
    }

    private void await() throws InterruptedException {
        try {
            api.await(signal, limits.waitMillis());
        } catch (EventLogException e) {
            pause(limits.waitMillis());
        }
    }

    private void pause(int millis) throws InterruptedException {
        stopRequested.await(millis, TimeUnit.MILLISECONDS);
    }

    private void closeSubscription() {
        if (subscription == 0) return;
        api.close(subscription);
        subscription = 0;
    }

    /** Every handle this subscription holds; the signal last, under the lock {@link #stop()} sets it under. */
    private void release() {
        closeSubscription();
        if (bookmark != 0) {
            api.close(bookmark);
            bookmark = 0;
        }
        synchronized (signalLock) {
            if (signal != 0) api.closeSignal(signal);
            signal = 0;
        }
    }
}
