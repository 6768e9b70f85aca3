package org.fleetrec.detection.sigma;

import java.util.List;

/**
 * One Sigma detection rule as written, before it is bound to the project's documents.
 * {@code source} names where it came from (a file name), so every report can point back to it.
 */
public record SigmaRule(String source, String id, String title, String status, String level, String description,
                        List<String> tags, List<String> references, List<String> falsePositives, String author,
                        LogSource logsource, Detection detection) {

    public SigmaRule {
        tags = List.copyOf(tags);
        references = List.copyOf(references);
        falsePositives = List.copyOf(falsePositives);
    }

    /** The id when there is one, else the source; never null. */
    public String name() {
        return id != null ? id : source;
    }
}
