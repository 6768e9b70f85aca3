package org.fleetrec.agent.sysmon.evtx;

import static org.fleetrec.agent.sysmon.evtx.SampleEvents.ids;
import static org.fleetrec.agent.sysmon.evtx.SampleEvents.problems;
import static org.fleetrec.agent.sysmon.evtx.SampleEvents.read;
import static org.fleetrec.agent.sysmon.evtx.SampleEvents.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fleetrec.agent.sysmon.SysmonXmlParser;
import org.fleetrec.agent.sysmon.evtx.BinXmlWriter.TemplateValue;
import org.junit.jupiter.api.Test;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

/** Truncated, corrupted, garbage and malicious files: each gives a clear problem and loses nothing else. */
class EvtxHostileInputTest {
    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static byte[] threeChunks() {
        return EvtxTestFile.file(3, 0, SampleEvents.chunk(1, 10).build(), SampleEvents.chunk(11, 10).build(),
                SampleEvents.chunk(21, 10).build());
    }

    @Test
    void aWellFormedFileReadsEveryRecordInOrder() throws IOException {
        List<EvtxEntry> entries = read(threeChunks());
        assertEquals(List.of(), problems(entries));
        assertEquals(range(1, 30), ids(entries));
        EvtxRecord last = records(entries).get(29);
        assertEquals("img30.exe", SysmonXmlParser.parse(last.xml()).data().get("Image"));
        assertEquals(30, SysmonXmlParser.parse(last.xml()).recordId());
    }

