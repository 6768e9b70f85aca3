package org.fleetrec.agent.evidence;

import org.fleetrec.model.EventDocument;

import java.io.IOException;

/** Where readers put what they made of each record; {@code at} is {@code file:line}. */
interface EvidenceSink {
    void record();

    /** An audit event assembled from its records (audit logs only). */
    void auditEvent();

    void document(EvidenceHost host, EventDocument doc, long sequence, String at) throws IOException, InterruptedException;

    void skipped(String reason, String at);

    void failed(String reason, String at);
}
