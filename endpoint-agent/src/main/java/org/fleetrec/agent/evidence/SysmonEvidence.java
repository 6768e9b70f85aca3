package org.fleetrec.agent.evidence;

import org.fleetrec.agent.sysmon.SysmonEvent;
import org.fleetrec.agent.sysmon.SysmonItem;
import org.fleetrec.agent.sysmon.SysmonMapper;
import org.fleetrec.agent.sysmon.SysmonReader;
import org.fleetrec.model.EventDocument;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Sysmon exports (event XML, Winlogbeat or flat JSON, .evtx; plain or gzip) into documents of the
 * machine each event names in {@code Computer}. Records of other channels and event ids the mapping
 * does not cover are skipped by name, never silently.
 */
final class SysmonEvidence {
    /**
     * Flat JSON exports carry no record id, and Sysmon does write identical events in one
     * millisecond (repeated process access): the k-th copy in a file is an event of its own.
     * Identical content means the same millisecond, so the copies sit close together in a file.
     */
    private static final int REPEAT_WINDOW = 1 << 16;

    private final SysmonMapper mapper = new SysmonMapper();
    private final String fallbackHost;
    private final java.util.LinkedHashMap<Long, Integer> recent = new java.util.LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Integer> eldest) {
            return size() > REPEAT_WINDOW;
        }
    };

    SysmonEvidence(String fallbackHost) {
        this.fallbackHost = fallbackHost;
    }

    void read(Path file, EvidenceSink sink) throws IOException, InterruptedException {
        recent.clear();
        try (Stream<SysmonItem> items = SysmonReader.items(file)) {
            for (Iterator<SysmonItem> it = items.iterator(); it.hasNext(); ) {
                SysmonItem item = it.next();
                sink.record();
                // Binary .evtx records have no line: they are found by their place in the file.
                String at = item.line() >= 0 ? file + ":" + item.line() : file + " record " + item.record();
                if (item instanceof SysmonItem.Event e) {
                    event(e.event(), at, sink);
                } else if (item instanceof SysmonItem.Skipped s) {
                    sink.skipped(s.reason(), at);
                } else if (item instanceof SysmonItem.Failed f) {
                    sink.failed(f.reason(), at);
                }
            }
        }
    }

    private void event(SysmonEvent event, String at, EvidenceSink sink) throws IOException, InterruptedException {
        Optional<EventDocument> doc = mapper.map(event);
        if (doc.isEmpty()) {
            sink.skipped("Sysmon event id " + event.eventId() + " has no mapping", at);
            return;
        }
        String name = event.computer() == null || event.computer().isBlank() ? fallbackHost : event.computer();
        if (name == null) {
            sink.failed("the event names no computer, and no --host was given", at);
            return;
        }
        EvidenceHost host;
        try {
            host = EvidenceHost.named(name, event.fromLinux() ? "linux" : "windows");
        } catch (IllegalArgumentException e) {
            sink.failed("unusable computer name: " + e.getMessage(), at);
            return;
        }
        String content = content(event);
        if (event.recordId() <= 0) {
            int copy = recent.merge(EvidenceSequence.hashed(content), 1, Integer::sum) - 1;
            if (copy > 0) content += "|copy " + copy;
        }
        sink.document(host, doc.get(), EvidenceSequence.record(event.recordId(), event.eventId(), event.time(), content), at);
    }

    /** What identifies an event that carries no record id: everything it says, in a fixed order. */
    private static String content(SysmonEvent event) {
        return event.eventId() + "|" + event.computer() + "|" + event.time() + "|" + event.channel() + "|"
                + new TreeMap<>(event.data());
    }
}
