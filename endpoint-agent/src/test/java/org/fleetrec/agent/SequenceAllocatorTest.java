package org.fleetrec.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

class SequenceAllocatorTest {
    @TempDir
    Path dir;

    @Test
    void numbersNeverRepeatAcrossRestartsAndCrashes() throws Exception {
        Path file = dir.resolve("sequence");
        Set<Long> seen = new HashSet<>();
        for (int run = 0; run < 3; run++) {
            // Each run is dropped without any close, as a crash would leave it.
            SequenceAllocator allocator = new SequenceAllocator(file);
            for (int i = 0; i < 25_000; i++) {
                assertTrue(seen.add(allocator.next()), "a sequence number was handed out twice");
            }
        }
        long previousMax = seen.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertTrue(new SequenceAllocator(file).next() > previousMax);
    }
}
