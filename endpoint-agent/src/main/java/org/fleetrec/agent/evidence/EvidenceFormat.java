package org.fleetrec.agent.evidence;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fleetrec.agent.sysmon.SysmonReader;

/**
 * What an evidence file holds, told by its content rather than its name (exports are renamed,
 * gzipped, or have no extension at all): Windows binary event logs, Sysmon XML or JSON, or audit.log text.
 */
enum EvidenceFormat {
    EVTX, SYSMON, AUDIT, UNKNOWN;

    private static final int PEEK = 64 * 1024;
    private static final byte[] EVTX_MAGIC = "ElfFile\0".getBytes(StandardCharsets.US_ASCII);

    static EvidenceFormat of(Path file) throws IOException {
        try (InputStream in = open(file)) {
            return of(in.readNBytes(PEEK));
        }
    }

    static EvidenceFormat of(byte[] head) {
        if (startsWith(head, EVTX_MAGIC)) return EVTX;
        String text = new String(head, StandardCharsets.UTF_8);
        int i = 0;
        if (text.startsWith("\uFEFF")) i = 1;
        // Comment lines lead some traces ("# the expected tree"); the first real line decides.
        while (i < text.length()) {
            int end = text.indexOf('\n', i);
            if (end < 0) end = text.length();
            String line = text.substring(i, end).strip();
            i = end + 1;
            if (line.isEmpty() || line.startsWith("#")) continue;
            if (line.startsWith("<") || line.startsWith("{") || line.startsWith("[")) return SYSMON;
            if (line.startsWith("type=") || line.startsWith("node=")) return AUDIT;
            return UNKNOWN;
        }
        return UNKNOWN;
    }

    /** The file's bytes, un-gzipped when it is gzip (told by its magic bytes). */
    static InputStream open(Path file) throws IOException {
        return SysmonReader.decompressed(Files.newInputStream(file));
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        if (data.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (data[i] != prefix[i]) return false;
        return true;
    }
}
