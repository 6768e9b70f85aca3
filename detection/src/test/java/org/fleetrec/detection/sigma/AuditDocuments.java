package org.fleetrec.detection.sigma;

import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditEventAssembler;
import org.fleetrec.agent.audit.AuditRecordParser;
import org.fleetrec.agent.host.HostIdentity;
import org.fleetrec.agent.process.EventMapper;
import org.fleetrec.agent.process.ProcessTable;
import org.fleetrec.model.EventDocument;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A recorded audit.log as the agent's importer would map it: records, events, then ECS documents. */
public final class AuditDocuments {
    private AuditDocuments() {
    }

    public static List<EventDocument> of(Path log) throws IOException {
        return of(Files.readAllLines(log));
    }

    public static List<EventDocument> of(List<String> lines) {
        return of(lines, EventMapper.forEvidence(ProcessTable.forEvidence(
                new HostIdentity("host-1", "lab", "boot-1", "Linux", "5.4", "amd64"))));
    }

    /** The lines mapped by the given mapper (a live one reads its /proc, as the agent on a host does). */
    public static List<EventDocument> of(List<String> lines, EventMapper mapper) {
        List<AuditEvent> events = new ArrayList<>();
        AuditEventAssembler assembler = new AuditEventAssembler(events::add, 2_000);
        for (String line : lines) {
            if (!line.isBlank()) assembler.accept(AuditRecordParser.parseLine(line));
        }
        assembler.flushAll();
        List<EventDocument> docs = new ArrayList<>();
        for (AuditEvent e : events) docs.addAll(mapper.map(e));
        return docs;
    }
}
