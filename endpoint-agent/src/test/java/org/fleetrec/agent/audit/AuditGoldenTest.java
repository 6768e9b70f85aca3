package org.fleetrec.agent.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden pins of what the parser decodes from real records of each type in the shared logs:
 * {@code golden/audit-records.json} holds, per picked line (file + 1-based line number), the record type
 * name, serial, epoch millis and {@link AuditRecord#text} of the interesting fields. The file was made by
 * {@link #regenerateGoldens()} and then checked by eye against the raw lines; a change here is a change in
 * decoding and needs the same review, not a blind regeneration.
 */
class AuditGoldenTest {
    private static final String RESOURCE = "/golden/audit-records.json";
    /** Values longer than this are pinned by length and hash, so the golden file stays small. */
    private static final int MAX_PINNED_CHARS = 160;

    /** Fields worth pinning per record type; types not listed use {@link #USERSPACE_FIELDS}. */
    private static final Map<String, List<String>> FIELDS = Map.ofEntries(
            Map.entry("SYSCALL", List.of("arch", "syscall", "success", "exit", "a0", "ppid", "pid", "auid", "uid",
                    "euid", "tty", "ses", "comm", "exe", "key")),
            Map.entry("EXECVE", List.of("argc", "a0", "a1", "a2", "a3", "a1_len", "a1[0]")),
            Map.entry("PATH", List.of("item", "name", "inode", "dev", "mode", "ouid", "nametype")),
            Map.entry("CWD", List.of("cwd")),
            Map.entry("PROCTITLE", List.of("proctitle")),
            Map.entry("SOCKADDR", List.of("saddr")),
            Map.entry("AVC", List.of("apparmor", "operation", "profile", "name", "pid", "comm", "requested_mask",
                    "denied_mask", "scontext", "tcontext", "tclass", "dev", "ino")),
            Map.entry("CONFIG_CHANGE", List.of("auid", "ses", "op", "key", "list", "res", "audit_backlog_limit",
                    "old")),
            Map.entry("LOGIN", List.of("pid", "uid", "old_auid", "auid", "old-auid", "tty", "old-ses", "ses", "res")),
            Map.entry("ANOM_PROMISCUOUS", List.of("dev", "prom", "old_prom", "auid", "uid", "ses")),
            Map.entry("NETFILTER_CFG", List.of("table", "family", "entries", "op")),
            Map.entry("MAC_TASK_CONTEXTS", List.of("subj_apparmor")),
            Map.entry("TTY", List.of("tty", "ses", "major", "minor", "comm", "data")),
            Map.entry("SECCOMP", List.of("auid", "pid", "comm", "exe", "sig", "arch", "syscall", "code")),
            Map.entry("URINGOP", List.of("uring_op", "success", "exit", "items", "ppid", "pid", "auid", "uid")),
            Map.entry("TIME_ADJNTPVAL", List.of("op", "old", "new")),
            Map.entry("USER_CMD", List.of("pid", "uid", "auid", "ses", "cwd", "cmd", "terminal", "res")));
    private static final List<String> USERSPACE_FIELDS = List.of("pid", "uid", "auid", "ses", "op", "id", "acct",
            "grantors", "exe", "hostname", "addr", "terminal", "res");
    /** ENRICHED interpreted values worth pinning (they sit after the 0x1D byte). */
    private static final List<String> INTERPRETED = List.of("ARCH", "SYSCALL", "AUID", "UID", "SADDR");

    /** How many records to pin per type (from different files where possible). */
    private static final Map<String, Integer> PICKS = Map.ofEntries(
            Map.entry("SYSCALL", 4), Map.entry("EXECVE", 3), Map.entry("PATH", 2), Map.entry("CWD", 2),
            Map.entry("PROCTITLE", 3), Map.entry("SOCKADDR", 2), Map.entry("USER_LOGIN", 2),
            Map.entry("USER_AUTH", 2), Map.entry("USER_START", 2), Map.entry("CRED_ACQ", 2),
            Map.entry("ADD_USER", 2), Map.entry("CONFIG_CHANGE", 2), Map.entry("AVC", 2), Map.entry("LOGIN", 1),
            Map.entry("USER_ACCT", 1), Map.entry("ADD_GROUP", 1), Map.entry("USER_CMD", 1),
            Map.entry("ANOM_PROMISCUOUS", 1), Map.entry("NETFILTER_CFG", 1), Map.entry("MAC_TASK_CONTEXTS", 1),
            Map.entry("TTY", 1), Map.entry("SECCOMP", 1), Map.entry("URINGOP", 1), Map.entry("TIME_ADJNTPVAL", 1));

    /** Writes pure ASCII (DEL and non-ASCII escaped), so the golden file shows hidden bytes when reviewed. */
    private final ObjectMapper json = new ObjectMapper(asciiOnly());

    private static JsonFactory asciiOnly() {
        JsonFactory f = JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
        f.setCharacterEscapes(new EscapeDel());
        return f;
    }

    private static final class EscapeDel extends CharacterEscapes {
        private final int[] ascii = standardAsciiEscapesForJSON();

        EscapeDel() {
            ascii[0x7F] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return null;
        }
    }

    @Test
    void decodedFieldsMatchTheReviewedGoldens() throws IOException {
        JsonNode golden;
        try (InputStream in = AuditGoldenTest.class.getResourceAsStream(RESOURCE)) {
            assertNotNull(in, RESOURCE + " missing");
            golden = json.readTree(in);
        }
        AuditTestData.linuxAudit(""); // skips when the shared data is absent
        int compared = 0;
        for (JsonNode g : golden) {
            Path file = AuditTestData.linuxAudit(g.get("file").asText());
            int lineNo = g.get("line").asInt();
            AuditRecord r = AuditRecordParser.parseLine(physicalLine(file, lineNo));
            // As text: a number read back is an IntNode where the pin holds a LongNode.
            assertEquals(json.writeValueAsString(g), json.writeValueAsString(pin(g.get("file").asText(), lineNo, r)),
                    g.get("file").asText() + ":" + lineNo);
            compared++;
        }
        assertTrue(compared >= 30, "only " + compared + " golden records");
    }

    /**
     * GENERATOR, not a test: rewrites the golden file from the current parser. Run only on purpose, then
     * review every changed value against its raw line before committing:
     * {@code mvn -o -pl endpoint-agent test -Dtest=AuditGoldenTest -Dfleetrec.regenerateGolden=true}.
     */
    @Test
    @EnabledIfSystemProperty(named = "fleetrec.regenerateGolden", matches = "true")
    void regenerateGoldens() throws IOException {
        Map<String, List<Candidate>> byType = new LinkedHashMap<>();
        for (Path f : AuditTestData.rawAuditLogs()) {
            String name = AuditTestData.name(f);
            String[] lines = Files.readString(f, StandardCharsets.UTF_8).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].isBlank() || lines[i].startsWith("#")) {
                    continue;
                }
                AuditRecord r;
                try {
                    r = AuditRecordParser.parseLine(lines[i]);
                } catch (AuditParseException e) {
                    continue; // the known foreign line, see AuditCorpusAcceptanceTest
                }
                if (PICKS.containsKey(r.typeName())) {
                    byType.computeIfAbsent(r.typeName(), t -> new ArrayList<>()).add(new Candidate(name, i + 1, r));
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Integer> pick : PICKS.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            List<Candidate> candidates = roundRobinByKind(byType.getOrDefault(pick.getKey(), List.of()));
            List<Candidate> chosen = new ArrayList<>();
            // Different folders first (files of one folder often share content, e.g. auparse's test.log and
            // test2.log), then fill up from folders already used; never the same record body twice.
            for (boolean sameFileOk : new boolean[]{false, true}) {
                for (Candidate c : candidates) {
                    boolean fileUsed = chosen.stream().anyMatch(x -> folder(x.file()).equals(folder(c.file())));
                    boolean bodyUsed = chosen.stream().anyMatch(x -> body(x.record()).equals(body(c.record())));
                    if (chosen.size() < pick.getValue() && !chosen.contains(c) && !bodyUsed
                            && (sameFileOk || !fileUsed)) {
                        chosen.add(c);
                    }
                }
            }
            for (Candidate c : chosen) {
                out.add(json.writeValueAsString(pin(c.file(), c.line(), c.record())));
            }
        }
        Path target = Path.of("src/test/resources/golden");
        Files.createDirectories(target);
        Files.writeString(target.resolve("audit-records.json"), "[\n" + String.join(",\n", out) + "\n]\n");
    }

    private record Candidate(String file, int line, AuditRecord record) {
    }

    /**
     * Orders candidates so that the first picks cover different encodings: hex hiding NULs or control bytes,
     * other hex, an ENRICHED record, a {@code node=} prefixed line, then plain ones (file order within each
     * kind).
     */
    private static List<Candidate> roundRobinByKind(List<Candidate> candidates) {
        Map<Integer, List<Candidate>> byKind = new TreeMap<>();
        for (Candidate c : candidates) {
            byKind.computeIfAbsent(kind(c.record()), k -> new ArrayList<>()).add(c);
        }
        List<Candidate> out = new ArrayList<>();
        for (int round = 0; out.size() < candidates.size(); round++) {
            for (List<Candidate> kind : byKind.values()) {
                if (round < kind.size()) {
                    out.add(kind.get(round));
                }
            }
        }
        return out;
    }

    private static int kind(AuditRecord r) {
        boolean hex = false;
        for (String f : r.fields().keySet()) {
            String text = r.text(f);
            if (text != null && !text.equals(r.field(f))) {
                if (text.chars().anyMatch(ch -> ch < 0x20 || ch >= 0x7F)) {
                    return 0; // hex hiding NULs, control bytes or non-ASCII: the hardest case
                }
                hex = true;
            }
        }
        if (hex) {
            return 1;
        }
        if (!r.interpreted().isEmpty()) {
            return 2;
        }
        return r.field("node") != null ? 3 : 4;
    }

    private static String folder(String file) {
        int slash = file.lastIndexOf('/');
        return slash < 0 ? "" : file.substring(0, slash);
    }

    /** The record text after its stamp: equal bodies are the same record copied into another file. */
    private static String body(AuditRecord r) {
        int end = r.text().indexOf("): ");
        return end < 0 ? r.text() : r.text().substring(end + 3);
    }

    private ObjectNode pin(String file, int line, AuditRecord r) {
        ObjectNode o = json.createObjectNode();
        o.put("file", file);
        o.put("line", line);
        o.put("type", r.typeName());
        o.put("serial", r.serial());
        o.put("epochMillis", r.epochMillis());
        ObjectNode fields = o.putObject("fields");
        for (String name : FIELDS.getOrDefault(r.typeName(), USERSPACE_FIELDS)) {
            String text = r.text(name);
            if (text != null) {
                fields.put(name, bounded(text));
            }
        }
        ObjectNode interpreted = json.createObjectNode();
        for (String name : INTERPRETED) {
            String v = r.interpreted().get(name);
            if (v != null) {
                interpreted.put(name, bounded(v));
            }
        }
        if (!interpreted.isEmpty()) {
            o.set("interpreted", interpreted);
        }
        return o;
    }

    private static String bounded(String text) {
        if (text.length() <= MAX_PINNED_CHARS) {
            return text;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "<" + text.length() + " chars, sha256 " + HexFormat.of().formatHex(digest, 0, 8) + ", starts "
                    + text.substring(0, 40) + ">";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The raw line by 1-based number, as it is in the file (comments and blank lines count). */
    private static String physicalLine(Path file, int lineNo) throws IOException {
        String[] lines = Files.readString(file, StandardCharsets.UTF_8).split("\n", -1);
        assertTrue(lineNo >= 1 && lineNo <= lines.length, file + " has no line " + lineNo);
        return lines[lineNo - 1];
    }
}
