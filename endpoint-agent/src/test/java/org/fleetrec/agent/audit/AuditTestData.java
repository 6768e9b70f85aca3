package org.fleetrec.agent.audit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Locates the shared public reference data (read in place, never copied into the repo). */
public final class AuditTestData {
    private AuditTestData() {
    }

    /** {@code ../shared/data/linux-audit/<relative>} from the repo root; skips the test if absent. */
    public static Path linuxAudit(String relative) {
        Path p = Path.of(System.getProperty("fleetrec.root", "."), "../shared/data/linux-audit", relative)
                .normalize();
        assumeTrue(Files.exists(p), "shared reference data not present at " + p
                + " (see /work/shared/data/README.md section A); skipping");
        return p;
    }

    /** Lines of a file as audit writes them (bytes kept: ISO-8859-1 would mangle UTF-8, so UTF-8). */
    public static List<String> lines(Path p) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readString(p, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                out.add(line);
            }
        }
        return out;
    }

    public static List<AuditRecord> records(Path p) throws IOException {
        List<AuditRecord> out = new ArrayList<>();
        for (String line : lines(p)) {
            if (!line.startsWith("#")) {
                out.add(AuditRecordParser.parseLine(line));
            }
        }
        return out;
    }
}
