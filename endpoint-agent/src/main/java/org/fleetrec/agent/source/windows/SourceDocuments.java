package org.fleetrec.agent.source.windows;

import org.fleetrec.agent.process.Documents;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.EventDocument;

import java.time.Instant;
import java.util.List;

/**
 * The agent's documents about its Windows source: a record it could not read, kept with the reason
 * and as much of its text as is sane to store; and records of the channel lost before they were read.
 * The latter is not the store's {@code gap} (events recorded, then dropped unshipped), which the store
 * counts by its own fields; it has its own action and fields.
 */
final class SourceDocuments {
    /** The text kept of an unreadable record: a real event is a few KiB, a hostile one is cut here. */
    static final int MAX_ORIGINAL_CHARS = 32 << 10;

    private SourceDocuments() {
    }

    static EventDocument unreadable(String channel, String reason, String xml, long recordId) {
        EventDocument doc = Documents.event(Instant.now(), Dataset.AGENT, "unreadable-event", "pipeline_error", "host", "error")
                .put("error.message", reason)
                .put("winlog.channel", channel);
        if (recordId >= 0) doc.put("winlog.record_id", Long.toString(recordId));
        if (xml != null) {
            boolean cut = xml.length() > MAX_ORIGINAL_CHARS;
            doc.put("event.original", cut ? xml.substring(0, MAX_ORIGINAL_CHARS) : xml);
            if (cut) doc.putAll("tags", List.of("truncated"));
        }
        return doc;
    }

    /**
     * @param count      records lost, or -1 when the source cannot tell
     * @param afterRecord the last record taken before the loss, or -1
     * @param nextRecord  the first record taken after it, or -1
     */
    static EventDocument gap(String channel, String reason, long count, long afterRecord, long nextRecord) {
        EventDocument doc = Documents.event(Instant.now(), Dataset.AGENT, "source-gap", "alert", "host", "info")
                .put("fleet.source_gap.reason", reason)
                .put("winlog.channel", channel);
        if (count >= 0) doc.put("fleet.source_gap.count", count);
        if (afterRecord >= 0) doc.put("fleet.source_gap.after_record", afterRecord);
        if (nextRecord >= 0) doc.put("fleet.source_gap.next_record", nextRecord);
        return doc;
    }
}
