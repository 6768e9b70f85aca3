package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.Refresh;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;
import org.fleetrec.templates.ElasticsearchErrors;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Enrolled agents and their tokens, kept in Elasticsearch so any number of stateless
 * ingest servers share them. Tokens are stored only as hashes; lookups are cached briefly
 * so a revocation takes effect within the cache lifetime.
 */
final class AgentRegistry {
    /** What a token is worth: an identity, a revoked agent's, or nothing known. */
    record Authentication(Optional<AgentIdentity> identity, boolean revoked) {
        static final Authentication UNKNOWN = new Authentication(Optional.empty(), false);
    }

    /** An enrolled agent as listed (never its token). */
    record Listed(String agentId, String hostId, String hostName, String enrolled, String enrolledWith, String revoked) {
    }

    private final ElasticsearchClient client;
    private final ExpiringCache<Authentication> cache;

    AgentRegistry(ElasticsearchClient client, java.time.Duration cacheFor) {
        this.client = client;
        this.cache = new ExpiringCache<>(cacheFor, 100_000);
    }

    /** True when it was enrolled and not revoked before; its token stops working within the cache lifetime. */
    boolean revoke(String agentId) throws IOException {
        return Registries.revoke(client, IndexNames.AGENTS, agentId);
    }

    java.util.List<Listed> list() throws IOException {
        return Registries.all(client, IndexNames.AGENTS, "enrolled").stream()
                .map(d -> new Listed(d.path("agent_id").asText(), d.path("host_id").asText(), d.path("host_name").asText(),
                        d.path("enrolled").asText(), d.path("enrolled_with").asText(null), d.path("revoked").asText(null)))
                .toList();
    }

    /**
     * Registers a new agent for the host it describes and returns its token (shown once). An
     * importer's agent id is derived from the host: importing a machine's evidence again, from
     * anywhere, writes under the same id, so documents already stored are recognised, not doubled.
     * Its new token replaces the previous one.
     */
    Enrollment enroll(String hostId, String hostName, JsonNode hostDetails, String enrolledWith, boolean importer) throws IOException {
        String token = Secrets.newToken();
        String agentId = importer
                ? UUID.nameUUIDFromBytes(("import|" + hostId).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString()
                : UUID.randomUUID().toString();
        ObjectNode agent = EventCodec.mapper().createObjectNode()
                .put("token_hash", Secrets.hash(token)).put("agent_id", agentId)
                .put("host_id", hostId).put("host_name", hostName).put("enrolled", Instant.now().toString())
                .put("enrolled_with", enrolledWith).put("purpose", importer ? AgentIdentity.IMPORT : "live");
        client.index(i -> i.index(IndexNames.AGENTS).id(agentId).document(agent).refresh(Refresh.WaitFor));
        ObjectNode host = EventCodec.mapper().createObjectNode();
        ObjectNode hostObject = host.putObject("host");
        if (hostDetails instanceof ObjectNode details) hostObject.setAll(details);
        hostObject.put("id", hostId).put("name", hostName);
        host.putObject("agent").put("id", agentId);
        host.put("enrolled", Instant.now().toString()).put("last_seen", Instant.now().toString());
        client.index(i -> i.index(IndexNames.HOSTS).id(hostId).document(host));
        return new Enrollment(token, new AgentIdentity(agentId, hostId, hostName, importer));
    }

    record Enrollment(String token, AgentIdentity identity) {
    }

    Authentication authenticate(String token) throws IOException {
        return cache.get(Secrets.hash(token), this::lookUp);
    }

    private Authentication lookUp(String hash) throws IOException {
        try {
            var response = client.search(s -> s.index(IndexNames.AGENTS).size(1).allowNoIndices(true)
                    .ignoreUnavailable(true)
                    .query(q -> q.bool(b -> b.filter(f -> f.term(t -> t.field("token_hash").value(hash))))), ObjectNode.class);
            return response.hits().hits().stream().findFirst()
                    .map(hit -> hit.source())
                    .map(src -> src.hasNonNull("revoked") ? new Authentication(Optional.empty(), true)
                            : new Authentication(Optional.of(new AgentIdentity(src.path("agent_id").asText(),
                            src.path("host_id").asText(), src.path("host_name").asText(),
                            AgentIdentity.IMPORT.equals(src.path("purpose").asText()))), false))
                    .orElse(Authentication.UNKNOWN);
        } catch (co.elastic.clients.elasticsearch._types.ElasticsearchException | IOException e) {
            if (!ElasticsearchErrors.is(e, 404)) throw e; // no index yet: nobody enrolled
            return Authentication.UNKNOWN;
        }
    }
}
