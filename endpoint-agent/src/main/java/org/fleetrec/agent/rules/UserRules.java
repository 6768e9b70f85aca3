package org.fleetrec.agent.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import org.fleetrec.agent.audit.rule.AuditRuleData;
import org.fleetrec.agent.audit.rule.AuditRuleParser;
import org.fleetrec.agent.audit.rule.AuditRuleSyntaxException;
import org.fleetrec.agent.audit.rule.RuleField;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The user-defined audit rules of this host, kept in {@code <stateDir>/user-rules.json} as a list of
 * {@code {id, text, added}}. The text is what the user typed (plus {@code -k fleetrec-user} when it had no
 * key), so what {@code rules list} shows is what the agent installs. Adding validates as far as possible
 * without touching the kernel: the rule parses, is an {@code -a}/{@code -A} rule, watches only paths that
 * exist here, and is not already in the set. The running agent re-reads the file when it changes.
 */
public final class UserRules {
    /** Key given to rules the user left without one, so the agent can always find its user rules. */
    public static final String KEY = "fleetrec-user";
    public static final String FILE_NAME = "user-rules.json";
    private static final int MAX_TEXT = 8192;
    /** Serialises read-modify-write inside one JVM; the file lock does it across processes. */
    private static final Object JVM_LOCK = new Object();

    /** One rule of the set. */
    public record Entry(String id, String text, Instant added) {
    }

    /** The set as the agent applies it: parsed rules in file order, and how to name each in messages. */
    public record Loaded(List<Entry> entries, List<AuditRuleData> rules) {
        /** {@code rule 3 (-a always,exit ...)} for one of these rules; the kernel form for others. */
        public String describe(AuditRuleData rule) {
            int i = rules.indexOf(rule);
            return i < 0 ? rule.toString() : "rule " + entries.get(i).id() + " (" + entries.get(i).text() + ")";
        }
    }

    /** A change that was not made; the message says why, for the user. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message);
        }
    }

    private final Path stateDir;
    private final AuditRuleParser parser;

    public UserRules(Path stateDir) {
        this(stateDir, AuditRuleParser.forThisHost());
    }

    public UserRules(Path stateDir, AuditRuleParser parser) {
        this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
        this.parser = Objects.requireNonNull(parser, "parser");
    }

    public static Path file(Path stateDir) {
        return stateDir.resolve(FILE_NAME);
    }

    public Path file() {
        return file(stateDir);
    }

    public List<Entry> list() throws IOException {
        JsonNode root = JsonFiles.read(file());
        if (root == null) {
            return List.of();
        }
        if (!root.isArray()) {
            throw new IOException(file() + " must hold a JSON list of rules");
        }
        List<Entry> out = new ArrayList<>();
        for (JsonNode n : root) {
            if (!n.path("id").isTextual() || !n.path("text").isTextual()) {
                throw new IOException(file() + ": every rule needs a text id and text, found " + n);
            }
            Instant added;
            try {
                added = n.hasNonNull("added") ? Instant.parse(n.path("added").asText()) : null;
            } catch (DateTimeParseException e) {
                throw new IOException(file() + ": rule " + n.path("id").asText() + " has a bad 'added' time", e);
            }
            out.add(new Entry(n.path("id").asText(), n.path("text").asText(), added));
        }
        return out;
    }

    /**
     * Parses every rule for the agent. If any no longer parses (say a user named in it was deleted), the whole
     * set is refused, as a kernel refusal would be, so the agent keeps the last set that worked.
     */
    public Loaded load() throws IOException, Refused {
        List<Entry> entries = list();
        List<AuditRuleData> rules = new ArrayList<>();
        for (Entry e : entries) {
            try {
                rules.add(parser.parse(e.text()));
            } catch (AuditRuleSyntaxException ex) {
                throw new Refused("rule " + e.id() + " (" + e.text() + ") no longer parses: " + ex.getMessage());
            }
        }
        return new Loaded(entries, rules);
    }

