package org.fleetrec.agent.audit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

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
    /** Lines that are records: {@link #lines} without laurel's {@code #} comment lines. */
    public static List<String> recordLines(Path p) throws IOException {
        return lines(p).stream().filter(l -> !l.startsWith("#")).toList();
    }

    /** Path of a reference file relative to the linux-audit folder, with '/' separators (for messages). */
    public static String name(Path p) {
        return linuxAudit("").relativize(p.normalize()).toString().replace('\\', '/');
    }

    /**
     * Every file of the linux-audit folder that holds raw audit.log lines, one record per line: the
     * {@code *.log} files and laurel's {@code *.txt} record files, sorted. Not included: laurel's
     * {@code tree/README.txt} (prose about the tree files), the auoms rows (JSON, another format), the
     * aucoalesce YAML (see {@link #aucoalesceEvents}) and the JSON/golden expectation files.
     */
    public static List<Path> rawAuditLogs() throws IOException {
        Path root = linuxAudit("");
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile)
                    .filter(f -> f.toString().endsWith(".log") || f.toString().endsWith(".txt"))
                    .filter(f -> !f.endsWith(Path.of("laurel/testdata/tree/README.txt")))
                    .sorted()
                    .toList();
        }
    }

    /**
     * The go-libaudit aucoalesce test YAML ({@code tests: {name: raw event text}}) as test name to raw
     * text, read with a few lines of code instead of a YAML library: the files use only a two-space
     * indented map of block scalars, {@code |} (lines kept) or {@code >} (lines folded with a blank),
     * and whole-line {@code #} comments between entries.
     */
    public static Map<String, String> aucoalesceEvents(Path yaml) throws IOException {
        Map<String, String> tests = new LinkedHashMap<>();
        String name = null;
        boolean folded = false;
        StringBuilder text = new StringBuilder();
        for (String line : Files.readAllLines(yaml, StandardCharsets.UTF_8)) {
            boolean entry = line.startsWith("  ") && !line.startsWith("   ") && !line.startsWith("  #");
            if (entry || line.startsWith("  #") || line.equals("tests:") || line.equals("---")) {
                if (name != null) {
                    tests.put(name, text.toString());
                    name = null;
                }
                if (entry) {
                    int colon = line.lastIndexOf(':');
                    String indicator = line.substring(colon + 1).trim();
                    if (!indicator.equals("|") && !indicator.equals(">")) {
                        throw new IllegalStateException("unexpected YAML in " + yaml + ": " + line);
                    }
                    name = line.substring(2, colon).trim();
                    folded = indicator.equals(">");
                    text.setLength(0);
                }
                continue;
            }
            if (name == null || line.isBlank()) {
                continue;
            }
            if (!line.startsWith("    ")) {
                throw new IllegalStateException("unexpected YAML in " + yaml + ": " + line);
            }
            if (folded && text.length() > 0) {
                text.setLength(text.length() - 1);
                text.append(' ');
            }
            text.append(line, 4, line.length()).append('\n');
        }
        if (name != null) {
            tests.put(name, text.toString());
        }
        return tests;
    }
}
