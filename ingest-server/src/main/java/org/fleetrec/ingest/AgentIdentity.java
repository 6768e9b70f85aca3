package org.fleetrec.ingest;

/** Who a token speaks for. The server stamps these over whatever a batch claims. */
public record AgentIdentity(String agentId, String hostId, String hostName) {
}
