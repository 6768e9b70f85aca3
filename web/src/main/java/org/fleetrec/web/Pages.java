package org.fleetrec.web;

import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Static page shells; all event data reaches them through the JSON API and is inserted as text. */
final class Pages {
    private Pages() {
    }

    /** A page for a signed-in user; anyone else is sent to the login form. */
    static void serve(Context ctx, String name) {
        if (WebApp.sessionPrincipal(ctx).isEmpty()) {
            ctx.redirect("/login");
        } else {
            ctx.contentType("text/html; charset=utf-8").result(resource(name));
        }
    }

    static String resource(String name) {
        try (InputStream in = Pages.class.getResourceAsStream("pages/" + name)) {
            if (in == null) throw new IllegalStateException("page missing: " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
