package org.fleetrec.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.EventDocument;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the agent knows about its own capture: events per dataset and their rate, and every
 * place an event can be lost (kernel lost, socket overruns, queue drops, sequence gaps,
 * filter drops), so no loss is silent.
 */
final class AgentHealth {
    /** A reading of the counters the agent does not own itself. */
    record Readings(String mode, long kernelLost, long backlog, long socketOverruns, long sequenceGaps,
                    long filterDrops, long processTableSize, long shipQueue, long shipped, String userRules) {
    }

    private final Map<Dataset, LongAdder> events = new EnumMap<>(Dataset.class);
    private final Map<Dataset, Long> lastCounts = new EnumMap<>(Dataset.class);
    final AtomicLong queueDrops = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    final AtomicLong ipcSockets = new AtomicLong();
    final AtomicLong storeGaps = new AtomicLong();
    private long lastMillis = System.currentTimeMillis();
    private final Instant started = Instant.now();

    AgentHealth() {
        for (Dataset d : Dataset.values()) {
            events.put(d, new LongAdder());
            lastCounts.put(d, 0L);
        }
    }

    void counted(EventDocument doc) {
        Dataset.fromId(doc.text(Ecs.EVENT_DATASET)).ifPresent(d -> events.get(d).increment());
    }

    /** The agent-dataset document, with rates since the previous call. */
    synchronized EventDocument document(Readings readings) {
        long now = System.currentTimeMillis();
        double seconds = Math.max(0.001, (now - lastMillis) / 1000.0);
        EventDocument doc = org.fleetrec.agent.process.Documents.event(Instant.ofEpochMilli(now), Dataset.AGENT,
                        "health", "metric", "host", "info")
                .put("fleet.health.source_mode", readings.mode())
                .put("fleet.health.kernel_lost", readings.kernelLost())
                .put("fleet.health.backlog", readings.backlog())
                .put("fleet.health.socket_overruns", readings.socketOverruns())
                .put("fleet.health.queue_drops", queueDrops.get())
                .put("fleet.health.sequence_gaps", readings.sequenceGaps())
                .put("fleet.health.filter_drops", readings.filterDrops())
                .put("fleet.health.malformed_records", malformed.get())
                .put("fleet.health.ipc_sockets_skipped", ipcSockets.get())
                .put("fleet.health.process_table_size", readings.processTableSize())
                .put("fleet.health.ship_queue", readings.shipQueue())
                .put("fleet.health.store_gap_events", storeGaps.get())
                .put("fleet.health.shipped", readings.shipped())
                .put("fleet.health.user_rules", readings.userRules())
                .put("fleet.health.started", started.toString());
        for (Dataset d : Dataset.values()) {
            long count = events.get(d).sum();
            doc.put("fleet.health.events." + d.id(), count);
            doc.json().with("fleet").with("health").with("rate").put(d.id(),
                    Math.round((count - lastCounts.get(d)) / seconds * 10) / 10.0);
            lastCounts.put(d, count);
        }
        lastMillis = now;
        return doc;
    }

    /** The same figures for {@code agent status}, written atomically beside the agent's state. */
    static void writeStatus(Path file, EventDocument health, long pid) throws IOException {
        ObjectNode status = EventCodec.mapper().createObjectNode();
        status.put("pid", pid).put("time", health.text(Ecs.TIMESTAMP));
        status.set("health", health.get("fleet.health"));
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, status.toPrettyString());
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
