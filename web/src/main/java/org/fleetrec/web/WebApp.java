package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.javalin.Javalin;
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
    private static final String SESSION_CSRF = "session-csrf";
    /** Before sign-in there is no session to hold a form token: a cookie holds it (login CSRF). */
    private static final String LOGIN_COOKIE = "fleetrec_login";
    static final String CSRF_HEADER = "X-CSRF-Token";

    private final Javalin app;
    private final Credentials credentials;
    private final Sessions sessions = new Sessions();
    /** "METHOD /api/path" of every API route, as registered: what openapi.json must document. */
    private final java.util.Set<String> apiRoutes = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public WebApp(ElasticsearchClient client) {
        this.credentials = new Credentials(client);
        // One trail for the whole app: every API that records what it was asked writes through it.
        AuditTrail audit = new AuditTrail(client);
        SearchApi search = new SearchApi(client, audit);
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.staticFiles.add(files -> {
                files.hostedPath = "/static";
                files.directory = "/org/fleetrec/web/static";
                files.location = Location.CLASSPATH;
            });
            config.staticFiles.enableWebjars();
            config.events(events -> events.handlerAdded(route -> {
                if (route.getPath().startsWith("/api/") && route.getHttpMethod().isHttpMethod()) {
                    apiRoutes.add(route.getHttpMethod().name() + " " + route.getPath());
                }
            }));
        });
        app.before(ctx -> {
            ctx.header("X-Content-Type-Options", "nosniff");
            ctx.header("X-Frame-Options", "DENY");
            ctx.header("Referrer-Policy", "no-referrer");
            ctx.header("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'");
        });
        app.before("/api/*", this::requireApiPrincipal);
        app.get("/api/v1/search", search::search);
        // The same search with its parameters in a form body: cursors outgrow a URL over many daily indices.
        app.post("/api/v1/search", search::searchPosted);
        app.get("/api/v1/search/export", new SearchExport(client, audit)::export);
        new HostsApi(client, audit).routes(app);
        new AuditApi(client, audit).routes(app);
        app.get("/hosts", page("hosts.html"));
        app.get("/host", page("host.html"));
        new AccountsApi(credentials, sessions, audit).routes(app);
        new NetworkApi(client).routes(app, this::page);
        new IocApi(client).routes(app, this::page);
        new ProcessApi(client).routes(app, this::page);
        new AlertsApi(client, audit).routes(app, this::page);
        new RuleTestApi(client, audit).routes(app, this::page);
        new RulesApi(client, audit).routes(app, this::page);
        app.get("/api/v1/openapi.json", ctx -> ctx.contentType("application/json").result(Pages.text("openapi.json")));
        app.get("/api/v1/whoami", ctx -> ctx.json(Map.of("name", principal(ctx).name(), "role", principal(ctx).role())));
        app.get("/healthz", ctx -> ctx.result("ok\n"));
        app.get("/", page("search.html"));
        app.get("/admin", page("admin.html"));
        app.get("/login", this::loginPage);
        app.post("/login", this::login);
        app.post("/logout", ctx -> {
            String session = ctx.cookie(Sessions.COOKIE);
            if (!sameSecret(ctx.formParam("csrf"), sessions.csrfToken(session).orElse(null))) {
                throw new io.javalin.http.ForbiddenResponse("the sign-out form is stale; reload the page");
            }
            sessions.close(session);
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

    java.util.Set<String> apiRoutes() {
        return java.util.Set.copyOf(apiRoutes);
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
            // A browser sends the session cookie with any request a page makes it send: changes must
            // also carry the page's token, which another site cannot read.
            if (principal.isPresent() && !isSafe(ctx)
                    && !sameSecret(ctx.header(CSRF_HEADER), sessions.csrfToken(ctx.cookie(Sessions.COOKIE)).orElse(null))) {
                throw new io.javalin.http.ForbiddenResponse("a change made with a session needs the page's " + CSRF_HEADER + " header");
            }
        }
        if (principal.isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new UnauthorizedResponse("an API token (Authorization: Bearer <token>) or a session is required");
        }
        ctx.attribute(PRINCIPAL, principal.get());
    }

    private static boolean isSafe(Context ctx) {
        String method = ctx.method().name();
        return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
    }

    private static boolean sameSecret(String given, String expected) {
        return given != null && expected != null && java.security.MessageDigest.isEqual(
                given.getBytes(java.nio.charset.StandardCharsets.UTF_8), expected.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    Optional<Principal> sessionPrincipal(Context ctx) {
        return sessions.principal(ctx.cookie(Sessions.COOKIE));
    }

    /** Who made this API request; set for every {@code /api/*} path before its handler runs. */
    static Principal principal(Context ctx) {
        return ctx.attribute(PRINCIPAL);
    }

    /**
     * A page for signed-in users: the shell with the session's form token in it (for the sign-out
     * form and the {@value #CSRF_HEADER} header of the page's own changes); others go to sign in.
     */
    io.javalin.http.Handler page(String name) {
        return ctx -> {
            String session = ctx.cookie(Sessions.COOKIE);
            Optional<String> csrf = sessions.csrfToken(session);
            if (csrf.isEmpty()) {
                ctx.redirect("/login");
                return;
            }
            ctx.contentType("text/html; charset=utf-8").result(Pages.render(name, csrf.get()));
        };
    }

    private void loginPage(Context ctx) {
        loginPage(ctx, HttpStatus.OK, null);
    }

    /** The sign-in form with a fresh form token, and an error to show when the last attempt failed. */
    private void loginPage(Context ctx, HttpStatus status, String error) {
        String formToken = PasswordHasher.randomSecret(24);
        Cookie cookie = new Cookie(LOGIN_COOKIE, formToken);
        cookie.setHttpOnly(true);
        cookie.setSameSite(SameSite.STRICT);
        cookie.setPath("/login");
        cookie.setMaxAge(3600);
        ctx.cookie(cookie);
        String page = Pages.resource("login.html").replace("{{csrf}}", formToken);
        if (error != null) page = page.replace("<!--error-->", "<p class=\"error\">" + error + "</p>");
        ctx.status(status).contentType("text/html; charset=utf-8").result(page);
    }

    private void login(Context ctx) throws IOException {
        if (!sameSecret(ctx.formParam("csrf"), ctx.cookie(LOGIN_COOKIE))) {
            loginPage(ctx, HttpStatus.FORBIDDEN, "The sign-in form had expired; sign in again.");
            return;
        }
        String username = ctx.formParam("username");
        String password = ctx.formParam("password");
        Optional<Principal> principal = username == null || password == null || username.length() > 128
                ? Optional.empty() : credentials.login(username, password);
        if (principal.isEmpty()) {
            loginPage(ctx, HttpStatus.UNAUTHORIZED, "Wrong user name or password.");
            return;
        }
        ctx.removeCookie(LOGIN_COOKIE, "/login");
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
