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

    private static final java.util.regex.Pattern HEADER = java.util.regex.Pattern.compile("\\{\\{header (/[a-z]*)}}");

    /**
     * A signed-in user's page: its shell with the shared head and header (the link to {@code current}
     * marked as the page being shown) and the session's form token. The token is base64url, which
     * needs no escaping in an attribute.
     */
    static String render(String name, String csrfToken) {
        // The stylesheet's id makes cytoscape skip injecting its own inline <style>, which the CSP
        // would refuse; app.css carries the one rule it would have added.
        String page = resource(name).replace("{{head}}", "<link rel=\"stylesheet\" href=\"/static/app.css\""
                + " id=\"__________cytoscape_stylesheet\"><meta name=\"csrf-token\" content=\"{{csrf}}\">");
        java.util.regex.Matcher header = HEADER.matcher(page);
        if (header.find()) {
            String current = "href=\"" + header.group(1) + "\"";
            page = page.substring(0, header.start())
                    + resource("header.html").replace(current + ">", current + " aria-current=\"page\">")
                    + page.substring(header.end());
        }
        return page.replace("{{csrf}}", csrfToken);
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
