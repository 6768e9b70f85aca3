package org.fleetrec.templates.kibana;

import org.fleetrec.model.TerminalText;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./fleetrec kibana import|export}: puts Fleet Recorder's data views, searches and dashboards
 * into a Kibana, or writes them out for the UI's own import. Exit status: 0 imported, 1 Kibana
 * refused the import or some objects, 2 usage, 3 Kibana not reached.
 */
public final class KibanaCommand {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    static final String USAGE_TEXT = """
            usage: ./fleetrec kibana import --url URL [--api-key KEY | --user USER [--password PASSWORD]]
                                            [--space ID] [--ca FILE] [--timeout SECONDS]
                   ./fleetrec kibana export > fleet-recorder.ndjson

              import   puts the data views, saved searches and dashboards into Kibana (8.x) through its saved
                       objects import API, overwriting the ones with the same ids: importing again is harmless
              export   writes the same objects as an ndjson file, for Stack Management > Saved objects > Import

              --url       Kibana's base URL, e.g. https://kibana.example:5601 (or FLEETREC_KIBANA_URL)
              --api-key   an API key, encoded (base64) or as id:key (or FLEETREC_KIBANA_API_KEY)
              --user      a user; its password from --password or FLEETREC_KIBANA_PASSWORD
              --space     a Kibana space id (default: the default space)
              --ca        PEM file of the CA that signed Kibana's certificate
              --timeout   seconds to wait for Kibana (default 60)

            Exit status: 0 all imported, 1 Kibana refused the import or some objects, 2 usage, 3 Kibana not reached.
            """;

    private static final Set<String> OPTIONS = Set.of("--url", "--api-key", "--user", "--password", "--space", "--ca", "--timeout");

    private KibanaCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "help" : args[0];
        switch (command) {
            case "export" -> {
                if (args.length > 1) return usage(err, "export takes no arguments");
                byte[] ndjson = KibanaObjects.ndjson();
                out.write(ndjson, 0, ndjson.length);
                out.flush();
                return OK;
            }
            case "import" -> {
                KibanaImporter.Target target;
                try {
                    target = target(List.of(args).subList(1, args.length), env);
                } catch (IllegalArgumentException e) {
                    return usage(err, e.getMessage());
                }
                return importInto(target, out, err);
            }
            case "help", "-h", "--help" -> {
                out.print(USAGE_TEXT);
                return OK;
            }
            default -> {
                return usage(err, "unknown command " + TerminalText.safe(command));
            }
        }
    }

    private static int importInto(KibanaImporter.Target target, PrintStream out, PrintStream err) {
        byte[] ndjson = KibanaObjects.ndjson();
        List<SavedObject> objects;
        try {
            objects = SavedObjectsNdjson.parse(new java.io.StringReader(new String(ndjson, java.nio.charset.StandardCharsets.UTF_8)),
                    KibanaObjects.RESOURCE).objects();
        } catch (java.io.IOException | IllegalArgumentException e) {
            err.println("fleetrec: the built-in saved objects are damaged: " + e.getMessage());
            return FAILED;
        }
        ImportReport report;
        try {
            report = new KibanaImporter(target).importNdjson(ndjson, KibanaObjects.RESOURCE);
        } catch (KibanaImporter.ImportFailed e) {
            err.println("fleetrec: " + e.getMessage());
            return e.exitCode();
        }
        for (String warning : report.warnings()) err.println("fleetrec: Kibana warns: " + TerminalText.safe(warning));
        for (String moved : report.newIds()) err.println("fleetrec: Kibana stored " + TerminalText.safe(moved));
        if (!report.success() || !report.failures().isEmpty()) {
            err.println("fleetrec: " + target.where() + " imported " + report.successCount() + " of " + objects.size()
                    + " saved objects; " + report.failures().size() + " failed:");
            for (ImportReport.Failure f : report.failures()) {
                err.println("  " + TerminalText.safe(f.type()) + " " + TerminalText.safe(f.id())
                        + (f.title().isEmpty() ? "" : " \"" + TerminalText.safe(f.title()) + "\"") + ": " + TerminalText.safe(f.reason()));
            }
            return FAILED;
        }
        out.println("imported " + report.successCount() + " saved objects into " + target.where());
        if (report.successCount() != objects.size()) {
            err.println("fleetrec: Kibana reports " + report.successCount() + " imported, the file holds " + objects.size());
        }
        for (SavedObject object : objects) {
            if ("dashboard".equals(object.type())) {
                out.println("  " + object.title() + ": " + target.spaceUrl() + "/app/dashboards#/view/" + object.id());
            }
        }
        return OK;
    }

    static KibanaImporter.Target target(List<String> args, Map<String, String> env) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (!OPTIONS.contains(name)) throw new IllegalArgumentException("unknown option " + TerminalText.safe(arg));
            String value;
            if (arg.contains("=")) {
                value = arg.substring(arg.indexOf('=') + 1);
            } else {
                if (i + 1 == args.size()) throw new IllegalArgumentException(name + " needs a value");
                value = args.get(++i);
            }
            options.put(name, value);
        }
        String url = options.getOrDefault("--url", blankToNull(env.get("FLEETREC_KIBANA_URL")));
        if (url == null) throw new IllegalArgumentException("--url is required (or FLEETREC_KIBANA_URL)");
        String apiKey = options.getOrDefault("--api-key", options.containsKey("--user") ? null : blankToNull(env.get("FLEETREC_KIBANA_API_KEY")));
        String user = options.get("--user");
        String password = options.getOrDefault("--password", blankToNull(env.get("FLEETREC_KIBANA_PASSWORD")));
        if (options.containsKey("--password") && user == null) throw new IllegalArgumentException("--password goes with --user");
        if (user != null && password == null) {
            throw new IllegalArgumentException("--user needs --password or FLEETREC_KIBANA_PASSWORD");
        }
        if (apiKey != null && user != null) throw new IllegalArgumentException("give --api-key or --user, not both");
        Path ca = options.containsKey("--ca") ? Path.of(options.get("--ca")) : null;
        if (ca != null && !Files.isReadable(ca)) throw new IllegalArgumentException("cannot read the CA file " + ca);
        Duration timeout;
        try {
            timeout = Duration.ofSeconds(Long.parseLong(options.getOrDefault("--timeout", "60")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--timeout is a number of seconds");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + TerminalText.safe(url));
        }
        return new KibanaImporter.Target(uri, apiKey, user, user == null ? null : password, options.get("--space"), ca, timeout);
    }

    private static int usage(PrintStream err, String problem) {
        err.println("fleetrec: " + problem);
        err.print(USAGE_TEXT);
        return USAGE;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
