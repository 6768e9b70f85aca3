package org.fleetrec.model;

import java.util.Arrays;
import java.util.Optional;

/** The datasets of DESIGN.md; each has its own index template and daily indices. */
public enum Dataset {
    PROCESS, NETWORK, FILE, LIBRARY, AUTH, DNS, REGISTRY, AGENT, AUDITD;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<Dataset> fromId(String id) {
        return Arrays.stream(values()).filter(d -> d.id().equals(id)).findFirst();
    }
}
