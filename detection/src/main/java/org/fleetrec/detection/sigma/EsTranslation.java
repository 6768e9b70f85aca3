package org.fleetrec.detection.sigma;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** A rule as an Elasticsearch query, or the reason it cannot be one. */
public sealed interface EsTranslation {
    /**
     * {@code query} is a {@code bool} query over the ECS fields of the project's indices, logsource
     * filter included. {@code exact}: it finds precisely the events the rule matches.
     * {@code complete}: it finds at least those (a superset), so re-checking each hit with the
     * compiled rule gives the exact answer; not complete means some matches can be missed.
     * {@code notes} say where and why it is not exact.
     */
    record Query(ObjectNode query, boolean exact, boolean complete, List<String> notes) implements EsTranslation {
        public Query {
            notes = List.copyOf(notes);
        }
    }

    record NotTranslatable(String reason) implements EsTranslation {
    }
}
