package org.fleetrec.agent.evidence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads each file with the reader its content calls for. A file that cannot be read to its end
 * (a cut gzip, a disk error) keeps what was read before the fault and the import goes on with the
 * next file; only a failure to ship stops it, since every later batch would fail the same way.
 */
final class Importer {
    private final AuditEvidence audit;
    private final SysmonEvidence sysmon;

    Importer(String fallbackHost) {
        this.audit = new AuditEvidence(fallbackHost);
        this.sysmon = new SysmonEvidence(fallbackHost);
    }

    void importAll(List<Path> files, ImportRun run, ImportProgress progress, ImportSummary summary)
            throws IOException, InterruptedException {
        for (Path file : files) {
            progress.starting(file.toString());
            run.file(file.toString());
            try {
                switch (EvidenceFormat.of(file)) {
                    case AUDIT -> audit.read(file, run);
                    case SYSMON -> sysmon.read(file, run);
                    case UNKNOWN -> summary.skippedFile("not evidence this importer reads (audit.log, Sysmon XML or JSON, .evtx)",
                            file.toString());
                }
            } catch (EvidenceShipper.Failed e) {
                throw e;
            } catch (IOException | java.io.UncheckedIOException e) {
                summary.failed("the file could not be read to its end: " + e.getMessage(), file.toString());
            }
            progress.finished(Files.size(file));
        }
    }
}
