package org.fleetrec.agent.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded mutations of real audit lines, for fuzz tests: what a corrupted log, a hostile plugin stream or a
 * buggy sender could hand the parser. Deterministic for a given seed, so a failure can be replayed.
 */
public final class AuditMutator {
    /** Characters that mean something to the parser, plus a few that mean something to Java strings. */
    private static final String SYNTAX = "\"'=() :,\0\u001d{}\n\r\t\\%-.[]";
    private static final String[] STAMPS = {
        "audit(99999999999999999999.1:2)", "audit(1.1:99999999999999999999)", "audit(1.1:18446744073709551616)",
        "audit(1.1:4294967296)", "audit(1.1:-1)", "audit(1.1:)", "audit(:)", "audit()", "audit(", "audit(.5:1)",
        "audit(1.:1)", "audit(1.9999999999:1)", "audit(9223372036854775.807:1)", "audit(9223372036854775807:1)",
        "audit(1e5.1:2)", "audit(1.1:2:3)", "audit(1.1.1:2)", "audit(\u0661.1:2)", "audit(1.1:2", "audit(0.000:0)",
    };

    private final Random random;
    private final List<String> corpus;

    public AuditMutator(long seed, List<String> corpus) {
        if (corpus.isEmpty()) {
            throw new IllegalArgumentException("empty corpus");
        }
        this.random = new Random(seed);
        this.corpus = List.copyOf(corpus);
    }

    /** Every record line of every raw log in the shared data (skips the test when absent). */
    public static List<String> sharedCorpus() throws IOException {
        List<String> lines = new ArrayList<>();
        for (Path f : AuditTestData.rawAuditLogs()) {
            lines.addAll(AuditTestData.recordLines(f));
        }
        return lines;
    }

    public String pick() {
        return corpus.get(random.nextInt(corpus.size()));
    }

    public Random random() {
        return random;
    }

    /** One random mutation of a random corpus line (sometimes several stacked). */
    public String next() {
        String s = pick();
        int rounds = 1 + (random.nextInt(4) == 0 ? random.nextInt(4) : 0);
        for (int i = 0; i < rounds; i++) {
            s = mutate(s);
        }
        return s;
    }

    String mutate(String s) {
        return switch (random.nextInt(13)) {
            case 0 -> truncate(s);
            case 1 -> flipUtf8Byte(s);
            case 2 -> insert(s, String.valueOf(SYNTAX.charAt(random.nextInt(SYNTAX.length()))));
            case 3 -> delete(s);
            case 4 -> insert(s, " " + garbageWord() + "=" + garbageWord());
            case 5 -> insert(s, " k=" + "A".repeat(random.nextInt(16) == 0 ? 100_000 : 2_000));
            case 6 -> insert(s, "\0");
            case 7 -> latin1View(s);
            case 8 -> insert(s, random.nextBoolean() ? " msg='" : " key=\"");
            case 9 -> replaceStamp(s);
            case 10 -> splice(s, pick());
            case 11 -> insert(s, randomChars(1 + random.nextInt(8)));
            default -> insert(s, random.nextBoolean()
                    ? "\u001d" + garbageWord() + "={ "
                    : " a1[" + garbageWord() + "]=");
        };
    }

    private String truncate(String s) {
        return s.substring(0, random.nextInt(s.length() + 1));
    }

    /** Flips a bit in the UTF-8 bytes; invalid sequences decode to U+FFFD, as a reader of the log would see. */
    private String flipUtf8Byte(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length == 0) {
            return s;
        }
        b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The bytes read as ISO-8859-1 plus a lone surrogate: text a careless decoder could produce. */
    private String latin1View(String s) {
        String t = new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        return insert(t, random.nextBoolean() ? "\uD800" : "\uDFFF");
    }

    private String insert(String s, String what) {
        int at = random.nextInt(s.length() + 1);
        return s.substring(0, at) + what + s.substring(at);
    }

    private String delete(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int from = random.nextInt(s.length());
        int to = Math.min(s.length(), from + 1 + random.nextInt(20));
        return s.substring(0, from) + s.substring(to);
    }

    private String replaceStamp(String s) {
        int open = s.indexOf("audit(");
        int close = open < 0 ? -1 : s.indexOf(')', open);
        String stamp = STAMPS[random.nextInt(STAMPS.length)];
        if (open < 0 || close < 0) {
            return insert(s, stamp);
        }
        return s.substring(0, open) + stamp + s.substring(close + 1);
    }

    private String splice(String a, String b) {
        return a.substring(0, random.nextInt(a.length() + 1)) + b.substring(random.nextInt(b.length() + 1));
    }

    private String garbageWord() {
        return randomChars(random.nextInt(12));
    }

    private String randomChars(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(4);
            if (kind == 0) {
                sb.append(SYNTAX.charAt(random.nextInt(SYNTAX.length())));
            } else if (kind == 1) {
                sb.append((char) random.nextInt(0x10000)); // any UTF-16 unit, surrogates included
            } else {
                sb.append((char) ('0' + random.nextInt(75)));
            }
        }
        return sb.toString();
    }
}
