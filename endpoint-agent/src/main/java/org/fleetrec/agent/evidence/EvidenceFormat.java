package org.fleetrec.agent.evidence;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fleetrec.agent.sysmon.SysmonReader;
import org.fleetrec.agent.sysmon.evtx.EvtxFile;

/**
 * What an evidence file holds, told by its content rather than its name (exports are renamed,
 * gzipped, or have no extension at all): Sysmon (as Windows binary event logs, XML or JSON, which
 * the Sysmon reader tells apart itself) or audit.log text.
 */
enum EvidenceFormat {
    SYSMON, AUDIT, UNKNOWN;

    private static final int PEEK = 64 * 1024;

    static EvidenceFormat of(Path file) throws IOException {
        try (InputStream in = open(file)) {
            return of(in.readNBytes(PEEK));
        }
    }

    static EvidenceFormat of(byte[] head) throws IOException {
        if (EvtxFile.startsLikeEvtx(new ByteArrayInputStream(head))) return SYSMON;
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
}
