package org.fleetrec.agent.filter;

import org.fleetrec.agent.host.HostIdentity;
import org.fleetrec.agent.process.ProcessTable;
import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventFilterTest {
    @TempDir
    Path dir;

    @Test
    void excludesByAncestorUnlessAnIncludeRuleKeepsIt() throws Exception {
        Path proc = Files.createDirectories(dir.resolve("proc"));
        Files.writeString(proc.resolve("stat"), "btime 1\n");
        ProcessTable table = new ProcessTable(new HostIdentity("h", "n", "b", "os", "k", "a"), proc);
        // backupd (100) → sh (200) → tar (300)
        table.exec(100, 1, Instant.now(), "/usr/sbin/backupd", List.of("backupd"));
        table.exec(200, 100, Instant.now(), "/bin/sh", List.of("sh"));
        table.exec(300, 200, Instant.now(), "/bin/tar", List.of("tar"));
        Path config = dir.resolve("filters.json");
        Files.writeString(config, """
                {"exclude": [{"ancestor_executable": "/usr/sbin/backupd"}, {"dataset": "file", "path_prefix": "/tmp/cache/"}],
                 "include": [{"executable": "/bin/tar", "dataset": "network"}]}""");
        EventFilter filter = EventFilter.load(config, table);

        assertFalse(filter.keep(doc("file", "/bin/tar", 200).put("file.path", "/srv/x")), "under backupd");
        assertTrue(filter.keep(doc("network", "/bin/tar", 200)), "kept by the include rule");
        assertTrue(filter.keep(doc("process", "/bin/tar", 1)), "a tar not under backupd");
        assertFalse(filter.keep(doc("file", "/bin/vi", 1).put("file.path", "/tmp/cache/a")));
        assertTrue(filter.keep(doc("file", "/bin/vi", 1).put("file.path", "/tmp/other")));
        assertEquals(2, filter.dropped());
        assertEquals(1L, filter.dropsByRule().get("ancestor_executable=/usr/sbin/backupd"));
    }

    @Test
    void aTypoInTheConfigIsAnErrorNotASilentPassThrough() throws Exception {
        Path config = dir.resolve("filters.json");
        Files.writeString(config, "{\"exclude\": [{\"executabel\": \"/bin/ls\"}]}");
        var error = assertThrows(java.io.IOException.class, () -> EventFilter.load(config, null));
        assertTrue(error.getMessage().contains("executabel"), error.getMessage());
    }

    private static EventDocument doc(String dataset, String executable, long parentPid) {
        return EventDocument.create().put("event.dataset", dataset).put("process.executable", executable)
                .put("process.parent.pid", parentPid);
    }
}
