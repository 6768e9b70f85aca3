package org.fleetrec.agent.sysmon.evtx;

import org.fleetrec.agent.sysmon.evtx.BinXmlWriter.TemplateValue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Sysmon-shaped records the way Windows stores them: one template per chunk, defined by its first record. */
final class SampleEvents {
    static final String NS = "http://schemas.microsoft.com/win/2004/08/events/event";
    static final String CHANNEL = "Microsoft-Windows-Sysmon/Operational";

    private SampleEvents() {
    }

    /** {@code <Event>} with System (event id, time, record id, channel, computer) and one EventData field, Image. */
    static void template(BinXmlWriter t) {
        t.open("Event", true).attribute("xmlns").text(NS).closeStart();
        t.open("System", false).closeStart();
        t.open("Provider", true).attribute("Name").text("Microsoft-Windows-Sysmon").closeEmpty();
        t.element("EventID", 0, 0x06);
        t.open("TimeCreated", true).attribute("SystemTime").optional(1, 0x11).closeEmpty();
        t.element("EventRecordID", 2, 0x0a);
        t.element("Channel", 3, 0x01);
        t.element("Computer", 4, 0x01);
        t.end();
        t.open("EventData", false).closeStart();
        t.open("Data", true).attribute("Name").text("Image").closeStart().substitution(5, 0x01).end();
        t.end();
        t.end();
    }

    static TemplateValue[] values(long recordId, String image) {
        return new TemplateValue[] {
                TemplateValue.le(0x06, 1, 2),
                TemplateValue.le(0x11, EvtxTestFile.fileTime(EvtxTestFile.WRITTEN), 8),
                TemplateValue.le(0x0a, recordId, 8),
                TemplateValue.string(CHANNEL),
                TemplateValue.string("pc1"),
                TemplateValue.string(image)};
    }

    /** A chunk of {@code count} records numbered from {@code firstId}, images {@code img<id>.exe}. */
    static EvtxTestFile.Chunk chunk(long firstId, int count) {
        return append(new EvtxTestFile.Chunk(), firstId, count);
    }

    /** Appends such records to a chunk; the first of them defines the template, the others point back at it. */
    static EvtxTestFile.Chunk append(EvtxTestFile.Chunk chunk, long firstId, int count) {
        int[] template = {0};
        for (long id = firstId; id < firstId + count; id++) {
            long recordId = id;
            chunk.record(id, base -> {
                BinXmlWriter w = new BinXmlWriter(base).fragmentHeader();
                if (template[0] == 0) w.templateInstance(SampleEvents::template, template, values(recordId, "img" + recordId + ".exe"));
                else w.templateReference(template[0], values(recordId, "img" + recordId + ".exe"));
                return w.eof().bytes();
            });
        }
        return chunk;
    }

    static List<EvtxEntry> read(byte[] file) throws IOException {
        List<EvtxEntry> out = new ArrayList<>();
        try (EvtxFile reader = EvtxFile.of(new ByteArrayInputStream(file))) {
            reader.forEachRemaining(out::add);
        }
        return out;
    }

    static List<EvtxRecord> records(List<EvtxEntry> entries) {
        List<EvtxRecord> out = new ArrayList<>();
        for (EvtxEntry e : entries) if (e instanceof EvtxRecord r) out.add(r);
        return out;
    }

    static List<EvtxProblem> problems(List<EvtxEntry> entries) {
        List<EvtxProblem> out = new ArrayList<>();
        for (EvtxEntry e : entries) if (e instanceof EvtxProblem p) out.add(p);
        return out;
    }

    static List<Long> ids(List<EvtxEntry> entries) {
        return records(entries).stream().map(EvtxRecord::recordId).toList();
    }
}
