package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.Refresh;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;
import org.fleetrec.templates.ElasticsearchErrors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Users and API tokens, kept in Elasticsearch so several web servers share them.
 * API tokens are 256-bit random strings stored as SHA-256; passwords as PBKDF2.
 */
final class Credentials {
    private static final long TOKEN_CACHE_MILLIS = 30_000;

    private record CachedToken(Optional<Principal> principal, long expires) {
    }

    private final ElasticsearchClient client;
    private final Map<String, CachedToken> tokenCache = new ConcurrentHashMap<>();

    Credentials(ElasticsearchClient client) {
        this.client = client;
    }

    /** Creates the admin user unless one exists; returns the password when this call set it. */
    Optional<String> ensureAdmin(String wantedPassword) throws IOException {
        String password = wantedPassword != null ? wantedPassword : PasswordHasher.randomSecret(15);
        ObjectNode user = EventCodec.mapper().createObjectNode()
                .put("username", "admin").put("role", Principal.ADMIN)
                .put("password_hash", PasswordHasher.hash(password))
                .put("created", Instant.now().toString()).put("disabled", false);
        try {
            client.create(c -> c.index(IndexNames.USERS).id("admin").document(user).refresh(Refresh.WaitFor));
            return Optional.of(password);
        } catch (ElasticsearchException | IOException e) {
            if (ElasticsearchErrors.is(e, 409)) return Optional.empty();
            throw e;
        }
    }

    Optional<Principal> login(String username, String password) throws IOException {
        try {
            var found = client.get(g -> g.index(IndexNames.USERS).id(username), ObjectNode.class);
            if (!found.found() || found.source() == null) return Optional.empty();
            ObjectNode user = found.source();
            if (user.path("disabled").asBoolean(false)) return Optional.empty();
            if (!PasswordHasher.verify(password, user.path("password_hash").asText(null))) return Optional.empty();
            return Optional.of(new Principal(username, user.path("role").asText(Principal.VIEWER)));
        } catch (ElasticsearchException | IOException e) {
            if (ElasticsearchErrors.is(e, 404)) return Optional.empty();
            throw e;
        }
    }

    /** Registers a token the launcher generated, so scripts can use it from the first start. */
    void ensureApiToken(String token, String name, String role) throws IOException {
        String hash = sha256(token);
        ObjectNode doc = EventCodec.mapper().createObjectNode()
                .put("token_hash", hash).put("name", name).put("role", role).put("owner", "admin")
                .put("created", Instant.now().toString());
        try {
            client.create(c -> c.index(IndexNames.API_TOKENS).id(hash).document(doc).refresh(Refresh.WaitFor));
        } catch (ElasticsearchException | IOException e) {
            if (!ElasticsearchErrors.is(e, 409)) throw e;
        }
    }

    Optional<Principal> apiToken(String token) throws IOException {
        String hash = sha256(token);
        long now = System.currentTimeMillis();
        CachedToken cached = tokenCache.get(hash);
        if (cached != null && cached.expires() > now) return cached.principal();
        Optional<Principal> principal;
        try {
            var found = client.get(g -> g.index(IndexNames.API_TOKENS).id(hash), ObjectNode.class);
            principal = found.found() && found.source() != null && !found.source().has("revoked")
                    ? Optional.of(new Principal("token:" + found.source().path("name").asText(),
                    found.source().path("role").asText(Principal.VIEWER)))
                    : Optional.empty();
        } catch (ElasticsearchException | IOException e) {
            if (!ElasticsearchErrors.is(e, 404)) throw e;
            principal = Optional.empty();
        }
        if (tokenCache.size() > 10_000) tokenCache.clear();
        tokenCache.put(hash, new CachedToken(principal, now + TOKEN_CACHE_MILLIS));
        return principal;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
