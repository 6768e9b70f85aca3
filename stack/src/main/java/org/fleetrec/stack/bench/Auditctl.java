package org.fleetrec.stack.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The kernel audit settings and rules as {@code auditctl} (package auditd) shows and changes them.
 * Only rules carrying a given key are ever deleted, one by one; never {@code auditctl -D}.
 */
final class Auditctl {
    /** The status fields the bench may change and restores: enabled last. */
    static final List<String> RESTORED = List.of("failure", "backlog_limit", "backlog_wait_time", "rate_limit", "enabled");

    private final String auditctl;

    Auditctl(String auditctl) {
        this.auditctl = auditctl;
    }

    /** {@code auditctl -s} as numbers: enabled, failure, pid, rate_limit, backlog_limit, lost, backlog, backlog_wait_time… */
    Map<String, Long> status() throws IOException {
        Map<String, Long> status = new LinkedHashMap<>();
        for (String line : run("-s")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length < 2) continue;
            try {
                status.put(parts[0], Long.parseLong(parts[1]));
            } catch (NumberFormatException e) {
                // a field that is not a number (there is none today)
            }
        }
        if (!status.containsKey("enabled") || !status.containsKey("lost")) {
            throw new IOException("unexpected output of auditctl -s: " + status);
        }
        return status;
    }

    /** {@code auditctl -l}, one rule a line in auditctl's own syntax; empty when there are none. */
    List<String> rules() throws IOException {
        List<String> rules = new ArrayList<>();
        for (String line : run("-l")) {
            if (line.isBlank() || line.startsWith("No rules")) continue;
            rules.add(line.trim());
        }
        return rules;
    }

    static boolean hasKey(String rule, String key) {
        for (String word : rule.split("\\s+")) {
            if (word.equals("key=" + key)) return true;
        }
        return rule.matches(".*\\s-k\\s+" + java.util.regex.Pattern.quote(key) + "(\\s.*)?");
    }

    List<String> rulesWithKey(String key) throws IOException {
        return rules().stream().filter(r -> hasKey(r, key)).toList();
    }

    /** Adds one rule given in {@code auditctl -l} syntax ({@code -a …}, {@code -A …} or {@code -w …}). */
    void add(String rule) throws IOException {
        run(words(rule));
    }

    /** Deletes one rule given as {@code auditctl -l} prints it: {@code -a X} becomes {@code -d X}, {@code -w P} {@code -W P}. */
    void delete(String rule) throws IOException {
        List<String> words = new ArrayList<>(words(rule));
        switch (words.get(0)) {
            case "-a", "-A" -> words.set(0, "-d");
            case "-w" -> words.set(0, "-W");
            default -> throw new IOException("cannot delete a rule of this form: " + rule);
        }
        run(words);
    }

    /** Deletes every rule with this key (and only those); returns how many. */
    int deleteWithKey(String key) throws IOException {
        int n = 0;
        for (String rule : rulesWithKey(key)) {
            delete(rule);
            n++;
        }
        return n;
    }

    /** Sets the kernel's tunables the way auditctl names them. */
    void set(String field, long value) throws IOException {
        String option = switch (field) {
            case "enabled" -> "-e";
            case "failure" -> "-f";
            case "backlog_limit" -> "-b";
            case "backlog_wait_time" -> "--backlog_wait_time";
            case "rate_limit" -> "-r";
            default -> throw new IllegalArgumentException("not settable: " + field);
        };
        run(option, Long.toString(value));
    }

    /** Puts back every restorable field of {@code original} that differs now; returns what was changed. */
    List<String> restore(Map<String, Long> original) throws IOException {
        List<String> changed = new ArrayList<>();
        Map<String, Long> now = status();
        for (String field : RESTORED) {
            Long want = original.get(field);
            if (want != null && !want.equals(now.get(field))) {
                set(field, want);
                changed.add(field + " " + now.get(field) + "→" + want);
            }
        }
        return changed;
    }

    private static List<String> words(String rule) {
        return List.of(rule.trim().split("\\s+"));
    }

    private List<String> run(String... args) throws IOException {
        return run(List.of(args));
    }

    private List<String> run(List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(auditctl);
        command.addAll(args);
        try {
            // Read from a pipe, not a temporary file: /tmp is one of the agent's watched folders.
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within 30 s");
            }
            List<String> lines = output.lines().toList();
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): "
                        + String.join(" / ", lines));
            }
            return lines;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running auditctl", e);
        }
    }
}
