package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.javalin.Javalin;
import io.javalin.config.Key;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import io.javalin.http.Cookie;
import io.javalin.http.UnauthorizedResponse;
import io.javalin.http.staticfiles.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/** The investigation web app and its REST API. Every page reads a documented JSON endpoint. */
public final class WebApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebApp.class);
    private static final String PRINCIPAL = "principal";
    /** Lets page routes registered by other classes check the session without holding the WebApp. */
    private static final Key<Sessions> SESSIONS = new Key<>("sessions");

    private final Javalin app;
    private final Credentials credentials;
    private final Sessions sessions = new Sessions();

    public WebApp(ElasticsearchClient client) {
        this.credentials = new Credentials(client);
        SearchApi search = new SearchApi(client);
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.staticFiles.add(files -> {
                files.hostedPath = "/static";
                files.directory = "/org/fleetrec/web/static";
                files.location = Location.CLASSPATH;
            });
            config.staticFiles.enableWebjars();
            config.appData(SESSIONS, sessions);
        });
        app.before(ctx -> {
            ctx.header("X-Content-Type-Options", "nosniff");
            ctx.header("X-Frame-Options", "DENY");
            ctx.header("Referrer-Policy", "no-referrer");
            ctx.header("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'");
        });
        app.before("/api/*", this::requireApiPrincipal);
        app.get("/api/v1/search", search::search);
        new ProcessApi(client).routes(app);
        app.get("/api/v1/whoami", ctx -> ctx.json(Map.of("name", principal(ctx).name(), "role", principal(ctx).role())));
        app.get("/healthz", ctx -> ctx.result("ok\n"));
        app.get("/", ctx -> {
            if (sessionPrincipal(ctx).isEmpty()) {
                ctx.redirect("/login");
            } else {
                ctx.contentType("text/html; charset=utf-8").result(Pages.resource("search.html"));
            }
        });
        app.get("/login", ctx -> ctx.contentType("text/html; charset=utf-8").result(Pages.resource("login.html")));
        app.post("/login", this::login);
        app.post("/logout", ctx -> {
            sessions.close(ctx.cookie(Sessions.COOKIE));
            ctx.removeCookie(Sessions.COOKIE, "/");
            ctx.redirect("/login");
        });
        app.exception(IOException.class, (e, ctx) -> {
            log.warn("Elasticsearch request failed: {}", e.toString());
            ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(error(503, "Elasticsearch is unavailable"));
        });
        app.exception(HttpResponseException.class, (e, ctx) ->
                ctx.status(e.getStatus()).json(error(e.getStatus(), e.getMessage())));
    }

    public WebApp start(String host, int port) {
        app.start(host, port);
        return this;
    }

    public int port() {
        return app.port();
    }

    Credentials credentials() {
        return credentials;
    }

    private void requireApiPrincipal(Context ctx) throws IOException {
        String header = ctx.header("Authorization");
        Optional<Principal> principal;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = header.substring(7).trim();
            principal = token.isEmpty() || token.length() > 256 ? Optional.empty() : credentials.apiToken(token);
        } else {
            principal = sessionPrincipal(ctx);
        }
        if (principal.isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new UnauthorizedResponse("an API token (Authorization: Bearer <token>) or a session is required");
        }
        ctx.attribute(PRINCIPAL, principal.get());
    }

    /** The signed-in user of a browser request, for pages that must redirect to the login form without one. */
    static Optional<Principal> sessionPrincipal(Context ctx) {
        return ctx.appData(SESSIONS).principal(ctx.cookie(Sessions.COOKIE));
    }

    private static Principal principal(Context ctx) {
        return ctx.attribute(PRINCIPAL);
    }

    private void login(Context ctx) throws IOException {
        String username = ctx.formParam("username");
        String password = ctx.formParam("password");
        Optional<Principal> principal = username == null || password == null || username.length() > 128
                ? Optional.empty() : credentials.login(username, password);
        if (principal.isEmpty()) {
            ctx.status(HttpStatus.UNAUTHORIZED).contentType("text/html; charset=utf-8")
                    .result(Pages.resource("login.html").replace("<!--error-->",
                            "<p class=\"error\">Wrong user name or password.</p>"));
            return;
        }
        Cookie cookie = new Cookie(Sessions.COOKIE, sessions.open(principal.get()));
        cookie.setHttpOnly(true);
        cookie.setSameSite(SameSite.STRICT);
        cookie.setPath("/");
        cookie.setMaxAge((int) Sessions.LIFETIME.toSeconds());
        ctx.cookie(cookie);
        ctx.redirect("/");
    }

    private static Map<String, Object> error(int status, String reason) {
        return Map.of("error", Map.of("status", status, "reason", reason == null ? "" : reason));
    }

    @Override
    public void close() {
        app.stop();
    }
}
