package org.fleetrec.agent.source.windows;

/**
 * EvtRender with a buffer that grows to what the service asks for (ERROR_INSUFFICIENT_BUFFER comes
 * with the size needed) and stays grown, so a host whose events are large pays the retry once, not per
 * event. Bounded: a size beyond {@link #MAX_BYTES} is refused as an error of that one event.
 */
final class EventRenderer {
    static final int INITIAL_BYTES = 16 << 10;
    /** Far beyond any real event (a record is at most 64 KiB of binary XML); it guards the heap, not the data. */
    static final int MAX_BYTES = 8 << 20;
    /** The size needed can change between two calls (a bookmark is updated meanwhile): try a few times. */
    private static final int ATTEMPTS = 3;

    private final EventLogApi api;
    private int bufferBytes;
    private volatile long growths; // read by the health thread

    EventRenderer(EventLogApi api) {
        this(api, INITIAL_BYTES);
    }

    EventRenderer(EventLogApi api, int initialBytes) {
        this.api = api;
        this.bufferBytes = initialBytes;
    }

    String eventXml(long event) throws EventLogException {
        return render(event, EventLogCodes.RENDER_EVENT_XML);
    }

    String bookmarkXml(long bookmark) throws EventLogException {
        return render(bookmark, EventLogCodes.RENDER_BOOKMARK);
    }

    /** How often the buffer had to grow. */
    long growths() {
        return growths;
    }

    int bufferBytes() {
        return bufferBytes;
    }

    private String render(long handle, int flags) throws EventLogException {
        for (int attempt = 1; ; attempt++) {
            try {
                return api.render(handle, flags, bufferBytes);
            } catch (EventLogException e) {
                if (e.code() != EventLogCodes.ERROR_INSUFFICIENT_BUFFER || attempt == ATTEMPTS) throw e;
                long needed = e.requiredBytes();
                if (needed > MAX_BYTES) {
                    throw new EventLogException("EvtRender of " + needed + " bytes (more than " + MAX_BYTES + " refused)",
                            EventLogCodes.ERROR_INSUFFICIENT_BUFFER, needed);
                }
                // No size given (never seen, but not promised either): double.
                bufferBytes = (int) Math.min(MAX_BYTES, needed > bufferBytes ? needed : 2L * bufferBytes);
                growths = growths + 1;
            }
        }
    }
}
