package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import org.fleetrec.detection.alert.Alert;
import org.fleetrec.detection.alert.AlertGrouper;
import org.fleetrec.detection.hunt.HuntLimits;
import org.fleetrec.detection.hunt.HuntRange;
import org.fleetrec.detection.hunt.HuntRefused;
import org.fleetrec.detection.hunt.HuntResult;
import org.fleetrec.detection.hunt.HuntRule;
import org.fleetrec.detection.hunt.RetroHunt;
import org.fleetrec.detection.hunt.RuleTrial;
import org.fleetrec.detection.rules.CatalogException;
import org.fleetrec.detection.rules.RuleCatalog;
import org.fleetrec.detection.rules.RuleEntry;
import org.fleetrec.detection.rules.RuleState;
import org.fleetrec.detection.sigma.RuleException;
import org.fleetrec.detection.sigma.RuleFiles;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.TerminalText;
import org.fleetrec.model.TimeBound;
import org.fleetrec.templates.TemplateInstaller;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rule catalogue from a shell: list, show, add, enable, disable, retire, and test a rule on
 * events or over stored history. It works on the catalogue
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
                   ingest-server rules test <file.yml|id> --events <file>
                                                                  try a rule on event documents (a JSON array, or one a line)
                   ingest-server rules test <file.yml|id> [--from T] [--to T] [--host H] [--max-results N] [--json]
                                                                  hunt it over stored events (default: the last 24 hours;
                                                                  T: an ISO-8601 time, a date, now or now-<n><s|m|h|d|w>)
            """;
    private static final Set<String> LIST_OPTIONS = Set.of("--state", "--origin", "--level", "--text");
    private static final Set<String> TEST_OPTIONS = Set.of("--events", "--from", "--to", "--host", "--max-results");
    /** Event files are read whole: as many documents as a trial takes, of a size a shell user hands over. */
    private static final long MAX_EVENTS_FILE_BYTES = 64L << 20;

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
                case "test" -> {
                    return test(rest, json, out, err);
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
        } catch (HuntRefused e) {
            err.println("refused: " + TerminalText.safe(e.getMessage()));
            return 1;
        }
    }

    /**
     * A rule (a file, else a catalogue id) tried on event documents, or hunted over stored events as
     * {@code POST /api/v1/rules/test} does. 0 when it ran, whatever it found; 1 when the rule or range is refused.
     */
    private int test(List<String> args, boolean json, PrintStream out, PrintStream err)
            throws IOException, Usage, HuntRefused, RuleException {
        if (args.size() < 2) throw new Usage("rules test needs a rule file or id");
        Map<String, String> options = new java.util.HashMap<>();
        for (int i = 2; i < args.size(); i += 2) {
            String option = args.get(i);
            if (!TEST_OPTIONS.contains(option) || i + 1 >= args.size()) throw new Usage("rules test does not take " + TerminalText.safe(option));
            options.put(option, args.get(i + 1));
        }
        String ruleArg = args.get(1);
        String yaml;
        if (Files.isRegularFile(Path.of(ruleArg))) {
            yaml = RuleFiles.read(Path.of(ruleArg));
        } else {
            RuleEntry entry = catalog.get(ruleArg).orElse(null);
            if (entry == null || entry.yaml() == null) {
                err.println("no rule file or catalogue rule " + TerminalText.safe(ruleArg));
                return 1;
            }
            yaml = entry.yaml();
        }
        HuntRule rule = HuntRule.parse(yaml);
        String title = TerminalText.safe(rule.ref().title()) + " (" + TerminalText.safe(rule.ref().id()) + ")";
        if (options.containsKey("--events")) {
            if (options.size() > 1) throw new Usage("give --events, or a range to hunt over, not both");
            List<RuleTrial.Outcome> outcomes = RuleTrial.run(rule, events(Path.of(options.get("--events"))));
            long matched = outcomes.stream().filter(RuleTrial.Outcome::matched).count();
            if (json) {
                var array = EventCodec.mapper().createArrayNode();
                for (RuleTrial.Outcome o : outcomes) {
                    var item = array.addObject().put("index", o.index()).put("matched", o.matched());
                    if (o.note() != null) item.put("note", o.note());
                }
                out.println(EventCodec.mapper().writeValueAsString(array));
                return 0;
            }
            out.println(title + ": " + matched + " of " + outcomes.size() + " events match");
            for (RuleTrial.Outcome o : outcomes) {
                out.println("  event " + (o.index() + 1) + ": " + (o.matched() ? "matches" : "no match")
                        + (o.note() == null ? "" : " (" + TerminalText.safe(o.note()) + ")"));
            }
            return 0;
        }
        Instant now = Instant.now();
        HuntRange range;
        HuntLimits limits;
        try {
            Instant to = options.containsKey("--to") ? TimeBound.parse(options.get("--to"), now) : now;
            // As the web app's hunt: the last 24 hours unless told otherwise, whatever the end.
            Instant from = TimeBound.parse(options.getOrDefault("--from", "now-24h"), now);
            // Elasticsearch keeps milliseconds
            range = HuntRange.of(from.truncatedTo(ChronoUnit.MILLIS), to.truncatedTo(ChronoUnit.MILLIS));
            HuntLimits defaults = HuntLimits.defaults();
            limits = !options.containsKey("--max-results") ? defaults
                    : new HuntLimits(defaults.maxEvents(), Integer.parseInt(options.get("--max-results")), defaults.maxTime());
        } catch (IllegalArgumentException e) {
            throw new Usage(e.getMessage());
        }
        HuntResult result = new RetroHunt(client, AlertGrouper.Limits.fromEnvironment(System.getenv()))
                .run(rule, range, options.get("--host"), limits);
        if (json) {
            var answer = EventCodec.mapper().createObjectNode();
            answer.put("from", range.from().toString()).put("to", range.to().toString()).put("exact", result.exact())
                    .put("query_hits", result.queryHits()).put("scanned", result.scanned()).put("confirmed", result.confirmed());
            if (result.truncated() != null) answer.put("truncated_reason", result.truncated().id());
            var results = answer.putArray("results");
            result.alerts().forEach(a -> results.add(a.document()));
            out.println(EventCodec.mapper().writeValueAsString(answer));
            return 0;
        }
        out.println(title + ", " + range.from() + " to " + range.to() + ": " + result.confirmed() + " events match ("
                + result.queryHits() + " found by the " + (result.exact() ? "exact" : "wider") + " query, " + result.scanned()
                + " read), " + result.alerts().size() + " results");
        if (result.truncated() != null) {
            out.println("stopped at " + result.truncated().description()
                    + (result.scannedUntil() == null ? "" : "; events after " + result.scannedUntil() + " were not read"));
        }
        for (Alert alert : result.alerts()) {
            var doc = alert.document();
            String what = firstText(doc, "process.command_line", "file.path", "destination.ip", "process.executable");
            out.printf("  %s  %-8s  %s  x%d  %s%n", alert.firstSeen(), alert.level().id(), TerminalText.safe(alert.hostName()),
                    doc.path("fleet").path("alert").path("count").asLong(1), TerminalText.safe(what));
        }
        return 0;
    }

    private static String firstText(com.fasterxml.jackson.databind.JsonNode doc, String... paths) {
        for (String path : paths) {
            var node = doc.at("/" + path.replace('.', '/'));
            if (node.isValueNode() && !node.asText().isEmpty()) return node.asText();
        }
        return "";
    }

    /** Event documents from a file: a JSON array, or one document a line. */
    private static List<com.fasterxml.jackson.databind.JsonNode> events(Path file) throws IOException, Usage {
        if (Files.size(file) > MAX_EVENTS_FILE_BYTES) throw new Usage(file + " is larger than " + MAX_EVENTS_FILE_BYTES + " bytes");
        String text = Files.readString(file).strip();
        List<com.fasterxml.jackson.databind.JsonNode> events = new java.util.ArrayList<>();
        try {
            if (text.startsWith("[")) {
                EventCodec.mapper().readTree(text).forEach(events::add);
            } else {
                for (String line : text.split("\n")) {
                    if (!line.isBlank()) events.add(EventCodec.mapper().readTree(line));
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Usage(file + " is not JSON event documents: " + e.getOriginalMessage());
        }
        return events;
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
