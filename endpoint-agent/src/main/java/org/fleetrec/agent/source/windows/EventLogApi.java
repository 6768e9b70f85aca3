package org.fleetrec.agent.source.windows;

import java.io.IOException;

/**
 * The few Windows Event Log (wevtapi) and synchronisation calls the Sysmon source makes, in plain Java
 * types: handles are opaque non-zero longs, flags are the Win32 values of {@link EventLogCodes}, and
 * every failure is an {@link EventLogException} carrying the Win32 error code, including those that are
 * not really errors (no more items, buffer too small) so that the caller decides what they mean. The
 * one implementation that calls Windows is {@link #windows()}; everything deciding what to do with these
 * calls lives in the callers and is tested without Windows.
 */
public interface EventLogApi {
    /** The implementation binding wevtapi.dll; refused (never loaded) anywhere but on Windows. */
    static EventLogApi windows() throws IOException {
        if (!com.sun.jna.Platform.isWindows()) {
            throw new IOException("the Windows event log source runs on Windows only (this is " + System.getProperty("os.name") + ")");
        }
        try {
            // By name, so that no other platform ever loads the class and its bindings.
            return (EventLogApi) Class.forName(EventLogApi.class.getPackageName() + ".WevtapiEventLog")
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IOException("cannot bind wevtapi.dll: " + e, e);
        }
    }

    /** CreateEvent: a manual-reset event, not set, for the service to set when events arrive. */
    long createSignal() throws EventLogException;

    /** WaitForSingleObject: true when the signal is set, false when {@code millis} passed first. */
    boolean await(long signal, int millis) throws EventLogException;

    /** ResetEvent. */
    void reset(long signal) throws EventLogException;

    /** SetEvent: wakes whoever waits on the signal. */
    void set(long signal) throws EventLogException;

    /** CloseHandle of a signal. */
    void closeSignal(long signal);

    /** EvtSubscribe in the pull model: no callback, {@code signal} set when events are there to take. */
    long subscribe(long signal, String channel, String query, long bookmark, int flags) throws EventLogException;

    /** EvtQuery over a channel. */
    long query(String channel, String query, int flags) throws EventLogException;

    /** EvtNext: at least one and at most {@code max} event handles, or the error (259 when there are no more). */
    long[] next(long results, int max, int timeoutMillis) throws EventLogException;

    /**
     * EvtRender of an event ({@link EventLogCodes#RENDER_EVENT_XML}) or bookmark
     * ({@link EventLogCodes#RENDER_BOOKMARK}) as XML, into a buffer of {@code bufferBytes}; when that is
     * too small, error 122 with the size needed.
     */
    String render(long handle, int flags, int bufferBytes) throws EventLogException;

    /** EvtCreateBookmark: from rendered bookmark XML, or an empty one for null. */
    long createBookmark(String xml) throws EventLogException;

    /** EvtUpdateBookmark: the bookmark now points at {@code event}. */
    void updateBookmark(long bookmark, long event) throws EventLogException;

    /** EvtClose of a subscription, query result, event or bookmark handle. */
    void close(long handle);
}
