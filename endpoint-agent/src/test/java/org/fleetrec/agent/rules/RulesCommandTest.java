package org.fleetrec.agent.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesCommandTest {
    @TempDir
    Path state;
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(String... args) {
        outBytes.reset();
        errBytes.reset();
        return RulesCommand.run(List.of(args), state, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void addListRemove() throws IOException {
        assertEquals(0, run("list"));
        assertTrue(out().contains("no user rules") && out().contains("no status yet"), out());

        assertEquals(0, run("add", "-a always,exit -F arch=b64 -S execve -k exec"));
        assertTrue(out().contains("added rule 1: -a always,exit -F arch=b64 -S execve -k exec"), out());
        assertEquals(0, run("rules", "add", "-a", "always,exit", "-S", "59"), "unquoted words are one rule");
        assertTrue(out().contains("added rule 2: -a always,exit -S 59 -k " + UserRules.KEY), out());

        assertEquals(0, run("list"));
        assertTrue(out().contains("ID  ADDED") && out().contains("-k exec") && out().contains("2   "), out());

        Instant applied = Instant.now().plusSeconds(5).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        new UserRuleStatus(applied, true, null).write(state);
        assertEquals(0, run("list"));
        assertTrue(out().contains("agent: applied at " + applied), out());

        new UserRuleStatus(applied, false, "the kernel refused rule 2 (...): EINVAL (22)").write(state);
        assertEquals(0, run("list"));
        assertTrue(out().contains("agent: refused at") && out().contains("EINVAL (22)"), out());

        assertEquals(0, run("remove", "1"));
        assertTrue(out().contains("removed rule 1"), out());
        Files.setLastModifiedTime(UserRules.file(state), FileTime.from(applied.plusSeconds(10)));
        assertEquals(0, run("list"));
        assertTrue(out().contains("changes not applied yet"), out());
    }

    @Test
    void refusalsAndUsage() {
        assertEquals(1, run("add", "-w /etc/passwd -p wa"));
        assertTrue(err().startsWith("refused: ") && err().contains("-w"), err());
        assertEquals(1, run("add", "-D"));
        assertEquals(1, run("remove", "9"));
        assertTrue(err().contains("no user rule"), err());
        assertEquals(2, run());
        assertEquals(2, run("add"));
        assertEquals(2, run("remove"));
        assertEquals(2, run("list", "extra"));
        assertEquals(2, run("frobnicate"));
        assertTrue(err().contains("unknown command 'frobnicate'") && err().contains("usage: rules"), err());
        assertEquals(0, run("help"));
        assertTrue(out().contains("rules add"), out());
    }

    @Test
    void aBrokenStateFileIsReportedNotThrown() throws IOException {
        Files.writeString(UserRules.file(state), "[{");
        assertEquals(1, run("list"));
        assertTrue(err().startsWith("failed: ") && err().contains("not valid JSON"), err());
    }
}
