package org.fleetrec.agent.sysmon.evtx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fleetrec.agent.sysmon.SysmonEvent;
import org.fleetrec.agent.sysmon.SysmonItem;
import org.fleetrec.agent.sysmon.SysmonReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/** The importer's entry point reads evtx files like any other Sysmon export: callers need not know the format. */
class EvtxSysmonReaderTest {
    private static byte[] twoChunks() {
        return EvtxTestFile.file(2, 0, SampleEvents.chunk(1, 3).build(), SampleEvents.chunk(4, 2).build());
    }

    private static List<SysmonItem> read(byte[] bytes) throws IOException {
        List<SysmonItem> out = new ArrayList<>();
        try (SysmonReader reader = SysmonReader.of(new ByteArrayInputStream(bytes))) {
            reader.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void anEvtxFileIsToldByItsSignaturePlainOrGzipped() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(twoChunks());
        }
        for (byte[] bytes : List.of(twoChunks(), gz.toByteArray())) {
            List<SysmonItem> items = read(bytes);
            assertEquals(5, items.size());
            for (int i = 0; i < 5; i++) {
                SysmonItem.Event item = assertInstanceOf(SysmonItem.Event.class, items.get(i));
                assertEquals(i + 1, item.record());
                assertEquals(-1, item.line());
                SysmonEvent event = item.event();
                assertEquals(i + 1, event.recordId());
                assertEquals("img" + (i + 1) + ".exe", event.data().get("Image"));
                assertEquals(EvtxTestFile.WRITTEN, event.time());
                assertTrue(event.isSysmon());
            }
        }
    }

    @Test
    void itemsOfAPathReadAnEvtxFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("export.evtx");
        Files.write(file, twoChunks());
        try (Stream<SysmonItem> items = SysmonReader.items(file)) {
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), items.map(i -> ((SysmonItem.Event) i).event().recordId()).toList());
        }
    }

    @Test
    void aSkippedChunkBecomesOneFailedItemInItsPlaceWithWhatItCost() throws IOException {
        byte[] file = EvtxTestFile.file(3, 0, SampleEvents.chunk(1, 3).build(), SampleEvents.chunk(4, 2).build(),
                SampleEvents.chunk(6, 1).build());
        file[EvtxTestFile.HEADER + EvtxTestFile.CHUNK + 20] ^= 0x10;
        List<SysmonItem> items = read(file);
        assertEquals(5, items.size());
        SysmonItem.Failed failed = assertInstanceOf(SysmonItem.Failed.class, items.get(3));
        assertTrue(failed.reason().contains("chunk 1 at file offset 0x11000") && failed.reason().contains("at least 2 records lost"),
                failed.reason());
        assertEquals(6, ((SysmonItem.Event) items.get(4)).event().recordId());
    }
}