    /** Validates and adds one rule; returns it as stored (with the key added if it had none). */
    public Entry add(String text) throws IOException, Refused {
        String line = text == null ? "" : text.strip();
        if (line.length() > MAX_TEXT) {
            throw new Refused("the rule is longer than " + MAX_TEXT + " characters");
        }
        AuditRuleData rule = parse(line);
        checkPathsExist(rule);
        // Our key rides along with the user's own, so a crashed agent's copies can always be found.
        if (!rule.hasKey(KEY)) {
            line = line + " -k " + KEY;
            rule = parse(line);
        }
        AuditRuleData stored = rule.stored();
        synchronized (JVM_LOCK) {
            try (HeldLock ignored = lock()) {
                List<Entry> entries = list();
                int max = 0;
                for (Entry e : entries) {
                    if (e.text().equals(line) || stored.equals(storedFormOrNull(e.text()))) {
                        throw new Refused("this rule is already in the set as rule " + e.id() + ": " + e.text());
                    }
                    max = Math.max(max, numericId(e.id()));
                }
                Entry entry = new Entry(Integer.toString(max + 1), line, Instant.now());
                List<Entry> updated = new ArrayList<>(entries);
                updated.add(entry);
                write(updated);
                return entry;
            }
        }
    }

    /** Removes the rule with this id, or with exactly this text (with or without the key we added). */
    public Entry remove(String idOrText) throws IOException, Refused {
        String wanted = idOrText == null ? "" : idOrText.strip();
        synchronized (JVM_LOCK) {
            try (HeldLock ignored = lock()) {
                List<Entry> entries = new ArrayList<>(list());
                for (Entry e : entries) {
                    if (e.id().equals(wanted) || e.text().equals(wanted) || e.text().equals(wanted + " -k " + KEY)) {
                        entries.remove(e);
                        write(entries);
                        return e;
                    }
                }
            }
        }
        throw new Refused("no user rule with id or text '" + wanted + "' (see 'rules list')");
    }

    private AuditRuleData parse(String line) throws Refused {
        try {
            return parser.parse(line);
        } catch (AuditRuleSyntaxException e) {
            throw new Refused(e.getMessage());
        }
    }

    private AuditRuleData storedFormOrNull(String text) {
        try {
            return parser.parse(text).stored();
        } catch (AuditRuleSyntaxException e) {
            return null; // a rule that no longer parses cannot be the same kernel rule
        }
    }

    /** The kernel would accept a watch on a missing file, but a typo would then silently record nothing. */
    private static void checkPathsExist(AuditRuleData rule) throws Refused {
        for (AuditRuleData.Field f : rule.fields()) {
            if (f.field() == RuleField.WATCH || f.field() == RuleField.DIR) {
                String name = f.field() == RuleField.WATCH ? "path" : "dir";
                if (!Files.exists(Path.of(f.text()))) {
                    throw new Refused("'-F " + name + "=" + f.text() + "': " + f.text() + " does not exist on this host");
                }
                if (f.field() == RuleField.DIR && !Files.isDirectory(Path.of(f.text()))) {
                    throw new Refused("'-F dir=" + f.text() + "': " + f.text() + " is not a directory; use -F path= "
                            + "for a file");
                }
            }
        }
    }

    private static int numericId(String id) {
        try {
            return Integer.parseInt(id);
        } catch (NumberFormatException e) {
            return 0; // hand-edited ids do not take part in numbering
        }
    }

    /** Closing the channel releases its lock. */
    private record HeldLock(FileChannel channel) implements Closeable {
        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** Another {@code rules add} on this host waits here instead of overwriting our change. */
    private HeldLock lock() throws IOException {
        Files.createDirectories(stateDir);
        FileChannel channel = FileChannel.open(stateDir.resolve(FILE_NAME + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            channel.lock();
            return new HeldLock(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private void write(List<Entry> entries) throws IOException {
        ArrayNode array = JsonFiles.MAPPER.createArrayNode();
        for (Entry e : entries) {
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("id", e.id());
            fields.put("text", e.text());
            fields.put("added", e.added() == null ? null : e.added().toString());
            array.add(JsonFiles.MAPPER.valueToTree(fields));
        }
        JsonFiles.writeAtomically(file(), array);
    }
}
