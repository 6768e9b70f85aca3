package org.fleetrec.agent.source.windows;

/**
 * A Windows event log call that failed, with the Win32 error code it left ({@code GetLastError}).
 * For {@link EventLogCodes#ERROR_INSUFFICIENT_BUFFER} the size the call asked for comes with it.
 */
public final class EventLogException extends Exception {
    private final int code;
    private final long requiredBytes;

    public EventLogException(String operation, int code) {
        this(operation, code, -1);
    }

    public EventLogException(String operation, int code, long requiredBytes) {
        super(operation + " failed with Win32 error " + code + describe(code));
        this.code = code;
        this.requiredBytes = requiredBytes;
    }

    public int code() {
        return code;
    }

    /** The buffer size EvtRender needs, when it said the one given was too small; else -1. */
    public long requiredBytes() {
        return requiredBytes;
    }

    private static String describe(int code) {
        return switch (code) {
            case EventLogCodes.ERROR_ACCESS_DENIED -> " (access denied: run as an administrator or a member of Event Log Readers)";
            case EventLogCodes.ERROR_INVALID_PARAMETER -> " (invalid parameter)";
            case EventLogCodes.ERROR_INSUFFICIENT_BUFFER -> " (buffer too small)";
            case EventLogCodes.ERROR_NO_MORE_ITEMS -> " (no more items)";
            case EventLogCodes.ERROR_TIMEOUT -> " (timeout)";
            case EventLogCodes.ERROR_NOT_FOUND -> " (not found)";
            case EventLogCodes.ERROR_EVT_INVALID_EVENT_DATA -> " (invalid event data)";
            case EventLogCodes.ERROR_EVT_CHANNEL_NOT_FOUND -> " (channel not found: is Sysmon installed?)";
            case EventLogCodes.ERROR_EVT_QUERY_RESULT_STALE -> " (query result stale: the log was cleared or wrapped)";
            case EventLogCodes.ERROR_EVT_QUERY_RESULT_INVALID_POSITION -> " (query result position invalid)";
            default -> "";
        };
    }
}
