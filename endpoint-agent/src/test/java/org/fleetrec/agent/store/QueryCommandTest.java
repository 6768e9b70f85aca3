package org.fleetrec.agent.store;

import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueryCommandTest {
    @TempDir
    Path dir;
    private long sequence;

    @BeforeEach
    void recordAHostsHistory() throws Exception {
        try (EventStore store = EventStore.open(new EventStore.Config(dir.resolve("monitor.db"), 1L << 30, Duration.ofDays(30)))) {
            Instant old = Instant.now().minus(Duration.ofHours(3));
            store.append(process(old, "sshd-1", null, 10, "/usr/sbin/sshd -D", "already-running"));
            store.append(process(Instant.now(), "bash-1", "sshd-1", 20, "-bash", "executed"));
            store.append(process(Instant.now(), "curl-1", "bash-1", 30, "curl http://x/\u001b[2J\u001b]0;pwned\u0007", "executed"));
            store.append(event(Instant.now(), "file").put("event.action", "created").put("file.path", "/tmp/drop.sh")
                    .put("process.pid", 30).put("process.entity_id", "curl-1").put("process.name", "curl"));
        }
    }

    private EventDocument event(Instant time, String dataset) {
        return EventDocument.create().put("@timestamp", time.toString()).put("event.dataset", dataset)
                .put("event.sequence", ++sequence).put("user.name", "root");
    }

    private EventDocument process(Instant time, String entity, String parent, long pid, String commandLine, String action) {
        return event(time, "process").put("event.action", action).put("process.entity_id", entity)
                .put("process.parent.entity_id", parent).put("process.pid", pid)
                .put("process.name", commandLine.split(" ")[0]).put("process.command_line", commandLine);
    }

    private String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = QueryCommand.run(List.of(args), dir, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void filtersByTimeDatasetAndText() {
        String recent = run("--since", "10m", "--dataset", "process");
        assertTrue(recent.contains("2 events"), recent);
        assertTrue(recent.contains("-bash") && !recent.contains("sshd -D"), recent);
        assertTrue(run("--dataset", "file").contains("/tmp/drop.sh"));
        assertTrue(run("--text", "drop.sh").contains("1 events"));
        assertTrue(run("--pid", "30").contains("2 events"));
        assertEquals(4, run("--ndjson").lines().count(), "one JSON line an event");
    }

    @Test
    void hostileTextCannotDriveTheTerminal() {
        String table = run("--pid", "30");
        assertFalse(table.contains("\u001b"), "an escape sequence reached the output");
        assertFalse(table.contains("\u0007"));
        assertTrue(table.contains("\\x1b[2J"), table);
    }

    @Test
    void treeShowsAncestorsAndDescendants() {
        String tree = run("--tree", "bash-1");
        List<String> lines = tree.lines().toList();
        assertEquals(3, lines.size(), tree);
        assertTrue(lines.get(0).startsWith("- 10 /usr/sbin/sshd -D"), tree);
        assertTrue(lines.get(1).startsWith("  * 20 -bash"), tree);
        assertTrue(lines.get(2).startsWith("    - 30 curl"), tree);
        assertFalse(tree.contains("\u001b"));
    }
}
