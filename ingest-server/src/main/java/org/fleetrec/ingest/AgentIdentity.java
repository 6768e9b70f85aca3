package org.fleetrec.ingest;

/**
 * Who a token speaks for. The server stamps these over whatever a batch claims. An importer
 * ships evidence collected before: its documents may be years old.
 */
public record AgentIdentity(String agentId, String hostId, String hostName, boolean importer) {
    /** The value of {@code purpose} at enrollment that makes an importer; anything else is a live agent. */
    static final String IMPORT = "import";
}
