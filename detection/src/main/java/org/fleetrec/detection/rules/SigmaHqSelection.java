package org.fleetrec.detection.rules;

import org.fleetrec.detection.sigma.RuleException;
import org.fleetrec.detection.sigma.RuleFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SigmaHQ rules the project runs by default, read from an operator's copy of SigmaHQ's
 * rules: the ids are listed, with the reasons for each excluded group, in the
 * {@code sigmahq-linux.manifest} resource. The folder may be a whole checkout or a part of it
 * (rules/linux); rules under a {@code deprecated} folder are not used. A listed id the folder
 * lacks (an older or newer SigmaHQ release) is logged, not fatal: the others still run.
 */
final class SigmaHqSelection {
    static final String MANIFEST = "sigmahq-linux.manifest";

    private static final Logger log = LoggerFactory.getLogger(SigmaHqSelection.class);
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** A rule's top-level id line; SigmaHQ writes it unquoted, other editors may quote it. */
    private static final Pattern ID_LINE = Pattern.compile("(?m)^id:[ \\t]*['\"]?(" + UUID.pattern() + ")['\"]?[ \\t]*(#.*)?\\r?$");

    private SigmaHqSelection() {
    }

    /** The ids the manifest selects, in its order. */
    static List<String> manifestIds() {
        List<String> ids = new ArrayList<>();
        String text = OwnRules.resource(MANIFEST);
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
        // Each file read once: its id decides whether it is wanted, and its text is kept when it is.
        Map<String, RuleSource> found = new LinkedHashMap<>();
        for (String id : wanted) found.put(id, null);
        for (Path file : ruleFiles(dir)) {
            String text;
            try {
                text = RuleFiles.read(file);
            } catch (RuleException e) {
                continue; // not one the manifest can name; a wanted one missing is reported below
            }
            Matcher m = ID_LINE.matcher(text);
            String id = m.find() ? m.group(1).toLowerCase(java.util.Locale.ROOT) : null;
            if (id != null && found.containsKey(id) && found.get(id) == null) {
                String relative = dir.relativize(file).toString().replace('\\', '/');
                found.put(id, new RuleSource(ShippedRules.ORIGIN, "sigmahq/" + relative, text));
            }
        }
        List<String> missing = found.entrySet().stream().filter(e -> e.getValue() == null).map(Map.Entry::getKey).toList();
        if (!missing.isEmpty()) {
            log.warn("{} of the {} SigmaHQ rules the project runs are not in {} (another SigmaHQ release?): {}{}",
                    missing.size(), wanted.size(), dir, missing.subList(0, Math.min(20, missing.size())),
                    missing.size() > 20 ? " and " + (missing.size() - 20) + " more" : "");
        }
        return found.values().stream().filter(java.util.Objects::nonNull).toList();
    }

    /** The rule files of a SigmaHQ folder, those under {@code deprecated/} left out. */
    private static List<Path> ruleFiles(Path dir) {
        try {
            return RuleFiles.list(dir).stream().filter(p -> !deprecated(dir.relativize(p))).toList();
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException(ShippedRules.SIGMA_DIR + ": " + dir + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static boolean deprecated(Path relative) {
        for (Path part : relative) if (part.toString().equals("deprecated")) return true;
        return false;
    }
}
