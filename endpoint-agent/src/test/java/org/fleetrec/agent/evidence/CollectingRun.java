package org.fleetrec.agent.evidence;

import org.fleetrec.model.EventDocument;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs the importer without a server and keeps every document it would ship, as stamped. */
final class CollectingRun {
    final ImportSummary summary = new ImportSummary();
    final List<EventDocument> documents = new ArrayList<>();

    static CollectingRun of(String fallbackHost, List<Path> inputs) throws IOException, InterruptedException {
        CollectingRun run = new CollectingRun();
        ImportRun sink = new ImportRun(run.summary, (host, doc, at) -> run.documents.add(doc), ImportProgress.none());
        new Importer(fallbackHost).importAll(ImportCommand.expand(inputs), sink, ImportProgress.none(), run.summary);
        return run;
    }

    List<EventDocument> withCode(String code) {
        return documents.stream().filter(d -> code.equals(d.text("event.code"))).toList();
    }

    /** {@code ../shared/data/<relative>} from the repo root; skips the test when the data is absent. */
    static Path shared(String relative) {
        Path p = Path.of(System.getProperty("fleetrec.root", "."), "../shared/data", relative).normalize();
        assumeTrue(Files.exists(p), "shared reference data not present at " + p + " (see its README); skipping");
        return p;
    }
}
