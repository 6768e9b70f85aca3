package org.fleetrec.agent.process;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CommandLinesTest {
    @Test
    void quotesOnlyWhatAShellWouldSplitOrExpand() {
        assertEquals("ls -la /tmp", CommandLines.join(List.of("ls", "-la", "/tmp")));
        assertEquals("sh -c 'echo hi; id'", CommandLines.join(List.of("sh", "-c", "echo hi; id")));
        assertEquals("echo 'it'\\''s' ''", CommandLines.join(List.of("echo", "it's", "")));
        assertEquals("printf 'a\nb'", CommandLines.join(List.of("printf", "a\nb")));
    }

    @Test
    void baseNameOfPaths() {
        assertEquals("echo", CommandLines.baseName("/usr/bin/echo"));
        assertEquals("echo", CommandLines.baseName("echo"));
    }
}
