package org.fleetrec.agent.rules;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * {@code rules add|list|remove}: edits this host's user rules file; the running agent notices the change and
 * applies it to the kernel (it writes the outcome to user-rules-status.json, which {@code list} shows).
 * Exit codes: 0 done, 1 refused or failed (reason on err), 2 usage.
 */
public final class RulesCommand {
    static final String USAGE = """
            usage: rules <command>
              rules add '<rule>'        add an audit rule, auditctl syntax, -a/-A only, e.g.
                                        rules add '-a always,exit -F arch=b64 -S openat -F dir=/etc -F perm=w -k etc-write'
                                        (a rule without -k gets -k %s)
              rules list                the rules, and whether the running agent applied them
              rules remove <id|rule>    remove a rule by its id (see list) or its exact text
            """.formatted(UserRules.KEY);

    private RulesCommand() {
    }

    /** {@code args} are the words after {@code rules} (a leading "rules" is tolerated). */
    public static int run(List<String> args, Path stateDir, PrintStream out, PrintStream err) {
        return run(args, new UserRules(stateDir), stateDir, out, err);
    }

    static int run(List<String> args, UserRules rules, Path stateDir, PrintStream out, PrintStream err) {
        List<String> a = !args.isEmpty() && args.get(0).equals("rules") ? args.subList(1, args.size()) : args;
        String command = a.isEmpty() ? "" : a.get(0);
        List<String> rest = a.isEmpty() ? List.of() : a.subList(1, a.size());
        try {
            switch (command) {
                case "add" -> {
                    if (rest.isEmpty()) {
                        return usage(err, "rules add needs the rule text");
                    }
                    // Unquoted rules arrive as many words; quoted ones as one. Either way one line.
                    UserRules.Entry e = rules.add(String.join(" ", rest));
                    out.println("added rule " + e.id() + ": " + e.text());
                    out.println("a running agent applies it within seconds; check with 'rules list'");
                    return 0;
                }
                case "remove" -> {
                    if (rest.isEmpty()) {
                        return usage(err, "rules remove needs a rule id or text");
                    }
                    UserRules.Entry e = rules.remove(String.join(" ", rest));
                    out.println("removed rule " + e.id() + ": " + e.text());
                    return 0;
                }
                case "list" -> {
                    if (!rest.isEmpty()) {
                        return usage(err, "rules list takes no arguments");
                    }
                    list(rules, stateDir, out);
                    return 0;
                }
                case "help", "--help", "-h" -> {
                    out.print(USAGE);
                    return 0;
                }
                default -> {
                    return usage(err, command.isEmpty() ? "missing command" : "unknown command '" + command + "'");
                }
            }
        } catch (UserRules.Refused e) {
            err.println("refused: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("failed: " + e.getMessage());
            return 1;
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println(problem);
        err.print(USAGE);
        return 2;
    }

    private static void list(UserRules rules, Path stateDir, PrintStream out) throws IOException {
        List<UserRules.Entry> entries = rules.list();
        if (entries.isEmpty()) {
            out.println("no user rules");
        } else {
            int width = Math.max(2, entries.stream().mapToInt(e -> e.id().length()).max().orElse(2));
            out.printf("%-" + width + "s  %-20s  %s%n", "ID", "ADDED", "RULE");
            for (UserRules.Entry e : entries) {
                String added = e.added() == null ? "-" : e.added().truncatedTo(ChronoUnit.SECONDS).toString();
                out.printf("%-" + width + "s  %-20s  %s%n", e.id(), added, e.text());
            }
        }
        out.println(statusLine(stateDir, rules.file()));
    }

    /** Whether the running agent has applied the current file, from the status it writes after each sync. */
    static String statusLine(Path stateDir, Path rulesFile) throws IOException {
        Optional<UserRuleStatus> status = UserRuleStatus.read(stateDir);
        if (status.isEmpty()) {
            return "agent: no status yet (no agent has applied user rules on this host)";
        }
        UserRuleStatus s = status.get();
        String when = s.appliedAt().truncatedTo(ChronoUnit.SECONDS).toString();
        Instant changed = Files.exists(rulesFile) ? Files.getLastModifiedTime(rulesFile).toInstant() : null;
        if (changed != null && changed.isAfter(s.appliedAt())) {
            return "agent: changes not applied yet (last applied " + when + (s.ok() ? "" : ", refused: " + s.reason())
                    + "); a running agent picks them up within seconds";
        }
        return s.ok() ? "agent: applied at " + when
                : "agent: refused at " + when + ": " + s.reason();
    }
}
