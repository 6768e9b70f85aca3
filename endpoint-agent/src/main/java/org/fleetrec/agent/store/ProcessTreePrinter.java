package org.fleetrec.agent.store;

import org.fleetrec.model.TerminalText;

import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.model.EventCodec;

import java.io.IOException;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@code agent query --tree}: a process's ancestors down to it, then its descendants, from monitor.db. */
final class ProcessTreePrinter {
    private static final int MAX_DEPTH = 64;
    private static final int MAX_CHILDREN = 50;

    private ProcessTreePrinter() {
    }

    static int print(Connection db, String entity, PrintStream out, PrintStream err) throws SQLException, IOException {
        Optional<JsonNode> self = process(db, entity);
        if (self.isEmpty()) {
            err.println("no process " + TerminalText.safe(entity) + " in the local database");
            return 1;
        }
        List<JsonNode> ancestors = new ArrayList<>();
        Set<String> seen = new HashSet<>(Set.of(entity));
        String parent = self.get().path("process").path("parent").path("entity_id").asText(null);
        while (parent != null && ancestors.size() < MAX_DEPTH && seen.add(parent)) {
            Optional<JsonNode> p = process(db, parent);
            if (p.isEmpty()) {
                out.println("(parent " + TerminalText.safe(parent) + " not recorded here)");
                break;
            }
            ancestors.add(0, p.get());
            parent = p.get().path("process").path("parent").path("entity_id").asText(null);
        }
        int depth = 0;
        for (JsonNode a : ancestors) out.println(line(a, depth++, false));
        out.println(line(self.get(), depth, true));
        descendants(db, entity, depth + 1, seen, out);
        return 0;
    }

    private static void descendants(Connection db, String entity, int depth, Set<String> seen, PrintStream out)
            throws SQLException, IOException {
        if (depth > MAX_DEPTH) return;
        List<JsonNode> children = new ArrayList<>();
        int total = 0;
        try (PreparedStatement q = db.prepareStatement("SELECT doc FROM events WHERE parent = ? AND dataset = 'process' "
                + "AND entity IS NOT NULL AND entity != ? ORDER BY seq")) {
            q.setString(1, entity);
            q.setString(2, entity);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    JsonNode doc = EventCodec.mapper().readTree(rs.getBytes(1));
                    String id = doc.path("process").path("entity_id").asText();
                    if (!isStart(doc) || !seen.add(id)) continue;
                    if (++total <= MAX_CHILDREN) children.add(doc);
                }
            }
        }
        for (JsonNode child : children) {
            out.println(line(child, depth, false));
            descendants(db, child.path("process").path("entity_id").asText(), depth + 1, seen, out);
        }
        if (total > MAX_CHILDREN) out.println("  ".repeat(depth) + "… " + (total - MAX_CHILDREN) + " more children");
    }

    private static Optional<JsonNode> process(Connection db, String entity) throws SQLException, IOException {
        try (PreparedStatement q = db.prepareStatement(
                "SELECT doc FROM events WHERE entity = ? AND dataset = 'process' ORDER BY seq")) {
            q.setString(1, entity);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    JsonNode doc = EventCodec.mapper().readTree(rs.getBytes(1));
                    if (isStart(doc)) return Optional.of(doc);
                }
            }
        }
        return Optional.empty();
    }

    private static boolean isStart(JsonNode doc) {
        String action = doc.path("event").path("action").asText();
        return action.equals("executed") || action.equals("already-running");
    }

    private static String line(JsonNode doc, int depth, boolean marked) {
        JsonNode p = doc.path("process");
        return "  ".repeat(depth) + (marked ? "* " : "- ") + p.path("pid").asText() + " "
                + TerminalText.safe(p.path("command_line").asText(p.path("executable").asText(""))) + "  ["
                + TerminalText.safe(doc.path("user").path("name").asText("?")) + ", " + p.path("entity_id").asText() + "]";
    }
}
