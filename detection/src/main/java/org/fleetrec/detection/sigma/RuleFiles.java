package org.fleetrec.detection.sigma;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Rule files on disk: which files of a folder are rules, and their text, within bounds. */
public final class RuleFiles {
    /** Rule files larger than this are not read. */
    public static final long MAX_FILE_BYTES = 4L << 20;
    /** A directory with more rule files than this is refused rather than read without end. */
    public static final int MAX_FILES = 100_000;

    private RuleFiles() {
    }

    /** Every {@code .yml}/{@code .yaml} file under {@code directory}, in path order. */
    public static List<Path> list(Path directory) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(directory)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
                    .limit(MAX_FILES + 1L).sorted().toList();
        }
        if (files.size() > MAX_FILES) throw new IOException(directory + " holds more than " + MAX_FILES + " rule files");
        return files;
    }

    /** The file's text; refused, with the reason, when it is too large or cannot be read as UTF-8. */
    public static String read(Path file) throws RuleException {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) throw RuleException.invalid("file larger than " + MAX_FILE_BYTES + " bytes");
            return Files.readString(file);
        } catch (IOException | RuntimeException e) {
            throw RuleException.invalid("unreadable: " + e.getMessage());
        }
    }
}
