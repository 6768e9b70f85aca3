package org.fleetrec.agent.source.windows;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** EvtRender's buffer: grown to what is asked, kept grown, bounded, and other errors passed on as they are. */
class WindowsEventRendererTest {
    /** Answers 122 with {@code needs} until the buffer is large enough; records the sizes it was given. */
    private static EventLogApi renderingNeeding(List<Integer> sizes, long... needs) {
        int[] call = {0};
        return new ScriptedEventLog() {
            @Override
            public synchronized String render(long handle, int flags, int bufferBytes) throws EventLogException {
                sizes.add(bufferBytes);
                long need = needs[Math.min(call[0]++, needs.length - 1)];
                if (need < 0 || bufferBytes < need) throw new EventLogException("EvtRender", EventLogCodes.ERROR_INSUFFICIENT_BUFFER, need);
                return "x".repeat(bufferBytes / 2 - 1);
            }
        };
    }

    @Test
    void growsToTheSizeAskedAndStaysThere() throws Exception {
        List<Integer> sizes = new ArrayList<>();
        EventRenderer renderer = new EventRenderer(renderingNeeding(sizes, 40_000, 40_000, 40_000), 1024);
        renderer.eventXml(1);
        renderer.eventXml(2);
        assertEquals(List.of(1024, 40_000, 40_000), sizes, "one retry, then the grown buffer from the start");
        assertEquals(1, renderer.growths());
    }

    @Test
    void doublesWhenTheServiceGivesNoSize() throws Exception {
        List<Integer> sizes = new ArrayList<>();
        EventRenderer renderer = new EventRenderer(renderingNeeding(sizes, -1, -1, 3_000), 1024);
        renderer.eventXml(1);
        assertEquals(List.of(1024, 2048, 4096), sizes);
    }

    @Test
    void refusesMoreThanTheBoundAndGivesUpAfterAFewTries() {
        List<Integer> sizes = new ArrayList<>();
        EventLogException tooLarge = assertThrows(EventLogException.class,
                () -> new EventRenderer(renderingNeeding(sizes, EventRenderer.MAX_BYTES + 2L), 1024).eventXml(1));
        assertEquals(EventLogCodes.ERROR_INSUFFICIENT_BUFFER, tooLarge.code());
        assertTrue(tooLarge.getMessage().contains("refused"), tooLarge.getMessage());
        assertEquals(List.of(1024), sizes, "no buffer of that size was ever asked for");

        List<Integer> moving = new ArrayList<>();
        assertThrows(EventLogException.class, () -> new EventRenderer(renderingNeeding(moving, 2_000, 3_000, 4_000, 5_000), 1024).eventXml(1));
        assertEquals(3, moving.size(), "a size that keeps moving is not chased for ever");
    }

    @Test
    void otherErrorsArePassedOnUnchanged() {
        EventLogApi failing = new ScriptedEventLog() {
            @Override
            public synchronized String render(long handle, int flags, int bufferBytes) throws EventLogException {
                throw new EventLogException("EvtRender", EventLogCodes.ERROR_EVT_INVALID_EVENT_DATA);
            }
        };
        EventLogException e = assertThrows(EventLogException.class, () -> new EventRenderer(failing).eventXml(1));
        assertEquals(EventLogCodes.ERROR_EVT_INVALID_EVENT_DATA, e.code());
    }
}
