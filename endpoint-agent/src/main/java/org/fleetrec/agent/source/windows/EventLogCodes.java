package org.fleetrec.agent.source.windows;

/**
 * The Win32 numbers the event-log source relies on, each with the page that documents it. They live
 * here, apart from the JNA bindings, so the loop that acts on them is compiled and tested without
 * Windows, and a test holds them against both the documented values and jna-platform's copies.
 */
public final class EventLogCodes {
    // EVT_SUBSCRIBE_FLAGS, winevt.h: https://learn.microsoft.com/windows/win32/api/winevt/ne-winevt-evt_subscribe_flags
    public static final int SUBSCRIBE_TO_FUTURE_EVENTS = 1;      // EvtSubscribeToFutureEvents
    public static final int SUBSCRIBE_START_AT_OLDEST = 2;       // EvtSubscribeStartAtOldestRecord
    public static final int SUBSCRIBE_START_AFTER_BOOKMARK = 3;  // EvtSubscribeStartAfterBookmark
    public static final int SUBSCRIBE_STRICT = 0x10000;           // EvtSubscribeStrict: never set here, see SysmonSubscription

    // EVT_RENDER_FLAGS, winevt.h: https://learn.microsoft.com/windows/win32/api/winevt/ne-winevt-evt_render_flags
    public static final int RENDER_EVENT_XML = 1;                // EvtRenderEventXml
    public static final int RENDER_BOOKMARK = 2;                 // EvtRenderBookmark

    // EVT_QUERY_FLAGS, winevt.h: https://learn.microsoft.com/windows/win32/api/winevt/ne-winevt-evt_query_flags
    public static final int QUERY_CHANNEL_PATH = 0x1;            // EvtQueryChannelPath
    public static final int QUERY_REVERSE_DIRECTION = 0x200;     // EvtQueryReverseDirection

    // System error codes: https://learn.microsoft.com/windows/win32/debug/system-error-codes--0-499-
    public static final int ERROR_ACCESS_DENIED = 5;
    public static final int ERROR_INVALID_PARAMETER = 87;
    public static final int ERROR_INSUFFICIENT_BUFFER = 122;
    public static final int ERROR_NO_MORE_ITEMS = 259;
    // https://learn.microsoft.com/windows/win32/debug/system-error-codes--1300-1699-
    public static final int ERROR_TIMEOUT = 1460;
    // https://learn.microsoft.com/windows/win32/debug/system-error-codes--1000-1299-
    public static final int ERROR_NOT_FOUND = 1168;
    // Event log errors: https://learn.microsoft.com/windows/win32/wes/windows-event-log-error-constants
    // (also https://learn.microsoft.com/windows/win32/debug/system-error-codes--12000-15999-)
    public static final int ERROR_EVT_INVALID_EVENT_DATA = 15005;
    public static final int ERROR_EVT_CHANNEL_NOT_FOUND = 15007;
    public static final int ERROR_EVT_QUERY_RESULT_STALE = 15011;
    public static final int ERROR_EVT_QUERY_RESULT_INVALID_POSITION = 15012;

    // WaitForSingleObject results: https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitforsingleobject
    public static final int WAIT_OBJECT_0 = 0;
    public static final int WAIT_TIMEOUT = 0x102;

    private EventLogCodes() {
    }

    /** The query result no longer matches the log (cleared or wrapped under it): reissue the subscription. */
    static boolean staleResult(int code) {
        return code == ERROR_EVT_QUERY_RESULT_STALE || code == ERROR_EVT_QUERY_RESULT_INVALID_POSITION;
    }

    /** EvtNext's ways of saying "nothing more for now". */
    static boolean drained(int code) {
        return code == ERROR_NO_MORE_ITEMS || code == ERROR_TIMEOUT;
    }
}
