package org.fleetrec.stack;

import java.util.Arrays;
import java.util.Optional;

/** The processes a stack is made of, in start order. */
public enum Part {
    ELASTICSEARCH("elasticsearch"), INGEST("ingest"), WEB("web"), AGENT("agent");

    private final String id;

    Part(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Optional<Part> fromId(String id) {
        return Arrays.stream(values()).filter(p -> p.id.equals(id)).findFirst();
    }
}
