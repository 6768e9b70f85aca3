package org.fleetrec.agent.audit;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Groups records into events by serial. An event ends on its EOE record, on {@link #flushExpired} once it
 * is older than the timeout (records whose event never gets an EOE, e.g. a lone SYSCALL from a kernel
 * that does not send one, or a record after loss), or on {@link #flushAll}. Record types that usually stand
 * alone (userspace {@code <1300} and {@code >=2100}, the AVC/MAC 1400 range, CONFIG_CHANGE) wait only
 * {@value #LONE_MILLIS} ms: the kernel writes an AVC or LOGIN raised inside a syscall before that
 * syscall's own records, which must still join them into one event.
 *
 * <p>Event age is measured from the record's own {@code audit(...)} time, which is the kernel's wall clock,
 * so live callers pass {@code System.currentTimeMillis()}; replaying old logs should call
 * {@link #flushAll()} at the end instead. At most {@value #MAX_IN_FLIGHT} events wait at once; beyond that
 * the oldest is emitted early, so memory stays bounded whatever the input.
 *
 * <p>Not thread-safe: one processing thread owns it. The sink runs on the caller's thread.
 */
public final class AuditEventAssembler {
    static final int MAX_IN_FLIGHT = 4096;
    static final long LONE_MILLIS = 250;
    /** A forged stream can repeat one serial without end; an event this large is emitted as it is. */
    static final int MAX_RECORDS_PER_EVENT = 1024;

    private final Consumer<AuditEvent> sink;
    private final long timeoutMillis;
    private final LinkedHashMap<Long, Pending> inFlight = new LinkedHashMap<>();
    private final SerialGapCounter gaps = new SerialGapCounter();

    private final LongSupplier arrivalClock;

    /** Ages events by their records' own time (replay of recorded logs in tests). */
    public AuditEventAssembler(Consumer<AuditEvent> sink, long timeoutMillis) {
        this(sink, timeoutMillis, null);
    }

    /**
     * Ages events by when their first record arrived on {@code arrivalClock}: a live agent following a
     * log whose records carry old times must still wait for the rest of each event.
     */
    public AuditEventAssembler(Consumer<AuditEvent> sink, long timeoutMillis, LongSupplier arrivalClock) {
        this.sink = Objects.requireNonNull(sink, "sink");
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("timeoutMillis < 0");
        }
        this.timeoutMillis = timeoutMillis;
        this.arrivalClock = arrivalClock;
    }

    public void accept(AuditRecord r) {
        gaps.observe(r.serial());
        Long serial = r.serial();
        if (r.type() == RecordTypes.EOE) {
            Pending p = inFlight.remove(serial);
            if (p != null) {
                emit(p);
            }
            return;
        }
        Pending p = inFlight.get(serial);
        boolean standalone = isStandalone(r.type());
        if (p == null) {
            p = new Pending(r.serial(), r.epochMillis(), arrivalClock == null ? r.epochMillis() : arrivalClock.getAsLong(),
                    standalone);
            inFlight.put(serial, p);
            if (inFlight.size() > MAX_IN_FLIGHT) {
                Iterator<Pending> oldest = inFlight.values().iterator();
                Pending evicted = oldest.next();
                oldest.remove();
                emit(evicted);
            }
        }
        p.records.add(r);
        if (!standalone) p.lone = false;
        if (p.records.size() >= MAX_RECORDS_PER_EVENT) {
            inFlight.remove(serial);
            emit(p);
        }
    }

    /** Emits events whose first record is at least {@code timeoutMillis} older than {@code nowMillis}. */
    public void flushExpired(long nowMillis) {
        List<Pending> due = new ArrayList<>();
        for (Iterator<Pending> it = inFlight.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (nowMillis - p.since >= (p.lone ? Math.min(LONE_MILLIS, timeoutMillis) : timeoutMillis)) {
                it.remove();
                due.add(p);
            }
        }
        due.forEach(this::emit);
    }

    /** Emits every waiting event, oldest first. */
    public void flushAll() {
        List<Pending> all = new ArrayList<>(inFlight.values());
        inFlight.clear();
        all.forEach(this::emit);
    }

    /** Serials skipped so far (u32 rollover aware; late arrivals are taken back). */
    public long sequenceGaps() {
        return gaps.gaps();
    }

    /** Number of events currently waiting for EOE or timeout. */
    public int inFlight() {
        return inFlight.size();
    }

    static boolean isStandalone(int type) {
        return type < RecordTypes.SYSCALL || type >= 2100
                || (type >= 1400 && type < 1500)
                || type == RecordTypes.CONFIG_CHANGE;
    }

    private void emit(Pending p) {
        sink.accept(new AuditEvent(p.serial, p.epochMillis, p.records));
    }

    private static final class Pending {
        final long serial;
        final long epochMillis;
        /** When its age started: the first record's time, or its arrival on the agent's clock. */
        final long since;
        final List<AuditRecord> records = new ArrayList<>(8);
        /** Only standalone-type records so far: waits {@link #LONE_MILLIS}, not the full timeout. */
        boolean lone;

        Pending(long serial, long epochMillis, long since, boolean lone) {
            this.serial = serial;
            this.epochMillis = epochMillis;
            this.since = since;
            this.lone = lone;
        }
    }
}
