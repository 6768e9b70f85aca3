package org.fleetrec.agent.source.windows;

import com.sun.jna.Callback;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.Winevt;
import com.sun.jna.ptr.IntByReference;
import org.fleetrec.agent.source.CaptureSelector;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * What can be checked of the Windows bindings without Windows: the Win32 numbers the source acts on
 * equal the documented values (the literals below, from the pages cited in {@link EventLogCodes}) and
 * jna-platform's own copies; the JNA implementation loads, and the jna-platform functions it calls
 * exist with the signatures it was compiled against, without linking wevtapi.dll (which would fail
 * here: had anything initialised jna-platform's Wevtapi, these tests would end in an
 * ExceptionInInitializerError); and a Linux agent never even loads it.
 */
class WindowsEventLogBindingsTest {
    private static final String IMPLEMENTATION = EventLogApi.class.getPackageName() + ".WevtapiEventLog";

    @Test
    void theWin32NumbersAreTheDocumentedOnes() {
        // EVT_SUBSCRIBE_FLAGS
        assertEquals(1, EventLogCodes.SUBSCRIBE_TO_FUTURE_EVENTS);
        assertEquals(2, EventLogCodes.SUBSCRIBE_START_AT_OLDEST);
        assertEquals(3, EventLogCodes.SUBSCRIBE_START_AFTER_BOOKMARK);
        assertEquals(0x10000, EventLogCodes.SUBSCRIBE_STRICT);
        // EVT_RENDER_FLAGS
        assertEquals(1, EventLogCodes.RENDER_EVENT_XML);
        assertEquals(2, EventLogCodes.RENDER_BOOKMARK);
        // EVT_QUERY_FLAGS
        assertEquals(0x1, EventLogCodes.QUERY_CHANNEL_PATH);
        assertEquals(0x200, EventLogCodes.QUERY_REVERSE_DIRECTION);
        // System error codes
        assertEquals(5, EventLogCodes.ERROR_ACCESS_DENIED);
        assertEquals(87, EventLogCodes.ERROR_INVALID_PARAMETER);
        assertEquals(122, EventLogCodes.ERROR_INSUFFICIENT_BUFFER);
        assertEquals(259, EventLogCodes.ERROR_NO_MORE_ITEMS);
        assertEquals(1168, EventLogCodes.ERROR_NOT_FOUND);
        assertEquals(1460, EventLogCodes.ERROR_TIMEOUT);
        assertEquals(15005, EventLogCodes.ERROR_EVT_INVALID_EVENT_DATA);
        assertEquals(15007, EventLogCodes.ERROR_EVT_CHANNEL_NOT_FOUND);
        assertEquals(15011, EventLogCodes.ERROR_EVT_QUERY_RESULT_STALE);
        assertEquals(15012, EventLogCodes.ERROR_EVT_QUERY_RESULT_INVALID_POSITION);
        // WaitForSingleObject
        assertEquals(0, EventLogCodes.WAIT_OBJECT_0);
        assertEquals(0x102, EventLogCodes.WAIT_TIMEOUT);
    }

    @Test
    void jnaPlatformAgreesWithEveryNumber() {
        assertEquals(Winevt.EVT_SUBSCRIBE_FLAGS.EvtSubscribeToFutureEvents, EventLogCodes.SUBSCRIBE_TO_FUTURE_EVENTS);
        assertEquals(Winevt.EVT_SUBSCRIBE_FLAGS.EvtSubscribeStartAtOldestRecord, EventLogCodes.SUBSCRIBE_START_AT_OLDEST);
        assertEquals(Winevt.EVT_SUBSCRIBE_FLAGS.EvtSubscribeStartAfterBookmark, EventLogCodes.SUBSCRIBE_START_AFTER_BOOKMARK);
        assertEquals(Winevt.EVT_SUBSCRIBE_FLAGS.EvtSubscribeStrict, EventLogCodes.SUBSCRIBE_STRICT);
        assertEquals(Winevt.EVT_RENDER_FLAGS.EvtRenderEventXml, EventLogCodes.RENDER_EVENT_XML);
        assertEquals(Winevt.EVT_RENDER_FLAGS.EvtRenderBookmark, EventLogCodes.RENDER_BOOKMARK);
        assertEquals(Winevt.EVT_QUERY_FLAGS.EvtQueryChannelPath, EventLogCodes.QUERY_CHANNEL_PATH);
        assertEquals(Winevt.EVT_QUERY_FLAGS.EvtQueryReverseDirection, EventLogCodes.QUERY_REVERSE_DIRECTION);
        assertEquals(WinError.ERROR_ACCESS_DENIED, EventLogCodes.ERROR_ACCESS_DENIED);
        assertEquals(WinError.ERROR_INVALID_PARAMETER, EventLogCodes.ERROR_INVALID_PARAMETER);
        assertEquals(WinError.ERROR_INSUFFICIENT_BUFFER, EventLogCodes.ERROR_INSUFFICIENT_BUFFER);
        assertEquals(WinError.ERROR_NO_MORE_ITEMS, EventLogCodes.ERROR_NO_MORE_ITEMS);
        assertEquals(WinError.ERROR_NOT_FOUND, EventLogCodes.ERROR_NOT_FOUND);
        assertEquals(WinError.ERROR_TIMEOUT, EventLogCodes.ERROR_TIMEOUT);
        assertEquals(WinError.ERROR_EVT_INVALID_EVENT_DATA, EventLogCodes.ERROR_EVT_INVALID_EVENT_DATA);
        assertEquals(WinError.ERROR_EVT_CHANNEL_NOT_FOUND, EventLogCodes.ERROR_EVT_CHANNEL_NOT_FOUND);
        assertEquals(WinError.ERROR_EVT_QUERY_RESULT_STALE, EventLogCodes.ERROR_EVT_QUERY_RESULT_STALE);
        assertEquals(WinError.ERROR_EVT_QUERY_RESULT_INVALID_POSITION, EventLogCodes.ERROR_EVT_QUERY_RESULT_INVALID_POSITION);
        assertEquals(WinBase.WAIT_OBJECT_0, EventLogCodes.WAIT_OBJECT_0);
        assertEquals(WinError.WAIT_TIMEOUT, EventLogCodes.WAIT_TIMEOUT);
    }

