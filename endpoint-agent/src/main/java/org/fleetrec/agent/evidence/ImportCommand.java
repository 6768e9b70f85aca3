package org.fleetrec.agent.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.agent.AgentConfig;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.ServerTrust;
import org.fleetrec.model.TerminalText;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code agent import}: evidence collected elsewhere (audit logs, Sysmon exports, .evtx) into the
 * fleet, each record under the machine it came from, with a summary of what was read, made,
 * skipped and refused, and why.
 */
public final class ImportCommand {
    static final String USAGE = """
            usage: fleetrec agent import [--host NAME] [--dry-run] [--json] <file or folder>...
              Reads audit.log (raw or ENRICHED), Sysmon event XML, Winlogbeat or flat (NXLog/OTRF) JSON, and .evtx,
              plain or gzip, told apart by content; folders are read recursively. Each machine named in the
              evidence (Sysmon Computer, audit node=) becomes a host of its own; --host names the machine of
              records that name none (plain audit logs). Importing again stores nothing twice.
              --dry-run   read and map only: print the summary, ship nothing
              --json      print the summary as JSON (for scripts)
            environment: FLEETREC_INGEST_URL, FLEETREC_ENROLLMENT_SECRET, FLEETREC_INGEST_CA / FLEETREC_INGEST_PIN;
                         unset, they are read from the running stack's FLEETREC_STACK_FILE (./fleetrec sets it)
            exit status: 0 every record stored or skipped for a stated reason, 1 some failed or were refused, 2 usage
            """;

    /** What the command line asked for. */
    record Options(List<Path> inputs, String host, boolean dryRun, boolean json) {
    }

    private ImportCommand() {
    }

    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("import: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (options == null) {
            out.print(USAGE);
            return 0;
        }
        List<Path> files;
        try {
            files = expand(options.inputs());
        } catch (IOException | UncheckedIOException e) {
            err.println("import: " + e.getMessage());
            return 2;
        }
        ImportSummary summary = new ImportSummary();
        try {
            EvidenceShipper shipper = options.dryRun() ? null : shipper(env, summary);
            ImportProgress progress = System.console() != null && !options.json()
                    ? new ImportProgress(err, files.stream().mapToLong(ImportCommand::size).sum()) : ImportProgress.none();
            new Importer(options.host()).importAll(files, new ImportRun(summary, shipper, progress), progress, summary);
            if (shipper != null) shipper.flush();
            progress.end();
        } catch (IllegalArgumentException e) {
            err.println("import: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("import stopped: " + TerminalText.safe(e.getMessage()));
            report(summary, options, out);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("import interrupted");
            return 1;
        }
        report(summary, options, out);
        return summary.clean() ? 0 : 1;
    }

    private static void report(ImportSummary summary, Options options, PrintStream out) {
        if (options.json()) {
            out.println(summary.json().toPrettyString());
        } else {
            summary.print(out, !options.dryRun());
        }
    }

    static Options parse(List<String> args) {
        List<Path> inputs = new ArrayList<>();
        String host = null;
        boolean dryRun = false;
        boolean json = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--help", "-h" -> {
                    return null;
                }
                case "--dry-run" -> dryRun = true;
                case "--json" -> json = true;
                case "--host" -> {
                    if (i + 1 >= args.size()) throw new IllegalArgumentException("--host needs a name");
                    host = args.get(++i);
                    EvidenceHost.named(host, "linux"); // refuses an unusable name before any work
                }
                default -> {
                    if (arg.startsWith("--")) throw new IllegalArgumentException("unknown option " + arg);
                    inputs.add(Path.of(arg));
                }
            }
        }
        if (inputs.isEmpty()) throw new IllegalArgumentException("no file or folder to import");
        return new Options(List.copyOf(inputs), host, dryRun, json);
    }

    /** Every regular file named or under a named folder, in a stable order; a missing input is an error before any work. */
    static List<Path> expand(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                try (Stream<Path> walk = Files.walk(input)) {
                    walk.filter(Files::isRegularFile).sorted().forEach(files::add);
                }
            } else if (Files.isRegularFile(input)) {
                files.add(input);
            } else {
                throw new IOException("no such file or folder: " + input);
            }
        }
        return files;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /** The ingest server to ship to: from the environment, else from the running stack's file. */
    static EvidenceShipper shipper(Map<String, String> env, ImportSummary summary) throws IOException {
        String url = env.get("FLEETREC_INGEST_URL");
        String secret = env.get("FLEETREC_ENROLLMENT_SECRET");
        ServerTrust trust = ServerTrust.fromEnvironment(env, "FLEETREC_INGEST");
        String stackFile = env.get("FLEETREC_STACK_FILE");
        if ((url == null || secret == null) && stackFile != null && Files.exists(Path.of(stackFile))) {
            JsonNode stack = EventCodec.mapper().readTree(Path.of(stackFile).toFile());
            if (url == null) url = stack.path("ingest").asText(null);
            if (secret == null) secret = stack.path("enrollmentSecret").asText(null);
            if (trust.caFile() == null && trust.pin() == null && stack.hasNonNull("ingestCa")) {
                trust = new ServerTrust(Path.of(stack.path("ingestCa").asText()), null);
            }
        }
        List<URI> urls = AgentConfig.ingestUrls(url);
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("no ingest server: set FLEETREC_INGEST_URL, start the stack (./fleetrec up), or use --dry-run");
        }
        if (secret == null || secret.isBlank()) throw new IllegalArgumentException("no enrollment secret: set FLEETREC_ENROLLMENT_SECRET");
        HttpClient http = trust.configure(HttpClient.newBuilder()).connectTimeout(Duration.ofSeconds(10)).build();
        return new EvidenceShipper(urls.get(0), secret, http, summary);
    }
}
