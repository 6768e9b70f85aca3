package org.fleetrec.agent;

import org.fleetrec.agent.audit.AuditTestData;
import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent following an audit.log (the fallback when it cannot talk to the kernel): records
 * appended to the file come out as ECS documents, each event whole even though its records
 * carry times years old.
 */
class AgentLogModeTest {
    @TempDir
    Path dir;

    @Test
    void followsALogAndMapsWhatIsAppended() throws Exception {
        Path source = AuditTestData.linuxAudit("otrf-security-datasets/sh_arp_cache_2020-11-10074812.log");
        Path log = Files.createFile(dir.resolve("audit.log"));
        AgentConfig config = AgentConfig.fromEnvironment(Map.of(
                "FLEETREC_SHIP", "off", "FLEETREC_AGENT_STATE", dir.resolve("state").toString(),
                "FLEETREC_AUDIT_SOURCE", "log:" + log));
        List<EventDocument> recorded = new CopyOnWriteArrayList<>();
        try (Agent agent = new Agent(config, recorded::add)) {
            assertEquals("log", agent.mode());
            Files.write(log, Files.readAllBytes(source), StandardOpenOption.APPEND);
            long deadline = System.currentTimeMillis() + 15_000;
            while (executions(recorded).size() < 2 && System.currentTimeMillis() < deadline) Thread.sleep(100);
        }
        List<EventDocument> execs = executions(recorded);
        assertEquals(2, execs.size(), "arp and grep: " + execs);
        assertEquals("arp -a", execs.get(0).text("process.command_line"));
        assertEquals("/home/wardog", execs.get(0).text("process.working_directory"), "CWD joined the event");
        assertTrue(execs.get(0).has("event.sequence") && execs.get(0).has("host.id"), "stamped: " + execs.get(0));
        assertTrue(recorded.stream().anyMatch(d -> "agent".equals(d.text("event.dataset"))
                && "log".equals(d.text("fleet.health.source_mode"))), "health names the mode");
    }

    private static List<EventDocument> executions(List<EventDocument> docs) {
        return docs.stream().filter(d -> "executed".equals(d.text("event.action"))).toList();
    }
}
