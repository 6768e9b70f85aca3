package org.fleetrec.agent;

import org.fleetrec.agent.source.netlink.AuditNetlink;
import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The recorder's stress acceptance: {@code touch /etc/hello} in a shell loop for 30 s with the
 * default rules loses nothing — the kernel's lost counter does not move and every touch (each a
 * process of its own) is recorded writing the file.
 */
class TouchStressTest {
    private static final Path HELLO = Path.of("/etc/hello");

    @TempDir
    Path dir;

    @Test
    void aThirtySecondTouchLoopLosesNothing() throws Exception {
        assumeTrue(isRoot(), "needs root: the agent records from the kernel");
        assumeTrue(!Files.exists(HELLO), HELLO + " exists already; not touching someone else's file");
        Set<String> touches = ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicLong helloEvents = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong withoutEntity = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicReference<EventDocument> lastHealth = new java.util.concurrent.atomic.AtomicReference<>();
        int seconds = Integer.getInteger("fleetrec.stress.seconds", 30);
        AgentConfig config = AgentConfig.fromEnvironment(Map.of("FLEETREC_SHIP", "off",
                "FLEETREC_AGENT_STATE", dir.toString(), "FLEETREC_AUDIT_SOURCE", "netlink"));
        long lostBefore = kernelLost();
        long iterations;
        try (Agent agent = new Agent(config, doc -> {
            if ("agent".equals(doc.text("event.dataset"))) lastHealth.set(doc);
            if ("file".equals(doc.text("event.dataset")) && HELLO.toString().equals(doc.text("file.path"))) {
                helloEvents.incrementAndGet();
                if (doc.text("process.entity_id") == null) withoutEntity.incrementAndGet();
                else if ("touch".equals(doc.text("process.name"))) touches.add(doc.text("process.entity_id"));
            }
        })) {
            Process loop = new ProcessBuilder("bash", "-c",
                    "end=$((SECONDS+" + seconds + ")); n=0; while [ $SECONDS -lt $end ]; do touch /etc/hello; n=$((n+1)); done; echo $n")
                    .redirectErrorStream(true).start();
            String out = new String(loop.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertEquals(0, loop.waitFor(), out);
            iterations = Long.parseLong(out);
            long deadline = System.currentTimeMillis() + 30_000;
            while (touches.size() < iterations && System.currentTimeMillis() < deadline) Thread.sleep(200);
            System.out.printf("touch loop: %d touches in %d s (%.0f/s), %d recorded (%d /etc/hello events, %d without entity)%n",
                    iterations, seconds, iterations / (double) seconds, touches.size(), helloEvents.get(), withoutEntity.get());
        } finally {
            Files.deleteIfExists(HELLO);
        }
        assertEquals(0, kernelLost() - lostBefore, "the kernel dropped records");
        assertEquals(iterations, touches.size(), "touches recorded, one process each");
    }

    private static long kernelLost() throws Exception {
        try (AuditNetlink netlink = AuditNetlink.open()) {
            return netlink.status().lost();
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
