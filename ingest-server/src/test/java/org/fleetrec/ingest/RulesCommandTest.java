package org.fleetrec.ingest;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rules command line that is not understood exits 2 with the usage, before any cluster is asked. */
class RulesCommandTest {
    /** Nothing listens there: a command that reached for the cluster would fail another way. */
    private static final Map<String, String> NOWHERE = Map.of("FLEETREC_ES_URL", "http://127.0.0.1:9");

    private static String[] run(int expected, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = AdminCommand.run(List.of(args), NOWHERE, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String[] texts = {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
        assertEquals(expected, status, String.join(" ", args) + ": " + texts[1]);
        return texts;
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        assertTrue(run(2, "rules")[1].contains("ingest-server rules list"));
        assertTrue(run(2, "rules", "frobnicate")[1].contains("unknown rules command"));
        assertTrue(run(2, "rules", "show")[1].contains("takes one argument"));
        assertTrue(run(2, "rules", "add", "a.yml", "b.yml")[1].contains("takes one argument"));
        assertTrue(run(2, "rules", "retire")[1].contains("takes one argument"));
        assertTrue(run(2, "rules", "list", "--state", "gone")[1].contains("not a rule state"));
        assertTrue(run(2, "rules", "list", "--origin", "elsewhere")[1].contains("not a rule origin"));
        assertTrue(run(2, "rules", "list", "--colour", "red")[1].contains("does not take"));
        assertTrue(run(2, "rules", "list", "--state")[1].contains("does not take"));
    }

    @Test
    void aRuleFileThatCannotBeReadIsRefusedWithExitOne() throws Exception {
        assertTrue(run(1, "rules", "add", "/no/such/rule-file.yml")[1].contains("refused: unreadable"));
    }
}