    @Test
    void theJnaImplementationLoadsWithoutLinkingWevtapi() throws Exception {
        assumeFalse(Platform.isWindows(), "on Windows the bindings link for real; this checks they need not elsewhere");
        RecordingLoader loader = new RecordingLoader();
        Class<?> implementation = Class.forName(IMPLEMENTATION, false, loader);
        assertTrue(loader.loadClass(EventLogApi.class.getName()).isAssignableFrom(implementation));
        assertTrue(Modifier.isFinal(implementation.getModifiers()) && !Modifier.isPublic(implementation.getModifiers()),
                "reachable only through EventLogApi.windows()");
        // Every call of the API the loop is tested against is implemented, and every signature resolves.
        for (Method m : EventLogApi.class.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers())) continue;
            Class<?>[] parameters = loader.loadClass(EventLogApi.class.getName()).getMethod(m.getName(), m.getParameterTypes())
                    .getParameterTypes();
            assertEquals(m.getReturnType(), implementation.getDeclaredMethod(m.getName(), parameters).getReturnType(), m.getName());
        }
        // Its bindings are instance state: initialising the class links nothing, only constructing it (on Windows) does.
        for (java.lang.reflect.Field f : implementation.getDeclaredFields()) {
            assertFalse(Modifier.isStatic(f.getModifiers()), f + " would link wevtapi when the class initialises");
        }
        Class<?> wevtapi = Class.forName("com.sun.jna.platform.win32.Wevtapi", false, loader);
        Class<?> handle = Winevt.EVT_HANDLE.class;
        // The functions as WevtapiEventLog calls them (winevt.h): returns and parameters.
        assertEquals(handle, wevtapi.getMethod("EvtSubscribe", handle, handle, String.class, String.class, handle,
                Pointer.class, Callback.class, int.class).getReturnType());
        assertEquals(handle, wevtapi.getMethod("EvtQuery", handle, String.class, String.class, int.class).getReturnType());
        assertEquals(boolean.class, wevtapi.getMethod("EvtNext", handle, int.class, Winevt.EVT_HANDLE[].class, int.class,
                int.class, IntByReference.class).getReturnType());
        assertEquals(boolean.class, wevtapi.getMethod("EvtRender", handle, handle, int.class, int.class, Pointer.class,
                IntByReference.class, IntByReference.class).getReturnType());
        assertEquals(handle, wevtapi.getMethod("EvtCreateBookmark", String.class).getReturnType());
        assertEquals(boolean.class, wevtapi.getMethod("EvtUpdateBookmark", handle, handle).getReturnType());
        assertEquals(boolean.class, wevtapi.getMethod("EvtClose", handle).getReturnType());
    }

    @Test
    void aLinuxAgentNeverLoadsTheWindowsBindings() throws Exception {
        assumeFalse(Platform.isWindows());
        assertFalse(CaptureSelector.readsEventLog("auto"), "auto never means the event log off Windows");
        assertFalse(CaptureSelector.readsEventLog(null));
        assertFalse(CaptureSelector.readsEventLog("log:/var/log/audit/audit.log"));
        assertTrue(CaptureSelector.readsEventLog("eventlog"), "asked for by name, it is tried (and refused below)");

        RecordingLoader loader = new RecordingLoader();
        Method windows = loader.loadClass(EventLogApi.class.getName()).getMethod("windows");
        InvocationTargetException refused = org.junit.jupiter.api.Assertions.assertThrows(InvocationTargetException.class,
                () -> windows.invoke(null));
        IOException cause = assertInstanceOf(IOException.class, refused.getCause());
        assertTrue(cause.getMessage().contains("runs on Windows only"), cause.getMessage());
        assertFalse(loader.requested.contains(IMPLEMENTATION), "the JNA implementation was not even loaded");
        assertTrue(loader.requested.stream().noneMatch(n -> n.startsWith("com.sun.jna.platform.win32.")),
                "no Windows binding requested: " + loader.requested);
    }

    /**
     * Defines this package's classes itself (child first), so that every class they ask for is seen
     * here; everything else comes from the test's class path as usual.
     */
    private static final class RecordingLoader extends ClassLoader {
        final Set<String> requested = ConcurrentHashMap.newKeySet();

        RecordingLoader() {
            super(WindowsEventLogBindingsTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            requested.add(name);
            if (!name.startsWith(EventLogApi.class.getPackageName() + ".")) return super.loadClass(name, resolve);
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded != null) return loaded;
                try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                    if (in == null) throw new ClassNotFoundException(name);
                    byte[] bytes = in.readAllBytes();
                    return defineClass(name, bytes, 0, bytes.length);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }
}
