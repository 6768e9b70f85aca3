package org.fleetrec.agent.evidence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A machine that evidence came from, named by the evidence itself (Sysmon's {@code Computer}, an
 * audit log's {@code node=}) or by the responder. Its id is derived from the name, so every import
 * of that machine's evidence, from any workstation, lands on the same host and the same document ids.
 */
public record EvidenceHost(String id, String name, String osType) {
    /** Host names are longer than this only when the field holds something else. */
    static final int MAX_NAME = 255;

    public static EvidenceHost named(String name, String osType) {
        String clean = name == null ? "" : name.strip();
        if (clean.isEmpty()) throw new IllegalArgumentException("a host name is empty");
        if (clean.length() > MAX_NAME) throw new IllegalArgumentException("a host name is longer than " + MAX_NAME + " characters");
        for (int i = 0; i < clean.length(); i++) {
            if (Character.isISOControl(clean.charAt(i))) throw new IllegalArgumentException("a host name holds control characters");
        }
        // Windows reports names in any case (WORKSTATION5, workstation5.domain): one machine, one id.
        String key = "import|" + clean.toLowerCase(Locale.ROOT);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return new EvidenceHost(HexFormat.of().formatHex(digest, 0, 16), clean, osType);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the JDK", e);
        }
    }
}
