package org.fleetrec.agent.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.fleetrec.agent.audit.rule.AuditRuleData;
import org.fleetrec.agent.audit.rule.AuditRuleParser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserRulesTest {
    @TempDir
    Path tmp;
    private Path state;
    private Path watched;
    private UserRules rules;

    @BeforeEach
    void setUp() throws IOException {
        state = tmp.resolve("state");
        watched = Files.createDirectories(tmp.resolve("watched"));
        Files.writeString(watched.resolve("file"), "x");
        Path passwd = Files.writeString(tmp.resolve("passwd"), "root:x:0:0::/root:/bin/sh\nbob:x:1042:1042::/:/bin/sh\n");
        Path group = Files.writeString(tmp.resolve("group"), "root:x:0:\n");
        rules = new UserRules(state, new AuditRuleParser(passwd, group));
    }

    @Test
    void addListRemoveRoundTrip() throws Exception {
        assertEquals(List.of(), rules.list(), "no file yet");
        UserRules.Entry a = rules.add("  -a always,exit -F arch=b64 -S execve -F euid=bob  ");
        assertEquals("1", a.id());
        assertEquals("-a always,exit -F arch=b64 -S execve -F euid=bob -k " + UserRules.KEY, a.text());
        UserRules.Entry b = rules.add("-a always,exit -F arch=b64 -S openat -F dir=" + watched + " -F perm=w -k mine");
        assertEquals("2", b.id());
        assertTrue(b.text().endsWith("-k mine -k " + UserRules.KEY), "own key kept and ours added beside it: " + b.text());
        assertEquals(List.of(a, b), rules.list());

        UserRules.Loaded loaded = rules.load();
        assertEquals(2, loaded.rules().size());
        assertTrue(loaded.rules().get(0).hasKey(UserRules.KEY));
        assertEquals("rule 2 (" + b.text() + ")", loaded.describe(loaded.rules().get(1)));

        JsonNode json = JsonFiles.MAPPER.readTree(rules.file().toFile());
        assertEquals(2, json.size());
        assertEquals(a.text(), json.get(0).path("text").asText());
        assertEquals(a.added().toString(), json.get(0).path("added").asText());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(rules.file())));
        assertFalse(Files.exists(rules.file().resolveSibling(UserRules.FILE_NAME + ".tmp")));

        assertEquals(a, rules.remove("-a always,exit -F arch=b64 -S execve -F euid=bob"), "by text, without our key");
        assertEquals(b, rules.remove("2"), "by id");
        assertEquals(List.of(), rules.list());
        assertEquals("1", rules.add("-a always,exit -S 59").id(), "ids restart from the highest present");
        UserRules.Refused missing = assertThrows(UserRules.Refused.class, () -> rules.remove("7"));
        assertTrue(missing.getMessage().contains("'7'"), missing.getMessage());
    }

    @Test
    void refusesWhatCannotBeAUserRule() throws Exception {
        assertRefused("-w /etc/passwd -p wa", "-w");
        assertRefused("-D", "-D");
        assertRefused("-e 0", "-e");
        assertRefused("", "empty");
        assertRefused("-a always,exit -S execve", "arch");
        assertRefused("-a always,exit -S all -F path=" + watched + "/nope", "does not exist");
        assertRefused("-a always,exit -S all -F dir=" + watched + "/nope", "does not exist");
        assertRefused("-a always,exit -S all -F dir=" + watched + "/file", "not a directory");
        assertRefused("-a always,exit -S all -F uid=nobody-here", "nobody-here");
        assertRefused("-a always,exit -S all -k " + "k".repeat(9000), "longer than");
        assertEquals(List.of(), rules.list(), "nothing was written");
        assertTrue(rules.add("-a always,exit -S all -F path=" + watched + "/file -F perm=wa").text().contains("path="));
    }

    @Test
    void refusesDuplicatesEvenWhenWrittenDifferently() throws Exception {
        rules.add("-a always,exit -F arch=b64 -S openat,openat2 -F success=0 -k k1");
        assertRefused("-a always,exit -F arch=b64 -S openat,openat2 -F success=0 -k k1", "already in the set as rule 1");
        assertRefused("-a exit,always -F arch=b64 -S openat2 -S openat -F success=0 -kk1", "already");
        assertRefused("-A always,exit -F arch=b64 -S openat,openat2 -F success=0 -k k1", "already");
        rules.add("-a always,exit -F arch=b64 -S openat,openat2 -F success=0 -k k2");
        rules.add("-a always,exit -S all -F uid=0");
        assertRefused("-a always,exit -S all -F uid=root", "already in the set as rule 3");
        assertRefused("-a always,exit -S all -F uid=0 -k " + UserRules.KEY, "already");
    }

    private void assertRefused(String text, String why) {
        UserRules.Refused e = assertThrows(UserRules.Refused.class, () -> rules.add(text), text);
        assertTrue(e.getMessage().contains(why), "expected '" + why + "' in: " + e.getMessage());
    }

    @Test
    void aRuleThatNoLongerParsesRefusesTheWholeSet() throws Exception {
        rules.add("-a always,exit -S all -F uid=bob");
        Files.writeString(state.resolve(UserRules.FILE_NAME), Files.readString(rules.file()).replace("uid=bob", "uid=gone"));
        UserRules.Refused e = assertThrows(UserRules.Refused.class, rules::load);
        assertTrue(e.getMessage().contains("rule 1") && e.getMessage().contains("gone"), e.getMessage());
    }

    @Test
    void aBrokenFileIsAClearError() throws Exception {
        Files.createDirectories(state);
        Files.writeString(rules.file(), "{not json");
        IOException e = assertThrows(IOException.class, rules::list);
        assertTrue(e.getMessage().contains(UserRules.FILE_NAME), e.getMessage());
        Files.writeString(rules.file(), "{\"id\": 1}");
        assertThrows(IOException.class, rules::list);
    }

    @Test
    void concurrentAddsKeepEveryRule() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<UserRules.Entry>> futures = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String text = "-a always,exit -S " + (100 + i);
                // a separate instance per add, as separate `rules add` processes would be
                futures.add(pool.submit(() -> new UserRules(state, AuditRuleParser.forThisHost()).add(text)));
            }
            List<String> ids = new ArrayList<>();
            for (Future<UserRules.Entry> f : futures) {
                ids.add(f.get().id());
            }
            Collections.sort(ids);
            assertEquals(12, rules.list().size());
            assertEquals(12, ids.stream().distinct().count());
        } finally {
            pool.shutdownNow();
        }
        List<AuditRuleData> loaded = rules.load().rules();
        assertEquals(12, loaded.size());
    }
}
