package org.fleetrec.detection.sigma;

import java.util.List;
import java.util.Map;

/**
 * A rule's {@code detection}: the named search identifiers in the order written, and the
 * condition(s) over them (several conditions are OR-ed, as the specification says).
 */
public record Detection(Map<String, SearchIdentifier> searches, List<String> conditions) {
    public Detection {
        searches = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(searches));
        conditions = List.copyOf(conditions);
    }
}
