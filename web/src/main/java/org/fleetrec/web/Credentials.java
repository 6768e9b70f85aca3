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

    /** A user as an admin sees it: never the password hash. */
    record User(String username, String role, String created, boolean disabled) {
    }

    /** A token as an admin sees it: its id is the hash, which cannot be turned back into the token. */
    record Token(String id, String name, String role, String owner, String created, String revoked) {
    }

    /** Creates a user; the password is returned once (generated when none is given). Empty when the name is taken. */
    Optional<String> createUser(String username, String role, String wantedPassword) throws IOException {
        String password = wantedPassword != null ? wantedPassword : PasswordHasher.randomSecret(15);
        ObjectNode user = EventCodec.mapper().createObjectNode()
                .put("username", username).put("role", role).put("password_hash", PasswordHasher.hash(password))
                .put("created", Instant.now().toString()).put("disabled", false);
        try {
            client.create(c -> c.index(IndexNames.USERS).id(username).document(user).refresh(Refresh.WaitFor));
            return Optional.of(password);
        } catch (ElasticsearchException | IOException e) {
            if (ElasticsearchErrors.is(e, 409)) return Optional.empty();
            throw e;
        }
    }

    java.util.List<User> users() throws IOException {
        var found = client.search(s -> s.index(IndexNames.USERS).size(10_000).ignoreUnavailable(true)
                .sort(o -> o.field(f -> f.field("username"))), ObjectNode.class);
        return found.hits().hits().stream().map(h -> h.source()).filter(java.util.Objects::nonNull)
                .map(u -> new User(u.path("username").asText(), u.path("role").asText(), u.path("created").asText(null),
                        u.path("disabled").asBoolean(false)))
                .toList();
    }

    /** Disables a user; false when there is no such user. Their sessions are the caller's to end. */
    boolean disableUser(String username) throws IOException {
        try {
            client.update(u -> u.index(IndexNames.USERS).id(username).doc(Map.of("disabled", true)).refresh(Refresh.WaitFor),
                    ObjectNode.class);
            return true;
        } catch (ElasticsearchException | IOException e) {
            if (ElasticsearchErrors.is(e, 404)) return false;
            throw e;
        }
    }

    /** A new token for scripts, returned once; only its hash is kept. */
    record NewToken(String token, Token described) {
    }

    NewToken createApiToken(String name, String role, String owner) throws IOException {
        String token = PasswordHasher.randomSecret(32);
        String hash = sha256(token);
        String created = Instant.now().toString();
        ObjectNode doc = EventCodec.mapper().createObjectNode()
                .put("token_hash", hash).put("name", name).put("role", role).put("owner", owner).put("created", created);
        client.create(c -> c.index(IndexNames.API_TOKENS).id(hash).document(doc).refresh(Refresh.WaitFor));
        return new NewToken(token, new Token(hash, name, role, owner, created, null));
    }

    java.util.List<Token> apiTokens() throws IOException {
        var found = client.search(s -> s.index(IndexNames.API_TOKENS).size(10_000).ignoreUnavailable(true)
                .sort(o -> o.field(f -> f.field("created"))), ObjectNode.class);
        return found.hits().hits().stream().map(h -> h.source()).filter(java.util.Objects::nonNull)
                .map(t -> new Token(t.path("token_hash").asText(), t.path("name").asText(), t.path("role").asText(),
                        t.path("owner").asText(null), t.path("created").asText(null), t.path("revoked").asText(null)))
                .toList();
    }

    /**
     * Revokes a token by its id. This server forgets it at once; other web servers sharing the
     * cluster within their cache time ({@value #TOKEN_CACHE_MILLIS} ms).
     */
    boolean revokeApiToken(String id) throws IOException {
        try {
            client.update(u -> u.index(IndexNames.API_TOKENS).id(id).doc(Map.of("revoked", Instant.now().toString()))
                    .refresh(Refresh.WaitFor), ObjectNode.class);
        } catch (ElasticsearchException | IOException e) {
            if (ElasticsearchErrors.is(e, 404)) return false;
            throw e;
        } finally {
            tokenCache.remove(id);
        }
        return true;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
