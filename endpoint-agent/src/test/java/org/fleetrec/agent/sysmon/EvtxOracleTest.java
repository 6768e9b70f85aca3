package org.fleetrec.agent.sysmon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.fleetrec.agent.sysmon.evtx.EvtxEntry;
import org.fleetrec.agent.sysmon.evtx.EvtxFile;
import org.fleetrec.agent.sysmon.evtx.EvtxRecord;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The evtx reader against two independent renderings of the same files (shared data README, B1
 * and E): python-evtx's XML next to every attack sample, and evtx_dump's JSON next to every Sigma
 * regression sample. Records must match one for one, in order, through the same parser the
 * importer uses.
 *
 * <p>Deliberate differences, normalised on both sides and nothing else:
 * <ul>
 * <li>python-evtx pads hex integers to their width ({@code 0x00000000000003e7}); Windows, and this
 *     reader, write {@code 0x3e7} (Sigma rules match {@code GrantedAccess: '0x1fffff'}).</li>
 * <li>python-evtx writes booleans {@code True}/{@code False}; Windows writes {@code true}/{@code false}.</li>
 * <li>python-evtx turns the FILETIME into seconds through a float, whose resolution at today's dates
 *     is about 2 µs, and prints six digits; Windows keeps all seven: times are compared to within 5 µs.</li>
 * <li>python-evtx writes a carriage return raw, which any XML reader turns into a line feed; this
 *     reader writes {@code &#13;} so the value survives: CR LF and CR compare as LF.</li>
 * <li>evtx_dump writes GUIDs upper case without braces, numbers as JSON numbers, and trims values.</li>
 * </ul>
 */
class EvtxOracleTest {
    private static final String SAMPLES = "windows-sysmon/evtx-attack-samples";
    private static final String SIGMA = "sigma/regression";
    private static final Pattern HEX = Pattern.compile("0x0*([0-9a-fA-F]+)");
    private static final Pattern BRACED_GUID = Pattern.compile("\\{([0-9a-fA-F-]{36})}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant FILETIME_ZERO = Instant.parse("1601-01-01T00:00:00Z");

    @TestFactory
    Stream<DynamicTest> everyAttackSampleMatchesItsPythonEvtxRendering() throws IOException {
        Path root = SysmonTestData.shared(SAMPLES);
        List<Path> files = evtxFiles(root);
        assertEquals(13, files.size(), "attack samples listed in README B1");
        return files.stream().map(file -> DynamicTest.dynamicTest(root.relativize(file).toString(), () -> {
            List<EvtxRecord> records = records(file);
            List<SysmonEvent> expected = pythonEvtx(rendering(file));
            assertEquals(expected.size(), records.size(), "records");
            for (int i = 0; i < records.size(); i++) {
                EvtxRecord record = records.get(i);
                SysmonEvent mine = SysmonXmlParser.parse(record.xml());
                SysmonEvent theirs = expected.get(i);
                String where = file.getFileName() + " record #" + (i + 1) + " (EventRecordID " + theirs.recordId() + ")";
                assertEquals(theirs.eventId(), mine.eventId(), where);
                assertEquals(theirs.recordId(), mine.recordId(), where);
                assertEquals(theirs.computer(), mine.computer(), where);
                assertEquals(theirs.channel(), mine.channel(), where);
                assertEquals(theirs.providerName(), mine.providerName(), where);
                assertEquals(normalised(theirs.data()), normalised(mine.data()), where);
                long micros = Duration.between(theirs.time(), mine.time()).toNanos() / 1000;
                assertTrue(Math.abs(micros) <= 5, where + ": " + mine.time() + " vs " + theirs.time());
                // The record header's written time is when the log stored the event: after it was created, and soon.
                // Several samples (exported logs) leave it zero in their last record.
                Duration stored = Duration.between(mine.time(), record.written());
                assertTrue(record.written().equals(FILETIME_ZERO) || !stored.isNegative() && stored.compareTo(Duration.ofDays(1)) < 0,
                        where + ": written " + record.written());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> everySigmaRegressionSampleMatchesItsEvtxDumpJson() throws IOException {
        Path root = SysmonTestData.shared(SIGMA);
        List<Path> files = evtxFiles(root);
        assertEquals(15, files.size(), "regression cases listed in README E");
        return files.stream().map(file -> DynamicTest.dynamicTest(root.relativize(file).toString(), () -> {
            List<EvtxRecord> records = records(file);
            List<JsonNode> expected = evtxDump(Path.of(file.toString().replaceAll("\\.evtx$", ".json")));
            assertEquals(expected.size(), records.size(), "records");
            for (int i = 0; i < records.size(); i++) {
                SysmonEvent mine = SysmonXmlParser.parse(records.get(i).xml());
                JsonNode system = expected.get(i).path("Event").path("System");
                String where = file.getFileName() + " record #" + (i + 1);
                assertEquals(system.path("EventID").asInt(), mine.eventId(), where);
                assertEquals(system.path("EventRecordID").asLong(), mine.recordId(), where);
                assertEquals(system.path("Channel").asText(), mine.channel(), where);
                assertEquals(system.path("Computer").asText(), mine.computer(), where);
                Map<String, String> theirs = new LinkedHashMap<>();
                Iterator<Map.Entry<String, JsonNode>> fields = expected.get(i).path("Event").path("EventData").fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    assertTrue(field.getValue().isValueNode(), where + ": " + field.getKey() + " is not a plain value");
                    theirs.put(field.getKey(), field.getValue().isNull() ? "" : field.getValue().asText());
                }
                assertEquals(dumpNormalised(theirs), dumpNormalised(mine.data()), where);
            }
        }));
    }

    /** The evtx file read through the importer's entry point gives the same events as its python-evtx rendering. */
    @Test
    void sysmonReaderReadsAnEvtxFileLikeItsXmlRendering() throws IOException {
        Path evtx = SysmonTestData.shared(SAMPLES + "/Lateral_Movement/ImpersonateUser-via_local_Pass_The_Hash_Sysmon_and_Security.evtx");
        List<SysmonItem> fromEvtx = SysmonTestData.items(evtx);
        List<SysmonItem> fromXml = SysmonTestData.items(rendering(evtx));
        assertEquals(fromXml.size(), fromEvtx.size());
        for (int i = 0; i < fromXml.size(); i++) {
            SysmonItem x = fromXml.get(i);
            SysmonItem e = fromEvtx.get(i);
            assertEquals(x.getClass(), e.getClass(), "item " + i);
            assertEquals(x.record(), e.record());
            assertEquals(-1, e.line(), "an evtx file has no lines");
            if (x instanceof SysmonItem.Event xe) {
                SysmonEvent ee = ((SysmonItem.Event) e).event();
                assertEquals(xe.event().recordId(), ee.recordId());
                assertEquals(normalised(xe.event().data()), normalised(ee.data()));
            } else {
                assertEquals(((SysmonItem.Skipped) x).reason(), ((SysmonItem.Skipped) e).reason());
            }
        }
    }

    private static List<Path> evtxFiles(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> p.toString().endsWith(".evtx")).sorted().toList();
        }
    }

    /** Every record of the file; the samples are clean, so any problem fails the test with its reason. */
    private static List<EvtxRecord> records(Path file) throws IOException {
        List<EvtxRecord> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (Stream<EvtxEntry> entries = EvtxFile.entries(file)) {
            entries.forEach(e -> {
                if (e instanceof EvtxRecord r) out.add(r);
                else problems.add(e.toString());
            });
        }
        assertEquals(List.of(), problems, "problems in " + file.getFileName());
        return out;
    }

    private static Path rendering(Path evtx) {
        String base = evtx.toString().replaceAll("\\.evtx$", "");
        Path xml = Path.of(base + ".xml");
        return Files.exists(xml) ? xml : Path.of(base + ".xml.gz");
    }

    private static List<SysmonEvent> pythonEvtx(Path xml) throws IOException {
        List<SysmonEvent> out = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(xml);
             InputStream in = xml.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            XmlEventSplitter splitter = new XmlEventSplitter(reader);
            for (XmlEventSplitter.Chunk chunk = splitter.next(); chunk != null; chunk = splitter.next()) {
                out.add(SysmonXmlParser.parse(chunk.xml()));
            }
        }
        return out;
    }

    /** evtx_dump output: JSON documents one after another (one file holds six). */
    private static List<JsonNode> evtxDump(Path json) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = JSON.readerFor(JsonNode.class).readValues(json.toFile())) {
            docs.forEachRemaining(out::add);
        }
        return out;
    }

    private static Map<String, String> normalised(Map<String, String> data) {
        Map<String, String> out = new TreeMap<>();
        data.forEach((k, v) -> {
            String s = v.replace("\r\n", "\n").replace('\r', '\n');
            var hex = HEX.matcher(s);
            if (hex.matches()) s = "0x" + hex.group(1).toLowerCase(java.util.Locale.ROOT);
            if (s.equals("True") || s.equals("False")) s = s.toLowerCase(java.util.Locale.ROOT);
            out.put(k, s);
        });
        return out;
    }

    private static Map<String, String> dumpNormalised(Map<String, String> data) {
        Map<String, String> out = new TreeMap<>();
        data.forEach((k, v) -> {
            String s = v.strip();
            var guid = BRACED_GUID.matcher(s);
            if (guid.matches()) s = guid.group(1);
            if (s.matches("[0-9a-fA-F-]{36}")) s = s.toLowerCase(java.util.Locale.ROOT);
            out.put(k, s);
        });
        return out;
    }
}
