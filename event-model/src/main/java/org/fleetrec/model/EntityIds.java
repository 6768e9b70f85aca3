package org.fleetrec.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * {@code process.entity_id}: one executed image on one host for all time. The boot id
 * and the task's start time keep pid reuse and reboots from merging two processes;
 * the exec ordinal separates successive images of one task.
 */
public final class EntityIds {
    private EntityIds() {
    }

    public static String process(String hostId, String bootId, long pid, long startTicks, int execOrdinal) {
        String key = hostId + '|' + bootId + '|' + pid + '|' + startTicks + '|' + execOrdinal;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            // 16 bytes are ample against collision across a fleet's lifetime and keep ids short.
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the JDK", e);
        }
    }
}
