package org.fleetrec.detection.sigma;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared reference data, read in place from {@code ../shared/data} next to the repository; tests skip without it. */
public final class SharedData {
    private SharedData() {
    }

    public static Path path(String relative) {
        Path p = Path.of(System.getProperty("fleetrec.root", "."), "../shared/data", relative).normalize();
        assumeTrue(Files.exists(p), "shared reference data not present at " + p
                + " (see /work/shared/data/README.md sections A5 and E); skipping");
        return p;
    }
}
