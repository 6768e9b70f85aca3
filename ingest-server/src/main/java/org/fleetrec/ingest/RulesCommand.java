package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import org.fleetrec.detection.rules.CatalogException;
import org.fleetrec.detection.rules.RuleCatalog;
import org.fleetrec.detection.rules.RuleEntry;
import org.fleetrec.detection.rules.RuleState;
import org.fleetrec.detection.sigma.RuleException;
import org.fleetrec.detection.sigma.RuleFiles;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.TerminalText;
import org.fleetrec.templates.TemplateInstaller;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The rule catalogue from a shell: list, show, add, enable, disable, retire. It works on the catalogue
 * in Elasticsearch, as the web app does; running ingest servers follow within their refresh time.
 * Exit status 0 done, 1 refused or not found, 2 not understood.
 */
final class RulesCommand {
    static final String USAGE = """
                   ingest-server rules list [--state S] [--origin O] [--level L] [--text T] [--json]
                   ingest-server rules show <id> [--json]         a rule with its YAML
                   ingest-server rules add <file.yml>             an analyst's rule (it needs an id no other rule holds)
                   ingest-server rules enable|disable <id>
                   ingest-server rules retire <id>                an added rule stops for good, and stays listed
            """;
    private static final Set<String> LIST_OPTIONS = Set.of("--state", "--origin", "--level", "--text");

    /** A command line not understood. */
    private static final class Usage extends Exception {
        Usage(String message) {
            super(message);
        }
    }

    private final ElasticsearchClient client;
    private final RuleCatalog catalog;
    private final String by;

    RulesCommand(ElasticsearchClient client, String by) {
        this.client = client;
        this.catalog = new RuleCatalog(client);
        this.by = by;
    }

    /** {@code args} after {@code rules}. */
    int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        try {
            if (args.isEmpty()) throw new Usage("a rules command is missing");
            boolean json = args.contains("--json");
            List<String> rest = args.stream().filter(a -> !a.equals("--json")).toList();
            switch (rest.get(0)) {
                case "list" -> list(rest, json, out);
                case "show" -> {
                    String key = single(rest);
                    RuleEntry entry = catalog.get(key).orElse(null);
                    if (entry == null) {
                        err.println("no rule " + TerminalText.safe(key));
                        return 1;
                    }
                    show(entry, json, out);
                }
                case "add" -> {
                    String yaml = RuleFiles.read(Path.of(single(rest)));
                    new TemplateInstaller(client).install(); // the strict mapping before the index's first document
                    RuleEntry added = catalog.add(yaml, by);
                    out.println("added " + TerminalText.safe(added.key()) + " (" + TerminalText.safe(added.title())
                            + "); ingest servers run it within their refresh time");
                }
                case "enable", "disable", "retire" -> {
                    RuleState state = switch (rest.get(0)) {
                        case "enable" -> RuleState.ENABLED;
                        case "disable" -> RuleState.DISABLED;
                        default -> RuleState.RETIRED;
                    };
                    RuleEntry changed = catalog.setState(single(rest), state, by);
                    out.println(TerminalText.safe(changed.key()) + " " + changed.state().id());
                }
                default -> throw new Usage("unknown rules command " + TerminalText.safe(rest.get(0)));
            }
            return 0;
        } catch (Usage | IllegalArgumentException e) {
            err.println("rules: " + e.getMessage());
            err.print(AdminCommand.USAGE);
            return 2;
        } catch (CatalogException e) {
            err.println("refused: " + TerminalText.safe(e.reason()));
            return 1;
        } catch (RuleException e) {
            err.println("refused: " + TerminalText.safe(e.reason()));
            return 1;
        }
    }

    private void list(List<String> args, boolean json, PrintStream out) throws IOException, Usage {
        String state = null;
        String origin = null;
        String level = null;
        String text = null;
        for (int i = 1; i < args.size(); i += 2) {
            String option = args.get(i);
            if (!LIST_OPTIONS.contains(option) || i + 1 >= args.size()) throw new Usage("rules list does not take " + TerminalText.safe(option));
            String value = args.get(i + 1);
            switch (option) {
                case "--state" -> state = value;
                case "--origin" -> origin = value;
                case "--level" -> level = value;
                default -> text = value;
            }
        }
        List<RuleEntry> rules = catalog.list(new RuleCatalog.Filter(state == null ? null : RuleState.parse(state), origin, level, text));
        if (json) {
            var array = EventCodec.mapper().createArrayNode();
            rules.forEach(r -> array.add(r.json()));
            out.println(EventCodec.mapper().writeValueAsString(array));
            return;
        }
        out.printf("%-36s  %-8s  %-7s  %-13s  %s%n", "ID", "STATE", "ORIGIN", "LEVEL", "TITLE");
        for (RuleEntry r : rules) {
            String title = r.title() != null ? r.title() : r.source();
            out.printf("%-36s  %-8s  %-7s  %-13s  %s%s%n", TerminalText.safe(r.key()), r.state().id(), TerminalText.safe(r.origin()),
                    r.level() == null ? "-" : TerminalText.safe(r.level()), TerminalText.safe(title),
                    r.loaded() ? "" : "  [not loaded: " + TerminalText.safe(r.refusal()) + "]");
        }
    }

    private static void show(RuleEntry r, boolean json, PrintStream out) throws IOException {
        if (json) {
            out.println(EventCodec.mapper().writeValueAsString(r.json()));
            return;
        }
        out.println("id:        " + TerminalText.safe(r.key()));
        out.println("title:     " + TerminalText.safe(r.title()));
        out.println("level:     " + TerminalText.safe(r.level()));
        out.println("tags:      " + TerminalText.safe(String.join(", ", r.tags())));
        out.println("logsource: " + (r.logsource() == null ? "" : TerminalText.safe(r.logsource().toString())));
        out.println("origin:    " + TerminalText.safe(r.origin()) + " (" + TerminalText.safe(r.source()) + ")");
        out.println("state:     " + r.state().id());
        out.println("loaded:    " + (r.loaded() ? "yes" : "no: " + TerminalText.safe(r.refusal())));
        if (r.added() != null) out.println("added:     " + TerminalText.safe(r.added().at()) + " by " + TerminalText.safe(r.added().by()));
        if (r.changed() != null) out.println("changed:   " + TerminalText.safe(r.changed().at()) + " by " + TerminalText.safe(r.changed().by()));
        out.println("---");
        if (r.yaml() == null) {
            out.println("(no text kept: the file was too large)");
        } else {
            r.yaml().lines().forEach(line -> out.println(TerminalText.safe(line)));
        }
    }

    private static String single(List<String> args) throws Usage {
        if (args.size() != 2) throw new Usage("rules " + TerminalText.safe(args.get(0)) + " takes one argument");
        return args.get(1);
    }
}
