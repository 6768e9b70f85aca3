package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.Refresh;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;
import org.fleetrec.templates.ElasticsearchErrors;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Fleet enrollment secrets kept in Elasticsearch (hashed), so every ingest server of a fleet
 * honours the same ones and a revocation reaches them all within the cache lifetime. The
 * server's own FLEETREC_ENROLLMENT_SECRET, when set, is accepted besides these.
 */
final class EnrollmentSecrets {
    /** A secret as listed: never the secret itself, which is shown once, at creation. */
    record Listed(String id, String name, String created, String revoked) {
    }

    /** A new secret and the id to revoke it by. */
    record Created(String id, String secret) {
    }

    private final ElasticsearchClient client;
    private final ExpiringCache<Optional<String>> cache;

    EnrollmentSecrets(ElasticsearchClient client, Duration cacheFor) {
        this.client = client;
        this.cache = new ExpiringCache<>(cacheFor, 10_000);
    }

    Created create(String name) throws IOException {
        String secret = Secrets.newToken();
        String id = UUID.randomUUID().toString();
        ObjectNode doc = EventCodec.mapper().createObjectNode().put("id", id).put("name", name)
                .put("secret_hash", Secrets.hash(secret)).put("created", Instant.now().toString());
        client.index(i -> i.index(IndexNames.ENROLLMENT_SECRETS).id(id).document(doc).refresh(Refresh.WaitFor));
        return new Created(id, secret);
    }

    /** True when it was there and not revoked before. */
    boolean revoke(String id) throws IOException {
        return Registries.revoke(client, IndexNames.ENROLLMENT_SECRETS, id);
    }

    List<Listed> list() throws IOException {
        return Registries.all(client, IndexNames.ENROLLMENT_SECRETS, "created").stream()
                .map(d -> new Listed(d.path("id").asText(), d.path("name").asText(), d.path("created").asText(),
                        d.path("revoked").asText(null)))
                .toList();
    }

    /** The id of the live secret this is, if any. */
    Optional<String> accepts(String secret) throws IOException {
        return cache.get(Secrets.hash(secret), this::lookUp);
    }

    private Optional<String> lookUp(String hash) throws IOException {
        try {
            var response = client.search(s -> s.index(IndexNames.ENROLLMENT_SECRETS).size(1)
                    .allowNoIndices(true).ignoreUnavailable(true)
                    .query(q -> q.bool(b -> b.filter(f -> f.term(t -> t.field("secret_hash").value(hash)))
                            .mustNot(m -> m.exists(e -> e.field("revoked"))))), ObjectNode.class);
            return response.hits().hits().stream().findFirst().map(h -> h.source().path("id").asText());
        } catch (co.elastic.clients.elasticsearch._types.ElasticsearchException | IOException e) {
            if (!ElasticsearchErrors.is(e, 404)) throw e; // no index yet: nobody enrolled
            return Optional.empty();
        }
    }
}
