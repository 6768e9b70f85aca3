package org.fleetrec.detection.alert;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Dead letters appended to a local NDJSON file, one line each: {@code {"@timestamp", "output", "reason",
 * "alert": <the alert document>}}. Local, so it works when nothing else does; capped in size, so a
 * receiver that stays dead cannot fill the disk (what the cap refuses is counted and logged).
 */
public final class DeadLetterFile implements DeadLetterSink {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterFile.class);

    private final Path file;
    private final long maxBytes;
    private final Clock clock;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    public DeadLetterFile(Path file, long maxBytes) {
        this(file, maxBytes, Clock.systemUTC());
    }

    DeadLetterFile(Path file, long maxBytes, Clock clock) {
        this.file = file;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void deadLetter(String output, Alert alert, String reason) {
        ObjectNode line = EventCodec.mapper().createObjectNode()
                .put("@timestamp", clock.instant().toString()).put("output", output).put("reason", reason);
        line.set("alert", alert.document());
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            long size = Files.exists(file) ? Files.size(file) : 0;
            if (size + bytes.length > maxBytes) {
                if (refused.getAndIncrement() == 0) {
                    log.error("alert dead-letter file {} is full ({} bytes): further undeliverable alerts are only counted", file, maxBytes);
                }
                return;
            }
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                out.write(bytes);
            }
            written.incrementAndGet();
        } catch (IOException e) {
            refused.incrementAndGet();
            log.error("alert {} not delivered to {} ({}) and not kept in {}: {}", alert.id(), output, reason, file, e.toString());
        }
    }

    /** Lines written. */
    public long written() {
        return written.get();
    }

    /** Dead letters the file could not take (full, or not writable). */
    public long refused() {
        return refused.get();
    }
}
