package org.fleetrec.agent.evidence;

import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventDocument;

import java.io.IOException;

/**
 * One import: counts what readers make of each record, stamps each document as its machine's, and
 * hands it to the shipper (none in a dry run).
 */
final class ImportRun implements EvidenceSink {
    static final String AGENT_TYPE = "fleetrec-import";

    /** Where stamped documents go: the ingest server, or nowhere in a dry run. */
    interface Outlet {
        void ship(EvidenceHost host, EventDocument doc, String at) throws IOException, InterruptedException;
    }

    private final ImportSummary summary;
    private final Outlet shipper;
    private final ImportProgress progress;
    private String file;

    ImportRun(ImportSummary summary, Outlet shipper, ImportProgress progress) {
        this.summary = summary;
        this.shipper = shipper;
        this.progress = progress;
    }

    void file(String file) {
        this.file = file;
        summary.file();
    }

    @Override
    public void record() {
        summary.record();
        progress.record();
    }

    @Override
    public void auditEvent() {
        summary.auditEvent();
    }

    @Override
    public void document(EvidenceHost host, EventDocument doc, long sequence, String at) throws IOException, InterruptedException {
        doc.put(Ecs.EVENT_SEQUENCE, sequence)
                .put(Ecs.HOST_ID, host.id())
                .put(Ecs.HOST_NAME, host.name())
                .put("host.os.type", host.osType())
                .put(Ecs.AGENT_VERSION, org.fleetrec.agent.EventStamp.AGENT_VERSION)
                .put("agent.type", AGENT_TYPE)
                .put("log.file.path", file);
        summary.document(host);
        if (shipper != null) shipper.ship(host, doc, at);
    }

    @Override
    public void skipped(String reason, String at) {
        summary.skipped(reason, at);
    }

    @Override
    public void failed(String reason, String at) {
        summary.failed(reason, at);
    }
}
