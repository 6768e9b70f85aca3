package org.fleetrec.detection.rules;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The project's own Sigma rules, YAML resources of this package named in {@code index.txt}
 * (a class path folder cannot be listed reliably, inside a jar or not).
 */
final class OwnRules {
    static final String INDEX = "index.txt";

    private OwnRules() {
    }

    static List<RuleSource> sources() {
        List<RuleSource> out = new ArrayList<>();
        for (String line : resource(INDEX).split("\n")) {
            String name = line.strip();
            if (name.isEmpty() || name.startsWith("#")) continue;
            out.add(new RuleSource(ShippedRules.ORIGIN, "fleetrec/" + name, resource(name)));
        }
        return out;
    }

    /** A resource of this package as text; a missing one is a packaging error, not an input error. */
    static String resource(String name) {
        try (InputStream in = OwnRules.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("rule resource missing: " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("rule resource unreadable: " + name, e);
        }
    }
}
