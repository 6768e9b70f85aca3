package org.fleetrec.agent.source.windows;

import org.fleetrec.model.EventDocument;

import java.util.List;

/**
 * What one EvtNext batch became, in the channel's order: the mapped Sysmon documents, and the agent's
 * own documents for records that could not be read and for records lost before they were read.
 *
 * @param position the bookmark just past the batch ({@link BookmarkPosition#encode()}), to persist with
 *                 these documents and no earlier; null when it did not move or could not be rendered
 */
public record SysmonBatch(List<EventDocument> documents, String position) {
    public SysmonBatch {
        documents = List.copyOf(documents);
    }
}
