package org.fleetrec.agent.sysmon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Input shapes, broken entities, hostile XML, gzip, and bad records next to good ones. */
class SysmonParsingTest {
    private static final String EVENT = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
            + "<Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID><TimeCreated SystemTime='2019-03-18T16:57:52.4333673Z'/>"
            + "<EventRecordID>%d</EventRecordID><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>pc1</Computer></System>"
            + "<EventData><Data Name='Image'>%s</Data><Data Name='ProcessGuid'>{AB-1}</Data></EventData></Event>";

    private static List<SysmonItem> read(String text) throws IOException {
        return read(text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<SysmonItem> read(byte[] bytes) throws IOException {
        List<SysmonItem> out = new ArrayList<>();
        try (SysmonReader reader = SysmonReader.of(new ByteArrayInputStream(bytes))) {
            reader.forEachRemaining(out::add);
        }
        return out;
    }

    private static SysmonEvent only(List<SysmonItem> items) {
        assertEquals(1, items.size(), items.toString());
        return assertInstanceOf(SysmonItem.Event.class, items.get(0)).event();
    }

    @Test
    void windowsXmlWithoutRootOneEventPerLine() throws IOException {
        List<SysmonItem> items = read(EVENT.formatted(1, "a.exe") + "\n" + EVENT.formatted(2, "b.exe") + "\n");
        assertEquals(2, items.size());
        SysmonEvent first = assertInstanceOf(SysmonItem.Event.class, items.get(0)).event();
        assertEquals(1, first.eventId());
        assertEquals("pc1", first.computer());
        assertEquals(1, first.recordId());
        assertEquals(Instant.parse("2019-03-18T16:57:52.4333673Z"), first.time());
        assertEquals("a.exe", first.data().get("Image"));
        assertEquals(2, items.get(1).line());
    }

    @Test
    void evtxRendererTimeAndEventsWrapperSpreadOverLines() throws IOException {
        String xml = "<?xml version=\"1.0\"?>\n<Events>\n<Event><System>\n<EventID Qualifiers=\"\">5</EventID>\n"
                + "<TimeCreated SystemTime=\"2019-04-30 20:32:50.902962\"></TimeCreated>\n<Channel>Microsoft-Windows-Sysmon/Operational</Channel>\n"
                + "</System>\n<EventData><Data Name=\"Image\">x</Data>\n</EventData>\n</Event>\n</Events>\n";
        SysmonEvent event = only(read(xml));
        assertEquals(Instant.parse("2019-04-30T20:32:50.902962Z"), event.time());
        assertEquals(3, read(xml).get(0).line());
    }

    @Test
    void brokenLinuxEntitiesDecode() throws IOException {
        String xml = EVENT.formatted(7, "&lt unknown process&gt ").replace("a", "a")
                + "\n" + EVENT.formatted(8, "sh -c &quot SELECT 1&quot  | grep = &amp; &#65;");
        List<SysmonItem> items = read(xml);
        assertEquals("<unknown process>", assertInstanceOf(SysmonItem.Event.class, items.get(0)).event().data().get("Image"));
        assertEquals("sh -c \"SELECT 1\" | grep = & A", assertInstanceOf(SysmonItem.Event.class, items.get(1)).event().data().get("Image"));
    }

    @Test
    void log4shellUnknownProcessIsText() {
        Path file = SysmonTestData.shared("sysmon-linux/otrf-log4shell/sysmon_linux_events.DERIVED.xml");
        long unknown = SysmonTestData.mapped(file).stream().filter(d -> "<unknown process>".equals(d.text("process.executable"))).count();
        assertEquals(14, unknown);
        List<EventDocument> shells = SysmonTestData.mapped(file).stream()
                .filter(d -> d.has("process.command_line") && d.text("process.command_line").startsWith("sh -c /opt/omi/bin/omicli wql")).toList();
        assertFalse(shells.isEmpty());
        assertTrue(shells.get(0).text("process.command_line").contains("scx \"SELECT PercentUserTime"), shells.get(0).text("process.command_line"));
    }

    @Test
    void truncatedEventIsKeptAndItsNeighbourToo() throws IOException {
        String cut = EVENT.formatted(1, "a.exe").substring(0, EVENT.formatted(1, "a.exe").indexOf("a.exe") + 3);
        List<SysmonItem> items = read(cut + "\n" + EVENT.formatted(2, "b.exe") + "\n");
        assertEquals(2, items.size(), items.toString());
        SysmonEvent first = assertInstanceOf(SysmonItem.Event.class, items.get(0)).event();
        assertTrue(first.truncated());
        assertEquals("a.e", first.data().get("Image"));
        assertEquals("b.exe", assertInstanceOf(SysmonItem.Event.class, items.get(1)).event().data().get("Image"));
        EventDocument doc = new SysmonMapper().map(first).orElseThrow();
        assertEquals("truncated", doc.get("tags").get(0).asText());
    }

    @Test
    void externalEntityIsNeverResolved() throws IOException {
        String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE Events [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<Events>\n"
                + EVENT.formatted(1, "&xxe;") + "\n</Events>\n";
        SysmonEvent event = only(read(xml));
        assertEquals("&xxe;", event.data().get("Image"));
    }

    @Test
    void billionLaughsIsNotExpanded() throws IOException {
        StringBuilder dtd = new StringBuilder("<!DOCTYPE lolz [<!ENTITY lol \"lol\">");
        for (int i = 1; i < 10; i++) {
            dtd.append("<!ENTITY lol").append(i).append(" \"").append(("&lol" + (i == 1 ? "" : i - 1) + ";").repeat(10)).append("\">");
        }
        dtd.append("]>\n");
        SysmonEvent event = only(read(dtd + EVENT.formatted(1, "&lol9;")));
        assertEquals("&lol9;", event.data().get("Image"));
    }

    @Test
    void doctypeInsideAnEventIsRefusedWithoutLosingNeighbours() throws IOException {
        String hostile = "<Event><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><System><EventID>1</EventID></System></Event>";
        List<SysmonItem> items = read(EVENT.formatted(1, "a") + "\n" + hostile + "\n" + EVENT.formatted(3, "c") + "\n");
        assertEquals(3, items.size());
        assertInstanceOf(SysmonItem.Event.class, items.get(0));
        SysmonItem.Failed failed = assertInstanceOf(SysmonItem.Failed.class, items.get(1));
        assertEquals(2, failed.line());
        assertInstanceOf(SysmonItem.Event.class, items.get(2));
    }

    @Test
    void gzipIsDetectedByMagicBytes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(EVENT.formatted(9, "z").getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(9, only(read(bytes.toByteArray())).recordId());
    }

    @Test
    void jsonLinesBadLineAndBlankLineAndOtherChannels() throws IOException {
        String lines = "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"SourceName\":\"Microsoft-Windows-Sysmon\","
                + "\"Hostname\":\"h\",\"@timestamp\":\"2020-12-19T06:59:28.410Z\",\"Image\":\"C:\\\\a.exe\",\"EventType\":\"INFO\",\"RecordNumber\":5}\n"
                + "\n{not json\n"
                + "{\"EventID\":4624,\"Channel\":\"Security\",\"Hostname\":\"h\",\"@timestamp\":\"2020-12-19T06:59:28.410Z\"}\n";
        List<SysmonItem> items = read(lines);
        assertEquals(3, items.size(), items.toString());
        SysmonEvent event = assertInstanceOf(SysmonItem.Event.class, items.get(0)).event();
        assertEquals(5, event.recordId());
        assertFalse(event.data().containsKey("EventType"), "NXLog's severity is not Sysmon's EventType");
        assertEquals(3, assertInstanceOf(SysmonItem.Failed.class, items.get(1)).line());
        assertEquals("not a Sysmon event (channel Security)", assertInstanceOf(SysmonItem.Skipped.class, items.get(2)).reason());
    }

    @Test
    void winlogbeatTrustsEventDataNotMessage() throws IOException {
        String json = "[{\"@timestamp\":\"2020-10-27T20:00:14.3242341Z\",\"message\":\"Image: C:\\\\wrong.exe\","
                + "\"winlog\":{\"channel\":\"Microsoft-Windows-Sysmon/Operational\",\"event_id\":\"1\",\"record_id\":20,"
                + "\"computer_name\":\"vagrant\",\"provider_name\":\"Microsoft-Windows-Sysmon\","
                + "\"event_data\":{\"Image\":\"C:\\\\right.exe\",\"UtcTime\":\"2020-10-27 20:00:14.320\"}}}]";
        SysmonEvent event = only(read(json));
        assertEquals("C:\\right.exe", event.data().get("Image"));
        EventDocument doc = new SysmonMapper().map(event).orElseThrow();
        assertEquals("2020-10-27T20:00:14.320Z", doc.text("@timestamp"));
        assertEquals("right.exe", doc.text("process.name"));
        assertEquals("20", doc.text("winlog.record_id"));
    }

    @Test
    void unknownEntityIsLiteralText() {
        assertEquals("a &amp;b; &amp;", XmlEntities.repair("a &b; &"));
        assertEquals("&lt;x&gt;", XmlEntities.repair("&lt x&gt "));
        assertEquals("&amp;#0;", XmlEntities.repair("&#0;"));
    }
}
