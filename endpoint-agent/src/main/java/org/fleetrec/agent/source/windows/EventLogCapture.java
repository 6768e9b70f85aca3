package org.fleetrec.agent.source.windows;

import org.fleetrec.agent.source.Capture;

import java.io.IOException;
import java.util.Optional;

/**
 * Sysmon's channel of the Windows event log as the agent's capture: one thread runs the
 * {@link SysmonSubscription}, batches go to the agent's sink, and the bookmark each batch carries is
 * the position the agent persists with its documents. No kernel counters on Windows (-1); the
 * overruns are the records the source could not keep: unreadable ones and those lost before reading.
 */
public final class EventLogCapture implements Capture {
    public static final String MODE = "eventlog";
    private static final long STOP_MILLIS = 5_000;

    private final SysmonSubscription subscription;
    private final Thread thread;
    private final Optional<String> startPosition;

    private EventLogCapture(SysmonSubscription subscription, Optional<String> startPosition) {
        this.subscription = subscription;
        this.startPosition = startPosition;
        this.thread = new Thread(subscription, "eventlog-capture");
        thread.setDaemon(true);
    }

    /**
     * Subscribes (a refusal fails here, with its reason) and starts reading.
     *
     * @param savedPosition what the agent last persisted ({@link BookmarkPosition#encode()}); anything else is ignored
     */
    public static EventLogCapture start(EventLogApi api, SysmonSubscription.BatchSink sink, Optional<String> savedPosition)
            throws IOException {
        SysmonSubscription subscription = new SysmonSubscription(api, sink, SysmonSubscription.Limits.defaults());
        Optional<String> start;
        try {
            start = subscription.open(savedPosition);
        } catch (EventLogException e) {
            throw new IOException("cannot subscribe to " + SysmonSubscription.CHANNEL + ": " + e.getMessage(), e);
        }
        EventLogCapture capture = new EventLogCapture(subscription, start);
        capture.thread.start();
        return capture;
    }

    public SysmonSubscription.Counts counts() {
        return subscription.counts();
    }

    @Override
    public String mode() {
        return MODE;
    }



    @Override
    public long overruns() {
        SysmonSubscription.Counts counts = subscription.counts();
        return counts.unreadable() + counts.missedRecords();
    }

    @Override
    public boolean controlsKernel() {
        return false;
    }

    @Override
    public Optional<String> startPosition() {
        return startPosition;
    }

    /** Stops reading and waits for the thread to close its handles; a batch not taken by then is read again next start. */
    @Override
    public void close() {
        subscription.stop();
        try {
            thread.join(STOP_MILLIS);
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(STOP_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
