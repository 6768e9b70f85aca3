package org.fleetrec.agent.audit.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default rule set as the agent installs it, compared with what auditctl would send for the same lines. */
class DefaultRulesTest {
    private static final String KEY = "fleetrec";

    @TempDir
    Path dir;
    private AuditRuleParser auditctl;
    private Path shadow;
    private Path sudoersD;
    private Path etc;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(dir.resolve("passwd"), "root:x:0:0::/root:/bin/bash\n");
        Files.writeString(dir.resolve("group"), "root:x:0:\n");
        auditctl = new AuditRuleParser(dir.resolve("passwd"), dir.resolve("group"));
        etc = Files.createDirectories(dir.resolve("etc"));
        shadow = Files.writeString(etc.resolve("shadow"), "root:*:19000:0:99999:7:::\n");
        sudoersD = Files.createDirectories(etc.resolve("sudoers.d"));
    }

    private List<AuditRuleData> build(List<Path> reads) {
        return DefaultRules.build(4242, KEY, List.of(etc), reads, true);
    }

    private AuditRuleData auditctl(String line) throws AuditRuleSyntaxException {
        return auditctl.parse(line);
    }

    @Test
    void theAgentIsNeverAuditedAndComesFirst() throws Exception {
        List<AuditRuleData> rules = build(List.of(shadow));
        assertEquals(auditctl("-A never,exit -S all -F pid=4242 -k " + KEY), rules.get(0));
        for (AuditRuleData r : rules) assertTrue(r.hasKey(KEY), r.toString());
    }

    @Test
    void aReadWatchIsAnOpenForReadingOfTheFileOnBothAbis() throws Exception {
        List<AuditRuleData> rules = build(List.of(shadow));
        for (String arch : List.of("b64", "b32")) {
            AuditRuleData expected = auditctl("-a always,exit -F arch=" + arch + " -S open,openat,openat2 -F path=" + shadow
                    + " -F perm=r -k " + KEY);
            assertTrue(rules.contains(expected), () -> "missing " + expected + " in " + rules);
        }
        assertEquals(2, rules.stream().filter(r -> r.fields().stream().anyMatch(f -> f.field() == RuleField.WATCH)).count());
    }

    @Test
    void readWatchesLeaveOutTheAttributeReads() {
        AuditRuleData read = build(List.of(shadow)).stream()
                .filter(r -> r.fields().stream().anyMatch(f -> f.field() == RuleField.WATCH)).findFirst().orElseThrow();
        // ls -l reads xattrs of every file it lists: those calls are not part of the watch (x86_64 numbers:
        // read, stat, readlink, getxattr, lgetxattr, fgetxattr, listxattr, llistxattr, readlinkat).
        for (int nr : new int[]{0, 4, 89, 191, 192, 193, 194, 195, 267}) assertFalse(read.hasSyscall(nr), "syscall " + nr);
        for (int nr : new int[]{2, 257, 437}) assertTrue(read.hasSyscall(nr), "open/openat/openat2 " + nr);
    }

    @Test
    void aWatchedDirectoryOfFilesIsADirWatch() throws Exception {
        List<AuditRuleData> rules = build(List.of(sudoersD));
        assertTrue(rules.contains(auditctl("-a always,exit -F arch=b64 -S open,openat,openat2 -F dir=" + sudoersD
                + " -F perm=r -k " + KEY)));
    }

    @Test
    void changeWatchesStayAsTheyWere() throws Exception {
        List<AuditRuleData> rules = build(List.of());
        assertTrue(rules.contains(auditctl("-a always,exit -S all -F dir=" + etc + " -F perm=wa -k " + KEY)));
        assertTrue(rules.contains(auditctl("-a always,exit -F arch=b64 -S execve,execveat -k " + KEY)));
        assertTrue(rules.contains(auditctl("-a always,exit -F arch=b32 -S execve,execveat -k " + KEY)));
        assertEquals(build(List.of()).size() + 4, build(List.of(shadow, sudoersD)).size(), "two rules per read watch");
    }

    @Test
    void readWatchesOnlyForExistingFilesWithGlobsExpanded() throws Exception {
        Path ssh = Files.createDirectories(etc.resolve("ssh"));
        Files.writeString(ssh.resolve("ssh_host_ed25519_key"), "k");
        Files.writeString(ssh.resolve("ssh_host_ed25519_key.pub"), "p");
        Files.writeString(ssh.resolve("ssh_host_rsa_key"), "k");
        List<Path> found = DefaultRules.existingReadable(List.of(shadow.toString(), etc + "/gshadow", sudoersD.toString(),
                ssh + "/ssh_host_*_key", dir + "/nowhere/*"));
        assertEquals(List.of(shadow.toRealPath(), sudoersD.toRealPath(), ssh.resolve("ssh_host_ed25519_key").toRealPath(),
                ssh.resolve("ssh_host_rsa_key").toRealPath()), found);
        // The change watches still take directories only.
        assertEquals(List.of(sudoersD.toRealPath()), DefaultRules.existing(List.of(shadow.toString(), sudoersD.toString())));
    }

    @Test
    void theDefaultReadWatchesCoverThePasswordHashesAndTheHostKeys() {
        assertTrue(DefaultRules.READ_WATCHED_PATHS.containsAll(List.of("/etc/shadow", "/etc/gshadow", "/etc/sudoers")));
        assertTrue(DefaultRules.READ_WATCHED_PATHS.stream().anyMatch(p -> p.startsWith("/etc/ssh/ssh_host_")));
    }
}
