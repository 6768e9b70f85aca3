package org.fleetrec.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;

/**
 * Hands out {@code event.sequence} numbers that never repeat for this agent, even across
 * crashes: a block is reserved on disk (and synced) before any number of it is used. A crash
 * skips the rest of a block, which is harmless; reusing a number would lose an event, because
 * the server would take it for a retry of one already stored.
 */
public final class SequenceAllocator {
    private static final long BLOCK = 10_000;

    private final Path file;
    private long next;
    private long reservedUpTo;

    public SequenceAllocator(Path file) throws IOException {
        this.file = file;
        this.next = Files.exists(file) ? Long.parseLong(Files.readString(file).strip()) : 1;
        reserve();
    }

    public synchronized long next() {
        if (next >= reservedUpTo) {
            try {
                reserve();
            } catch (IOException e) {
                throw new IllegalStateException("cannot reserve event sequence numbers in " + file, e);
            }
        }
        return next++;
    }

    private void reserve() throws IOException {
        long upTo = next + BLOCK;
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, Long.toString(upTo), StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        reservedUpTo = upTo;
    }
}
