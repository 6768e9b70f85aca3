package org.fleetrec.agent.store;

import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.TerminalText;
import org.sqlite.SQLiteConfig;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code agent query}: this host's recent history from monitor.db, with no server — filtered,
 * as a table or NDJSON, or as a process tree. Everything printed came from the host and may be
 * hostile: control characters are escaped so a recorded command line cannot drive the terminal.
 */
public final class QueryCommand {
    private static final String USAGE = """
            usage: fleetrec agent query [--since 10m|2h|3d|ISO] [--until …] [--dataset process,file,…] [--pid N]
                                        [--entity ID] [--executable PATH] [--path PREFIX] [--user NAME] [--text WORDS]
                                        [--limit N] [--ndjson]
                   fleetrec agent query --tree ENTITY_ID
            """;

    private QueryCommand() {
    }

    public static int run(List<String> args, Path stateDir, PrintStream out, PrintStream err) {
        Path db = stateDir.resolve("monitor.db");
        if (!Files.exists(db)) {
            err.println("no recorder database at " + db);
            return 1;
        }
        List<String> where = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        int limit = 100;
        boolean ndjson = false;
        String tree = null;
        try {
            for (int i = 0; i < args.size(); i++) {
                String option = args.get(i);
                if (option.equals("--ndjson")) {
                    ndjson = true;
                    continue;
                }
                if (i + 1 >= args.size()) throw new IllegalArgumentException(option + " needs a value");
                String value = args.get(++i);
                switch (option) {
                    case "--since" -> { where.add("ts >= ?"); values.add(time(value)); }
                    case "--until" -> { where.add("ts <= ?"); values.add(time(value)); }
                    case "--dataset" -> {
                        List<String> datasets = List.of(value.split(","));
                        where.add("dataset IN (" + String.join(",", Collections.nCopies(datasets.size(), "?")) + ")");
                        values.addAll(datasets);
                    }
                    case "--pid" -> { where.add("pid = ?"); values.add(Long.parseLong(value)); }
                    case "--entity" -> { where.add("(entity = ? OR parent = ?)"); values.add(value); values.add(value); }
                    case "--executable" -> { where.add("executable = ?"); values.add(value); }
                    case "--path" -> { where.add("path >= ? AND path < ?"); values.add(value); values.add(value + '\uffff'); }
                    case "--user" -> { where.add("user = ?"); values.add(value); }
                    case "--text" -> { where.add("instr(CAST(doc AS TEXT), ?) > 0"); values.add(value); }
                    case "--limit" -> limit = Integer.parseInt(value);
                    case "--tree" -> tree = value;
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
        } catch (IllegalArgumentException | DateTimeParseException e) {
            err.println("query: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        try (Connection connection = readOnly(db)) {
            if (tree != null) return ProcessTreePrinter.print(connection, tree, out, err);
            String sql = "SELECT doc FROM events" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                    + " ORDER BY seq DESC LIMIT ?";
            List<JsonNode> docs = new ArrayList<>();
            try (PreparedStatement q = connection.prepareStatement(sql)) {
                for (int i = 0; i < values.size(); i++) q.setObject(i + 1, values.get(i));
                q.setInt(values.size() + 1, limit);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) docs.add(EventCodec.mapper().readTree(rs.getBytes(1)));
                }
            }
            Collections.reverse(docs); // oldest first: a replay reads forward
            if (ndjson) {
                docs.forEach(d -> out.println(d.toString()));
            } else {
                out.printf("%-24s %-8s %-24s %7s %-10s %-16s %s%n", "TIME (UTC)", "DATASET", "ACTION", "PID", "USER", "PROCESS", "DETAIL");
                for (JsonNode d : docs) {
                    out.printf("%-24s %-8s %-24s %7s %-10s %-16s %s%n", TerminalText.safe(d.path("@timestamp").asText()),
                            TerminalText.safe(d.path("event").path("dataset").asText()), TerminalText.safe(d.path("event").path("action").asText()),
                            d.path("process").path("pid").asText(""), TerminalText.safe(d.path("user").path("name").asText("")),
                            TerminalText.safe(d.path("process").path("name").asText("")), TerminalText.safe(detail(d)));
                }
                out.println(docs.size() + " events");
            }
            return 0;
        } catch (SQLException | java.io.IOException e) {
            err.println("query: " + e.getMessage());
            return 1;
        }
    }

    static Connection readOnly(Path db) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(10_000);
        return config.createConnection("jdbc:sqlite:" + db);
    }

    /** What the event is about, in one line. */
    static String detail(JsonNode d) {
        JsonNode file = d.path("file");
        if (file.has("path")) {
            return file.path("path").asText() + (file.has("target_path") ? " -> " + file.path("target_path").asText() : "");
        }
        if (d.path("destination").has("ip") || d.path("source").has("ip")) {
            return d.path("source").path("ip").asText("?") + ":" + d.path("source").path("port").asText("?") + " -> "
                    + d.path("destination").path("ip").asText("?") + ":" + d.path("destination").path("port").asText("?");
        }
        if (d.path("process").has("command_line")) return d.path("process").path("command_line").asText();
        if (d.path("user").path("target").has("name")) return "account " + d.path("user").path("target").path("name").asText();
        if (d.path("fleet").has("gap")) return "gap of " + d.path("fleet").path("gap").path("count").asText() + " events";
        return d.path("auditd").path("record_type").asText("");
    }

    /** "10m", "2h", "3d" before now, or an ISO instant, as epoch millis. */
    static long time(String value) {
        if (value.matches("\\d+[smhd]")) {
            long n = Long.parseLong(value.substring(0, value.length() - 1));
            Duration d = switch (value.charAt(value.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return Instant.now().minus(d).toEpochMilli();
        }
        return Instant.parse(value).toEpochMilli();
    }
}
