package org.fleetrec.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Static page shells; all event data reaches them through the JSON API and is inserted as text. */
final class Pages {
    private Pages() {
    }

    static String resource(String name) {
        return text("pages/" + name);
    }

    /** A text resource beside this class, e.g. {@code openapi.json}. */
    static String text(String name) {
        try (InputStream in = Pages.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("resource missing: " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
