package org.fleetrec.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ConflictResponse;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import org.fleetrec.model.EventCodec;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Users and API tokens, for admins only: {@code /api/v1/users} and {@code /api/v1/tokens}
 * (list, create, and disable or revoke). A secret (a generated password, a token) is shown
 * once, in the answer that created it.
 */
final class AccountsApi {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    private static final Pattern TOKEN_ID = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> ROLES = Set.of(Principal.ADMIN, Principal.VIEWER);

    private final Credentials credentials;
    private final Sessions sessions;
    private final AuditTrail audit;

    AccountsApi(Credentials credentials, Sessions sessions, AuditTrail audit) {
        this.credentials = credentials;
        this.sessions = sessions;
        this.audit = audit;
    }

    void routes(Javalin app) {
        app.get("/api/v1/users", ctx -> {
            requireAdmin(ctx);
            ctx.json(Map.of("users", credentials.users()));
        });
        app.post("/api/v1/users", this::createUser);
        app.delete("/api/v1/users/{username}", this::disableUser);
        app.get("/api/v1/tokens", ctx -> {
            requireAdmin(ctx);
            ctx.json(Map.of("tokens", credentials.apiTokens()));
        });
        app.post("/api/v1/tokens", this::createToken);
        app.delete("/api/v1/tokens/{id}", this::revokeToken);
    }

    static Principal requireAdmin(Context ctx) {
        Principal principal = WebApp.principal(ctx);
        if (principal == null || !principal.admin()) throw new ForbiddenResponse("only an admin may do this");
        return principal;
    }

    private void createUser(Context ctx) throws IOException {
        requireAdmin(ctx);
        JsonNode body = body(ctx);
        String username = text(body, "username", NAME, "username (1-64 of A-Z a-z 0-9 . _ @ -)");
        String role = role(body);
        String password = body.path("password").isTextual() ? body.path("password").asText() : null;
        if (password != null && (password.length() < 12 || password.length() > 256)) {
            throw new BadRequestResponse("a password needs 12 to 256 characters; leave it out to have one generated");
        }
        Optional<String> created = credentials.createUser(username, role, password);
        if (created.isEmpty()) throw new ConflictResponse("user " + username + " exists");
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("username", username);
        answer.put("role", role);
        if (password == null) answer.put("password", created.get());
        audit.record(ctx, "user.create", Map.of("username", username, "role", role), 1);
        ctx.status(HttpStatus.CREATED).json(answer);
    }

    private void disableUser(Context ctx) throws IOException {
        Principal admin = requireAdmin(ctx);
        String username = ctx.pathParam("username");
        if (!NAME.matcher(username).matches()) throw new BadRequestResponse("not a user name");
        if (username.equals(admin.name())) throw new BadRequestResponse("an admin cannot disable their own account");
        if (!credentials.disableUser(username)) throw new NotFoundResponse("no user " + username);
        sessions.closeAll(username);
        audit.record(ctx, "user.disable", Map.of("username", username), 1);
        ctx.json(Map.of("username", username, "disabled", true));
    }

    private void createToken(Context ctx) throws IOException {
        Principal admin = requireAdmin(ctx);
        JsonNode body = body(ctx);
        String name = text(body, "name", NAME, "name (1-64 of A-Z a-z 0-9 . _ @ -)");
        Credentials.NewToken token = credentials.createApiToken(name, role(body), admin.name());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("token", token.token());
        answer.put("id", token.described().id());
        answer.put("name", name);
        answer.put("role", token.described().role());
        audit.record(ctx, "token.create", Map.of("name", name, "role", token.described().role(), "id", token.described().id()), 1);
        ctx.status(HttpStatus.CREATED).json(answer);
    }

    private void revokeToken(Context ctx) throws IOException {
        requireAdmin(ctx);
        String id = ctx.pathParam("id");
        if (!TOKEN_ID.matcher(id).matches()) throw new BadRequestResponse("a token id is 64 hex digits");
        if (!credentials.revokeApiToken(id)) throw new NotFoundResponse("no token " + id);
        audit.record(ctx, "token.revoke", Map.of("id", id), 1);
        ctx.json(Map.of("id", id, "revoked", true));
    }

    private static JsonNode body(Context ctx) {
        try {
            JsonNode body = EventCodec.mapper().readTree(ctx.bodyAsBytes());
            if (body == null || !body.isObject()) throw new BadRequestResponse("the body must be a JSON object");
            return body;
        } catch (IOException e) {
            throw new BadRequestResponse("the body must be a JSON object");
        }
    }

    private static String text(JsonNode body, String field, Pattern pattern, String expected) {
        String value = body.path(field).asText("");
        if (!pattern.matcher(value).matches()) throw new BadRequestResponse(expected + " is required");
        return value;
    }

    private static String role(JsonNode body) {
        String role = body.path("role").asText(Principal.VIEWER);
        if (!ROLES.contains(role)) throw new BadRequestResponse("role must be admin or viewer");
        return role;
    }
}
