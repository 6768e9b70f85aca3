package org.fleetrec.model;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EntityIdsTest {
    @Test
    void sameInputsGiveTheSameId() {
        assertEquals(EntityIds.process("h", "b", 42, 1000, 0), EntityIds.process("h", "b", 42, 1000, 0));
    }

    @Test
    void pidReuseRebootsExecsAndHostsNeverMerge() {
        Set<String> ids = new HashSet<>();
        ids.add(EntityIds.process("h", "boot1", 42, 1000, 0));
        ids.add(EntityIds.process("h", "boot1", 42, 2000, 0)); // pid reused later
        ids.add(EntityIds.process("h", "boot2", 42, 1000, 0)); // same numbers after a reboot
        ids.add(EntityIds.process("h", "boot1", 42, 1000, 1)); // second exec of the task
        ids.add(EntityIds.process("other", "boot1", 42, 1000, 0));
        ids.add(EntityIds.process("h", "boot1", 421, 000, 0));
        assertEquals(6, ids.size());
    }

    @Test
    void fieldBoundariesCannotBeConfused() {
        assertTrue(!EntityIds.process("h1", "2", 3, 4, 0).equals(EntityIds.process("h", "12", 3, 4, 0)));
    }
}
