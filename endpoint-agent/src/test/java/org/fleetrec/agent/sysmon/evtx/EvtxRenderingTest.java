package org.fleetrec.agent.sysmon.evtx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fleetrec.agent.sysmon.SysmonEvent;
import org.fleetrec.agent.sysmon.SysmonXmlParser;
import org.fleetrec.agent.sysmon.evtx.BinXmlWriter.TemplateValue;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Every value type, substitution kind and content token, rendered into one record and read back
 * through the same XML parser the importer uses.
 */
class EvtxRenderingTest {
    private record Field(String name, TemplateValue value, String expected) {
    }

    private static final List<Field> FIELDS = List.of(
            new Field("String", TemplateValue.string("C:\\a<b>&'\"c"), "C:\\a<b>&'\"c"),
            new Field("TrailingNuls", TemplateValue.string("abc\0\0"), "abc"),
            new Field("LineEnds", TemplateValue.string("one\r\ntwo\rthree"), "one\r\ntwo\rthree"),
            new Field("ControlChar", TemplateValue.string("\u0001x"), "\uFFFDx"),
            new Field("Ansi", new TemplateValue(0x02, "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1)), "caf\u00e9"),
            new Field("Int8", TemplateValue.of(0x03, 0xfb), "-5"),
            new Field("UInt8", TemplateValue.of(0x04, 0xfa), "250"),
            new Field("Int16", TemplateValue.le(0x05, -300, 2), "-300"),
            new Field("UInt16", TemplateValue.le(0x06, 65000, 2), "65000"),
            new Field("Int32", TemplateValue.le(0x07, -70000, 4), "-70000"),
            new Field("UInt32", TemplateValue.le(0x08, 4_000_000_000L, 4), "4000000000"),
            new Field("Int64", TemplateValue.le(0x09, -5_000_000_000_000L, 8), "-5000000000000"),
            new Field("UInt64", TemplateValue.le(0x0a, -1L, 8), "18446744073709551615"),
            new Field("Real32", TemplateValue.le(0x0b, Float.floatToIntBits(1.5f), 4), "1.5"),
            new Field("Real64", TemplateValue.le(0x0c, Double.doubleToLongBits(-2.25), 8), "-2.25"),
            new Field("True", TemplateValue.le(0x0d, 1, 4), "true"),
            new Field("False", TemplateValue.le(0x0d, 0, 4), "false"),
            new Field("Binary", TemplateValue.of(0x0e, 0x01, 0xab, 0x00), "01AB00"),
            new Field("Guid", TemplateValue.of(0x0f, 0x5f, 0x38, 0x70, 0x57, 0x2a, 0xc2, 0xe0, 0x43,
                    0xbf, 0x4c, 0x06, 0xf5, 0x69, 0x8f, 0xfb, 0xd9), "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}"),
            new Field("SizeT", TemplateValue.le(0x10, 0x7ff6_0000_1000L, 8), "0x7ff600001000"),
            new Field("FileTime", TemplateValue.le(0x11, EvtxTestFile.fileTime(EvtxTestFile.WRITTEN), 8), "2019-04-30T20:32:50.9029620Z"),
            new Field("SystemTime", TemplateValue.of(0x12, 0xe4, 0x07, 2, 0, 6, 0, 29, 0, 13, 0, 14, 0, 15, 0, 16, 0),
                    "2020-02-29T13:14:15.016Z"),
            new Field("Sid", TemplateValue.of(0x13, 1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xf4, 1, 0, 0),
                    "S-1-5-21-1-2-3-500"),
            new Field("Hex32", TemplateValue.le(0x14, 0x1010, 4), "0x1010"),
            new Field("Hex64", TemplateValue.le(0x15, 0x3e7, 8), "0x3e7"),
            new Field("Null", new TemplateValue(0x00, new byte[0]), ""));

    @Test
    void everyValueTypeReadsBackAsWindowsRendersIt() throws IOException {
        String xml = render(template -> {
            for (int i = 0; i < FIELDS.size(); i++) {
                template.open("Data", true).attribute("Name").text(FIELDS.get(i).name()).closeStart()
                        .substitution(i, FIELDS.get(i).value().type()).end();
            }
        }, FIELDS.stream().map(Field::value).toArray(TemplateValue[]::new));
        SysmonEvent event = SysmonXmlParser.parse(xml);
        Map<String, String> expected = new LinkedHashMap<>();
        for (Field f : FIELDS) expected.put(f.name(), f.expected());
        assertEquals(expected, event.data());
        assertEquals(EvtxTestFile.WRITTEN, event.time(), "TimeCreated keeps all seven digits");
        assertEquals(7, event.eventId());
        assertEquals("pc1", event.computer());
        assertTrue(xml.startsWith("<Event xmlns='" + SampleEvents.NS + "'><System><EventID>7</EventID>"
                + "<TimeCreated SystemTime='2019-04-30T20:32:50.9029620Z'/>"), xml);
        assertTrue(xml.contains("<Data Name='LineEnds'>one&#13;\ntwo&#13;three</Data>"), "carriage returns survive an XML reader");
    }

    @Test
    void optionalSubstitutionsWithoutValueDropTheirAttributeOrElement() throws IOException {
        String xml = render(t -> {
            t.open("Correlation", true).attribute("ActivityID").optional(0, 0x0f).closeEmpty();
            t.open("Execution", true).attribute("ProcessID").optional(1, 0x08).attribute("ThreadID").optional(0, 0x08).closeEmpty();
            t.open("Opcode", false).closeStart().optional(0, 0x04).end();
            t.open("Data", true).attribute("Name").text("Kept").closeStart().optional(1, 0x08).end();
            t.open("Data", true).attribute("Name").text("Empty").closeStart().substitution(0, 0x01).end();
        }, new TemplateValue(0x00, new byte[0]), TemplateValue.le(0x08, 42, 4));
        assertTrue(xml.contains("<Correlation/><Execution ProcessID='42'/><Data Name='Kept'>42</Data><Data Name='Empty'></Data>"), xml);
        assertFalse(xml.contains("Opcode"), xml);
    }

    @Test
    void anArrayValueRepeatsItsElementOncePerItem() throws IOException {
        String xml = render(t -> {
            t.open("Data", true).attribute("Name").text("Names").closeStart().substitution(0, 0x81).end();
            t.open("Data", true).attribute("Name").text("Ports").closeStart().substitution(1, 0x86).end();
            t.open("Data", true).attribute("Name").text("None").closeStart().substitution(2, 0x86).end();
        }, new TemplateValue(0x81, "a\0b\0".getBytes(StandardCharsets.UTF_16LE)), TemplateValue.of(0x86, 80, 0, 0xbb, 1),
                new TemplateValue(0x86, new byte[0]));
        assertTrue(xml.contains("<Data Name='Names'>a</Data><Data Name='Names'>b</Data>"
                + "<Data Name='Ports'>80</Data><Data Name='Ports'>443</Data><Data Name='None'></Data>"), xml);
    }

    @Test
    void contentTokensCharacterAndEntityReferencesAndCdata() throws IOException {
        String xml = render(t -> t.open("Data", true).attribute("Name").text("Mixed").closeStart()
                .text("a").charRef(65).entityRef("amp").entityRef("bogus").cdata("<x>]]>y").end(), new TemplateValue[0]);
        assertEquals("aA&&bogus;<x>]]>y", SysmonXmlParser.parse(xml).data().get("Mixed"));
    }

    @Test
    void binaryXmlValueRendersInlineWithoutDependencyIdentifier() throws IOException {
        EvtxTestFile.Chunk chunk = new EvtxTestFile.Chunk();
        chunk.record(1, base -> {
            int[] dataName = {0};
            Function<byte[], byte[]> record = nested -> new BinXmlWriter(base).fragmentHeader().templateInstance(t -> {
                header(t);
                t.open("UserData", false).closeStart();
                dataName[0] = t.pos() + 11; // token, dependency id, size and name offset come first
                t.open("Data", false).closeStart().text("outer").end();
                t.substitution(0, 0x21).end();
                t.end();
            }, null, new TemplateValue(0x21, nested)).eof().bytes();
            record.apply(new byte[0]); // where the template puts the name "Data" does not depend on the value
            // The nested fragment names "Data" by offset, as Windows shares names across a chunk.
            // The second element carries the identifier anyway, as some writers do; both layouts read.
            return record.apply(new BinXmlWriter(0).openInValueNamed(dataName[0]).closeStart().text("inner & more").end()
                    .openNamed(dataName[0]).closeStart().text("with id").end().eof().bytes());
        });
        String xml = render(chunk);
        assertTrue(xml.contains("<UserData><Data>outer</Data><Data>inner &amp; more</Data><Data>with id</Data></UserData>"), xml);
    }

    /** A record whose template has a minimal System section followed by {@code body}, filled with {@code values} (numbered from 0). */
    private static String render(java.util.function.Consumer<BinXmlWriter> body, TemplateValue... values) throws IOException {
        EvtxTestFile.Chunk chunk = new EvtxTestFile.Chunk();
        TemplateValue[] all = new TemplateValue[values.length + 1];
        System.arraycopy(values, 0, all, 0, values.length);
        int timeIndex = values.length;
        all[timeIndex] = TemplateValue.le(0x11, EvtxTestFile.fileTime(EvtxTestFile.WRITTEN), 8);
        chunk.record(1, base -> new BinXmlWriter(base).fragmentHeader().templateInstance(t -> {
            t.open("Event", true).attribute("xmlns").text(SampleEvents.NS).closeStart();
            t.open("System", false).closeStart();
            t.open("EventID", false).closeStart().text("7").end();
            t.open("TimeCreated", true).attribute("SystemTime").substitution(timeIndex, 0x11).closeEmpty();
            t.open("Channel", false).closeStart().text(SampleEvents.CHANNEL).end();
            t.open("Computer", false).closeStart().text("pc1").end();
            t.end();
            t.open("EventData", false).closeStart();
            body.accept(t);
            t.end();
            t.end();
        }, null, all).eof().bytes());
        return render(chunk);
    }

    private static void header(BinXmlWriter t) {
        t.open("Event", true).attribute("xmlns").text(SampleEvents.NS).closeStart();
        t.open("System", false).closeStart();
        t.open("EventID", false).closeStart().text("7").end();
        t.open("TimeCreated", true).attribute("SystemTime").text("2019-04-30T20:32:50.9029620Z").closeEmpty();
        t.end();
    }

    private static String render(EvtxTestFile.Chunk chunk) throws IOException {
        List<EvtxEntry> entries = SampleEvents.read(EvtxTestFile.file(1, 0, chunk.build()));
        assertEquals(List.of(), SampleEvents.problems(entries));
        List<EvtxRecord> records = new ArrayList<>(SampleEvents.records(entries));
        assertEquals(1, records.size());
        assertEquals(EvtxTestFile.WRITTEN, records.get(0).written());
        return records.get(0).xml();
    }
}