    @Test
    void aFlippedByteInAChunkHeaderSkipsThatChunkOnlyAndCountsItsRecords() throws IOException {
        byte[] file = threeChunks();
        file[EvtxTestFile.HEADER + EvtxTestFile.CHUNK + 9] ^= 0x01; // chunk 1's first record number
        List<EvtxEntry> entries = read(file);
        assertEquals(concat(range(1, 10), range(21, 30)), ids(entries));
        List<EvtxProblem> problems = problems(entries);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).reason().contains("chunk 1 ") && problems.get(0).reason().contains("header checksum mismatch"),
                problems.get(0).reason());
        assertEquals(10, problems.get(0).lostRecords());
        assertEquals(EvtxTestFile.HEADER + EvtxTestFile.CHUNK, problems.get(0).fileOffset());
        assertInstanceOf(EvtxProblem.class, entries.get(10), "the problem stands where the chunk was");
    }

    @Test
    void aFlippedByteInARecordValueIsFlaggedByTheRecordsChecksumAndTheRecordsAreStillRead() throws IOException {
        byte[] file = threeChunks();
        int image = indexOf(file, "img15.exe".getBytes(java.nio.charset.StandardCharsets.UTF_16LE));
        file[image] = 'X';
        List<EvtxEntry> entries = read(file);
        assertEquals(range(1, 30), ids(entries));
        List<EvtxProblem> problems = problems(entries);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).reason().contains("chunk 1 ") && problems.get(0).reason().contains("records checksum mismatch"));
        assertEquals(0, problems.get(0).lostRecords());
    }

    @Test
    void aBrokenTokenFailsItsRecordAlone() throws IOException {
        EvtxTestFile.Chunk chunk = SampleEvents.chunk(1, 3);
        chunk.record(4, base -> new BinXmlWriter(base).fragmentHeader().u8(0x2b).eof().bytes());
        EvtxTestFile.Chunk rest = SampleEvents.chunk(5, 2);
        List<EvtxEntry> entries = read(EvtxTestFile.file(2, 0, chunk.build(), rest.build()));
        assertEquals(List.of(1L, 2L, 3L, 5L, 6L), ids(entries));
        EvtxProblem problem = assertInstanceOf(EvtxProblem.class, entries.get(3));
        assertTrue(problem.reason().startsWith("record 4 ") && problem.reason().contains("unexpected token 0x2b"), problem.reason());
        assertEquals(1, problem.lostRecords());
    }

    @Test
    void aRecordWhoseSizeDisagreesWithItsCopyIsSkippedAndTheNextRecordRead() throws IOException {
        byte[] chunk = SampleEvents.chunk(1, 4).build();
        int second = 512 + (int) EvtxTestFile.u32(chunk, 512 + 4);
        EvtxTestFile.le(chunk, second + 4, 0x7000, 4); // record 2 claims to run past the free space
        List<EvtxEntry> entries = read(EvtxTestFile.file(1, 0, chunk));
        assertEquals(List.of(1L, 3L, 4L), ids(entries));
        List<EvtxProblem> problems = problems(entries);
        assertTrue(problems.stream().anyMatch(p -> p.reason().contains("no whole record at file offset 0x"
                + Long.toHexString(EvtxTestFile.HEADER + second))), problems.toString());
    }

    @Test
    void aTruncatedFileKeepsEverythingBeforeTheCutAndCountsWhatIsLost() throws IOException {
        byte[] whole = threeChunks();
        byte[] chunk1 = Arrays.copyOfRange(whole, EvtxTestFile.HEADER + EvtxTestFile.CHUNK, EvtxTestFile.HEADER + 2 * EvtxTestFile.CHUNK);
        int fifthRecord = 512;
        for (int i = 0; i < 4; i++) fifthRecord += (int) EvtxTestFile.u32(chunk1, fifthRecord + 4);
        int cut = EvtxTestFile.HEADER + EvtxTestFile.CHUNK + fifthRecord + 40; // inside chunk 1's fifth record
        List<EvtxEntry> entries = read(Arrays.copyOf(whole, cut));
        assertEquals(range(1, 14), ids(entries));
        List<EvtxProblem> problems = problems(entries);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).reason().startsWith("file ends"), problems.get(0).reason());
        assertEquals(6, problems.get(0).lostRecords());

        List<EvtxEntry> headerOnly = read(Arrays.copyOf(whole, 2000));
        assertEquals(1, headerOnly.size());
        assertTrue(((EvtxProblem) headerOnly.get(0)).reason().contains("inside its 4096-byte header"));
    }

    @Test
    void garbageIsRefusedWithAClearErrorAndGarbageAfterASignatureEndsCleanly() throws IOException {
        byte[] garbage = new byte[200_000];
        new Random(7).nextBytes(garbage);
        IOException refused = assertThrows(IOException.class, () -> read(garbage));
        assertTrue(refused.getMessage().contains("not an evtx file"), refused.getMessage());

        System.arraycopy("ElfFile\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, garbage, 0, 8);
        List<EvtxEntry> entries = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> read(garbage));
        assertEquals(List.of(), ids(entries));
        assertTrue(entries.size() >= 1 && problems(entries).stream().allMatch(p -> p.reason().contains("no chunk signature")), entries.toString());
    }

    @Test
    void deepNestingFailsItsRecordWithoutExhaustingTheStack() throws IOException {
        EvtxTestFile.Chunk chunk = SampleEvents.chunk(1, 1);
        chunk.record(2, base -> {
            BinXmlWriter w = new BinXmlWriter(base).fragmentHeader();
            int depth = 2000;
            for (int i = 0; i < depth; i++) w.open("E", false).closeStart();
            for (int i = 0; i < depth; i++) w.end();
            return w.eof().bytes();
        });
        List<EvtxEntry> entries = read(EvtxTestFile.file(1, 0, SampleEvents.append(chunk, 3, 1).build()));
        assertEquals(List.of(1L, 3L), ids(entries));
        assertTrue(problems(entries).get(0).reason().contains("nested deeper than " + BinXmlParser.MAX_DEPTH), entries.toString());
    }

    @Test
    void aTemplateThatContainsItselfIsRefused() throws IOException {
        EvtxTestFile.Chunk chunk = new EvtxTestFile.Chunk();
        chunk.record(1, base -> {
            BinXmlWriter w = new BinXmlWriter(base).fragmentHeader();
            int definition = base + 4 + 10; // fragment header, then token, byte, id and offset of the instance
            w.templateInstance(t -> t.open("E", false).closeStart().templateReference(definition).end(), null);
            return w.eof().bytes();
        });
        List<EvtxEntry> entries = read(EvtxTestFile.file(1, 0, SampleEvents.append(chunk, 2, 1).build()));
        assertEquals(List.of(2L), ids(entries));
        assertTrue(problems(entries).get(0).reason().contains("contains itself"), entries.toString());
    }

    @Test
    void offsetsOutsideTheChunkFailTheirRecord() throws IOException {
        EvtxTestFile.Chunk chunk = new EvtxTestFile.Chunk();
        chunk.record(1, base -> new BinXmlWriter(base).fragmentHeader().templateReference(0x7fff_fff0).eof().bytes());
        chunk.record(2, base -> new BinXmlWriter(base).fragmentHeader().openNamed(100).closeEmpty().eof().bytes());
        chunk.record(3, base -> new BinXmlWriter(base).fragmentHeader().u8(0x0d).u16(0).u8(1).eof().bytes());
        List<EvtxEntry> entries = read(EvtxTestFile.file(1, 0, SampleEvents.append(chunk, 4, 1).build()));
        assertEquals(List.of(4L), ids(entries));
        List<EvtxProblem> problems = problems(entries);
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).reason().contains("template offset 0x7ffffff0 outside"), problems.get(0).reason());
        assertTrue(problems.get(1).reason().contains("names no readable name"), problems.get(1).reason());
        assertTrue(problems.get(2).reason().contains("unexpected token 0xd"), problems.get(2).reason());
    }

    /**
     * A template that uses its one value 400 times, the value being binary XML that instantiates
     * the same template again, ten levels deep: 400^10 elements if nothing stopped it.
     */
    @Test
    void aRenderingBombIsStoppedByTheWorkLimit() throws IOException {
        EvtxTestFile.Chunk chunk = new EvtxTestFile.Chunk();
        int[] template = {0};
        chunk.record(1, base -> new BinXmlWriter(base).fragmentHeader().templateInstance(t -> {
            t.open("E", false).closeStart();
            for (int i = 0; i < 400; i++) t.substitution(0, 0x21);
            t.end();
        }, template, TemplateValue.of(0x21, 0x00)).eof().bytes());
        chunk.record(2, base -> {
            byte[] value = new BinXmlWriter(0).eof().bytes();
            for (int level = 0; level < 10; level++) {
                value = new BinXmlWriter(0).templateReference(template[0], new TemplateValue(0x21, value)).bytes();
            }
            return new BinXmlWriter(base).fragmentHeader().templateReference(template[0], new TemplateValue(0x21, value)).eof().bytes();
        });
        List<EvtxEntry> entries = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> read(EvtxTestFile.file(1, 0, SampleEvents.append(chunk, 3, 1).build())));
        assertEquals(List.of(1L, 3L), ids(entries));
        String reason = problems(entries).get(0).reason();
        assertTrue(reason.startsWith("record 2 ") && (reason.contains("steps") || reason.contains("characters")), reason);
    }

    @Test
    void aDirtyFileIsReadPastItsHeadersChunkCountAndEmptyChunksAndSlotsAreQuiet() throws IOException {
        byte[] empty = new EvtxTestFile.Chunk().build();
        byte[] zeros = new byte[EvtxTestFile.CHUNK];
        byte[] file = EvtxTestFile.file(1, 0x1, SampleEvents.chunk(1, 5).build(), empty, SampleEvents.chunk(6, 5).build(), zeros);
        EvtxFile reader = EvtxFile.of(new ByteArrayInputStream(file));
        assertTrue(reader.header().dirty() && reader.header().checksumValid());
        List<EvtxEntry> entries = read(file);
        assertEquals(List.of(), problems(entries));
        assertEquals(range(1, 10), ids(entries));
    }

    @Test
    void aDirtyFilesStaleFreeSpaceOffsetStillYieldsTheRecordsWrittenAfterIt() throws IOException {
        byte[] complete = SampleEvents.chunk(1, 6).build();
        int fifth = 512;
        for (int i = 0; i < 4; i++) fifth += (int) EvtxTestFile.u32(complete, fifth + 4);
        byte[] stale = complete.clone();
        EvtxTestFile.le(stale, 48, fifth, 4); // the header was last written when four records existed
        EvtxTestFile.le(stale, 16, 4, 8);
        EvtxTestFile.le(stale, 32, 4, 8);
        EvtxTestFile.reseal(stale, 0);

        assertEquals(range(1, 6), ids(read(EvtxTestFile.file(1, 0x1, stale))));
        assertEquals(range(1, 4), ids(read(EvtxTestFile.file(1, 0, stale))), "a clean file's free space offset is trusted");
    }

    /**
     * Random bytes overwritten all over the chunks, with the checksums recomputed half of the time
     * so the damage reaches the decoder: the reader always ends, never throws, and every record it
     * does yield is well-formed XML.
     */
    @Test
    void randomDamageNeverStopsTheReaderAndEveryRecordItYieldsIsWellFormed() {
        byte[] original = threeChunks();
        Random random = new Random(20240501);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int round = 0; round < 300; round++) {
                byte[] file = original.clone();
                int damage = 1 + random.nextInt(30);
                for (int i = 0; i < damage; i++) {
                    int chunk = random.nextInt(3);
                    int at = EvtxTestFile.HEADER + chunk * EvtxTestFile.CHUNK + random.nextInt(4000);
                    file[at] = (byte) random.nextInt(256);
                }
                if (random.nextBoolean()) for (int c = 0; c < 3; c++) EvtxTestFile.reseal(file, EvtxTestFile.HEADER + c * EvtxTestFile.CHUNK);
                for (EvtxRecord record : records(read(file))) assertWellFormed(record.xml());
            }
        });
    }

    private static void assertWellFormed(String xml) throws XMLStreamException {
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XMLStreamReader reader = factory.createXMLStreamReader(new StringReader(xml));
        while (reader.hasNext()) reader.next();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }

    private static List<Long> concat(List<Long> a, List<Long> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
