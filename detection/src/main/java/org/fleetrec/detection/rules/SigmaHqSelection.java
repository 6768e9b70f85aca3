package org.fleetrec.detection.rules;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The SigmaHQ rules the project runs by default, read from an operator's copy of SigmaHQ's
 * rules: the ids are listed, with the reasons for each excluded group, in the
 * {@code sigmahq-linux.manifest} resource. The folder may be a whole checkout or a part of it
 * (rules/linux); rules under a {@code deprecated} folder are not used. A listed id the folder
 * lacks (an older or newer SigmaHQ release) is logged, not fatal: the others still run.
 */
final class SigmaHqSelection {
    static final String MANIFEST = "sigmahq-linux.manifest";
    static final int MAX_FILES = 100_000;
    static final long MAX_FILE_BYTES = 1L << 20;
    private static final int MAX_DEPTH = 16;

    private static final Logger log = LoggerFactory.getLogger(SigmaHqSelection.class);
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** A rule's top-level id line; SigmaHQ writes it unquoted, other editors may quote it. */
    private static final Pattern ID_LINE = Pattern.compile("(?m)^id:[ \\t]*['\"]?(" + UUID.pattern() + ")['\"]?[ \\t]*(#.*)?\\r?$");

    private SigmaHqSelection() {
    }

    /** The ids the manifest selects, in its order. */
    static List<String> manifestIds() {
        List<String> ids = new ArrayList<>();
        String text;
        try (InputStream in = SigmaHqSelection.class.getResourceAsStream(MANIFEST)) {
            if (in == null) throw new IllegalStateException("rule resource missing: " + MANIFEST);
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(MANIFEST, e);
        }
        int number = 0;
        for (String line : text.split("\n")) {
            number++;
            int hash = line.indexOf('#');
            String id = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (id.isEmpty()) continue;
            if (!UUID.matcher(id).matches()) throw new IllegalStateException(MANIFEST + ":" + number + ": not a rule id: " + id);
            ids.add(id.toLowerCase(java.util.Locale.ROOT));
        }
        return ids;
    }

    static List<RuleSource> sources(Path dir) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(ShippedRules.SIGMA_DIR + ": " + dir + " is not a folder");
        List<String> wanted = manifestIds();
        Map<String, Path> found = new LinkedHashMap<>();
        for (String id : wanted) found.put(id, null);
        for (Path file : ruleFiles(dir)) {
            String id = id(file);
            if (id != null && found.containsKey(id) && found.get(id) == null) found.put(id, file);
        }
        List<RuleSource> out = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Path> e : found.entrySet()) {
            if (e.getValue() == null) {
                missing.add(e.getKey());
                continue;
            }
            String relative = dir.relativize(e.getValue()).toString().replace('\\', '/');
            try {
                out.add(new RuleSource(ShippedRules.ORIGIN, "sigmahq/" + relative, Files.readString(e.getValue())));
            } catch (IOException | RuntimeException ex) {
                missing.add(e.getKey() + " (" + relative + " unreadable: " + ex.getMessage() + ")");
            }
        }
        if (!missing.isEmpty()) {
            log.warn("{} of the {} SigmaHQ rules the project runs are not in {} (another SigmaHQ release?): {}{}",
                    missing.size(), wanted.size(), dir, missing.subList(0, Math.min(20, missing.size())),
                    missing.size() > 20 ? " and " + (missing.size() - 20) + " more" : "");
        }
        return out;
    }

    private static List<Path> ruleFiles(Path dir) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir, MAX_DEPTH)) {
            files = walk.filter(p -> {
                        String name = p.getFileName().toString();
                        return (name.endsWith(".yml") || name.endsWith(".yaml")) && Files.isRegularFile(p);
                    })
                    .filter(p -> !deprecated(dir.relativize(p)))
                    .limit(MAX_FILES + 1L).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException(ShippedRules.SIGMA_DIR + ": " + dir + " cannot be read: " + e.getMessage(), e);
        }
        if (files.size() > MAX_FILES) {
            throw new IllegalArgumentException(ShippedRules.SIGMA_DIR + ": " + dir + " holds more than " + MAX_FILES + " rule files");
        }
        return files;
    }

    private static boolean deprecated(Path relative) {
        for (Path part : relative) if (part.toString().equals("deprecated")) return true;
        return false;
    }

    /** The rule id of a file, or null when it has none or cannot be read. */
    private static String id(Path file) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) return null;
            Matcher m = ID_LINE.matcher(Files.readString(file));
            return m.find() ? m.group(1).toLowerCase(java.util.Locale.ROOT) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
