package org.fleetrec.agent.source.windows;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.Wevtapi;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.Winevt;
import com.sun.jna.ptr.IntByReference;

/**
 * {@link EventLogApi} over jna-platform's wevtapi and kernel32 bindings. Loaded only on Windows, by
 * {@link EventLogApi#windows()}: touching {@code Wevtapi.INSTANCE} links wevtapi.dll. Each method is
 * one Win32 call and its error code ({@link Native#getLastError()}, which JNA keeps from the call
 * itself); no decision is taken here.
 */
final class WevtapiEventLog implements EventLogApi {
    private final Wevtapi wevtapi = Wevtapi.INSTANCE;
    private final Kernel32 kernel32 = Kernel32.INSTANCE;

    @Override
    public long createSignal() throws EventLogException {
        WinNT.HANDLE event = kernel32.CreateEvent(null, true, false, null);
        if (event == null) throw failed("CreateEvent");
        return value(event);
    }

    @Override
    public boolean await(long signal, int millis) throws EventLogException {
        int result = kernel32.WaitForSingleObject(new WinNT.HANDLE(pointer(signal)), millis);
        if (result == EventLogCodes.WAIT_OBJECT_0) return true;
        if (result == EventLogCodes.WAIT_TIMEOUT) return false;
        throw failed("WaitForSingleObject");
    }

    @Override
    public void reset(long signal) throws EventLogException {
        if (!kernel32.ResetEvent(new WinNT.HANDLE(pointer(signal)))) throw failed("ResetEvent");
    }

    @Override
    public void set(long signal) throws EventLogException {
        if (!kernel32.SetEvent(new WinNT.HANDLE(pointer(signal)))) throw failed("SetEvent");
    }

    @Override
    public void closeSignal(long signal) {
        kernel32.CloseHandle(new WinNT.HANDLE(pointer(signal)));
    }

    @Override
    public long subscribe(long signal, String channel, String query, long bookmark, int flags) throws EventLogException {
        Winevt.EVT_HANDLE subscription = wevtapi.EvtSubscribe(null, handle(signal), channel, query,
                bookmark == 0 ? null : handle(bookmark), null, null, flags);
        if (subscription == null) throw failed("EvtSubscribe");
        return value(subscription);
    }

    @Override
    public long query(String channel, String query, int flags) throws EventLogException {
        Winevt.EVT_HANDLE results = wevtapi.EvtQuery(null, channel, query, flags);
        if (results == null) throw failed("EvtQuery");
        return value(results);
    }

    @Override
    public long[] next(long results, int max, int timeoutMillis) throws EventLogException {
        Winevt.EVT_HANDLE[] events = new Winevt.EVT_HANDLE[max];
        IntByReference returned = new IntByReference();
        if (!wevtapi.EvtNext(handle(results), max, events, timeoutMillis, 0, returned)) throw failed("EvtNext");
        long[] out = new long[Math.min(returned.getValue(), max)];
        for (int i = 0; i < out.length; i++) out[i] = value(events[i]);
        return out;
    }

    @Override
    public String render(long handle, int flags, int bufferBytes) throws EventLogException {
        Memory buffer = new Memory(bufferBytes);
        try {
            IntByReference used = new IntByReference();
            IntByReference properties = new IntByReference();
            if (!wevtapi.EvtRender(null, handle(handle), flags, bufferBytes, buffer, used, properties)) {
                int code = Native.getLastError();
                throw new EventLogException("EvtRender", code,
                        code == EventLogCodes.ERROR_INSUFFICIENT_BUFFER ? Integer.toUnsignedLong(used.getValue()) : -1);
            }
            return buffer.getWideString(0);
        } finally {
            buffer.close();
        }
    }

    @Override
    public long createBookmark(String xml) throws EventLogException {
        Winevt.EVT_HANDLE bookmark = wevtapi.EvtCreateBookmark(xml);
        if (bookmark == null) throw failed("EvtCreateBookmark");
        return value(bookmark);
    }

    @Override
    public void updateBookmark(long bookmark, long event) throws EventLogException {
        if (!wevtapi.EvtUpdateBookmark(handle(bookmark), handle(event))) throw failed("EvtUpdateBookmark");
    }

    @Override
    public void close(long handle) {
        wevtapi.EvtClose(handle(handle));
    }

    private static EventLogException failed(String operation) {
        return new EventLogException(operation, Native.getLastError());
    }

    private static Winevt.EVT_HANDLE handle(long value) {
        return new Winevt.EVT_HANDLE(pointer(value));
    }

    private static Pointer pointer(long value) {
        return new Pointer(value);
    }

    private static long value(WinNT.HANDLE handle) {
        return Pointer.nativeValue(handle.getPointer());
    }
}
