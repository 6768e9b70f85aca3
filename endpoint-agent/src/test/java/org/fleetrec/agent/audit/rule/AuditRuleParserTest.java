package org.fleetrec.agent.audit.rule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.fleetrec.agent.audit.AuditTestData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuditRuleParserTest {
    @TempDir
    Path dir;
    private AuditRuleParser parser;

    @BeforeEach
    void fakeUsers() throws IOException {
        Path passwd = Files.writeString(dir.resolve("passwd"), "root:x:0:0::/root:/bin/sh\nbob:x:1042:1042::/home/bob:/bin/sh\n");
        Path group = Files.writeString(dir.resolve("group"), "root:x:0:\nstaff:x:50:bob\n");
        parser = new AuditRuleParser(passwd, group);
    }

    private AuditRuleData parse(String line) throws AuditRuleSyntaxException {
        return parser.parse(line);
    }

    /** auditctl sends a buffer rounded up past buflen with uninitialised bytes; the kernel reads buflen. */
    private static void assertSameBytes(byte[] auditctl, AuditRuleData mine, String what) {
        byte[] b = mine.toBytes();
        assertArrayEquals(Arrays.copyOf(auditctl, b.length), b, what);
    }

    @Test
    void everyRuleLineOfTheGoldenFilesParsesToAuditctlBytes() throws Exception {
        int same = 0;
        int watches = 0;
        for (String name : List.of("42-injection", "43-module-load", "71-networking")) {
            Path rules = AuditTestData.linuxAudit("go-libaudit/rule/testdata/" + name + ".rules");
            List<AuditRuleDataTest.Golden> goldens = AuditRuleDataTest.readGolden(
                    AuditTestData.linuxAudit("go-libaudit/rule/testdata/" + name + ".rules.golden.yml"));
            List<String> lines = Files.readAllLines(rules).stream()
                    .filter(l -> !l.isBlank() && !l.trim().startsWith("#")).toList();
            assertEquals(goldens.size(), lines.size(), name + ": one golden per rule line");
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                AuditRuleDataTest.Golden g = goldens.get(i);
                if (line.startsWith("-w ")) {
                    // Watches are refused; the rewrite the error message suggests is byte-identical to auditctl's -w.
                    AuditRuleSyntaxException e = assertThrows(AuditRuleSyntaxException.class, () -> parse(g.flags()));
                    assertTrue(e.getMessage().startsWith("'-w': file watches"), e.getMessage());
                    String rewritten = e.getMessage().substring(e.getMessage().indexOf("-a always,exit"));
                    assertSameBytes(g.bytes(), parse(rewritten), name + ": " + rewritten);
                    assertThrows(AuditRuleSyntaxException.class, () -> parse(line));
                    watches++;
                } else {
                    assertEquals(g.flags(), line, name + ": golden order");
                    AuditRuleData rule = parse(line);
                    assertSameBytes(g.bytes(), rule, name + ": " + line);
                    assertEquals(AuditRuleData.fromBytes(g.bytes()), rule, line);
                    same++;
                }
            }
        }
        assertEquals(14, same);
        assertEquals(3, watches);
    }

    @Test
    void listActionPrependAndSyscalls() throws Exception {
        AuditRuleData a = parse("-a always,exit -F arch=b64 -S execve,execveat -k x");
        assertEquals(a, parse("-a exit,always -F arch=b64 -S execve -S execveat -k x"));
        assertEquals(a, parse("-aalways,exit   -Farch=b64\t-S execveat,execve -kx"));
        assertEquals(AuditRuleData.exitAlways().arch(Arch.B64).syscalls("execve", "execveat").key("x"), a);
        AuditRuleData prepended = parse("-A always,exit -F arch=b64 -S execve,execveat -k x");
        assertEquals(AuditRuleData.FILTER_EXIT | AuditRuleParser.FILTER_PREPEND, prepended.flags());
        assertEquals(AuditRuleData.ACTION_NEVER, parse("-a never,exit -S 59").action());
        assertTrue(parse("-a always,exit -S 59").hasSyscall(59), "numbers need no arch");
        assertEquals(parse("-a always,exit -F arch=0xc000003e -S execve"), parse("-a always,exit -F arch=x86_64 -S 59"));
        assertTrue(parse("-a always,exit -F arch=b32 -S execve").hasSyscall(11));
        AuditRuleData all = AuditRuleData.exitAlways().allSyscalls();
        assertEquals(all.key("k"), parse("-a always,exit -S all -k k"));
        assertEquals(all.field(RuleField.UID, Op.EQUAL, 0), parse("-a always,exit -F uid=0"), "no -S = all, as auditctl");
        assertEquals(AuditRuleData.of(AuditRuleData.FILTER_TASK, AuditRuleData.ACTION_NEVER).field(RuleField.UID, Op.EQUAL, 0),
                parse("-a task,never -F uid=0"), "the task list has no syscalls");
    }

    @Test
    void fieldValues() throws Exception {
        assertEquals(-1, onlyField("-a always,exit -S all -F auid=unset").value());
        assertEquals(-1, onlyField("-a always,exit -S all -F auid=-1").value());
        assertEquals(-1, onlyField("-a always,exit -S all -F loginuid=4294967295").value());
        assertEquals(1042, onlyField("-a always,exit -S all -F euid=bob").value());
        assertEquals(50, onlyField("-a always,exit -S all -F egid=staff").value());
        assertEquals(Op.GE.code(), onlyField("-a always,exit -S all -F auid>=1000").op());
        assertEquals(-13, onlyField("-a always,exit -S all -F exit=-EACCES").value());
        assertEquals(1, onlyField("-a always,exit -S all -F exit=EPERM").value());
        assertEquals(-11, onlyField("-a always,exit -S all -F exit=-EWOULDBLOCK").value());
        assertEquals(8, onlyField("-a always,exit -S all -F a0=010").value(), "C octal, like strtoul(v, 0)");
        AuditRuleData.Field bits = onlyField("-a always,exit -S all -F a1&=0x10");
        assertEquals(Op.BITTEST.code(), bits.op());
        assertEquals(16, bits.value());
        assertEquals(Op.BITMASK.code(), onlyField("-a always,exit -S all -F a2&3").op());
        assertEquals(0x4000, onlyField("-a always,exit -S all -F filetype=dir").value());
        AuditRuleData.Field exe = onlyField("-a always,exit -S all -F exe!=/usr/sbin/sshd");
        assertEquals(Op.NOT_EQUAL.code(), exe.op());
        assertEquals("/usr/sbin/sshd", exe.text());
        assertEquals("/tmp/a b", onlyField("-a always,exit -S all -F path=/tmp/a\\ b").text());
        assertEquals(RuleField.DIR, onlyField("-a always,exit -S all -F dir=/etc").field());
        assertEquals(1307, onlyField("-a never,exclude -F msgtype=CWD").value());
        assertEquals(1300, onlyField("-a always,user -F msgtype=1300").value());
        assertEquals(0x74726163, onlyField("-a never,filesystem -F fstype=tracefs").value());
        assertEquals(2 | 8, onlyField("-a always,exit -S all -F perm=wa").value());
    }

    private AuditRuleData.Field onlyField(String line) throws AuditRuleSyntaxException {
        List<AuditRuleData.Field> fields = parse(line).fields();
        assertEquals(1, fields.size(), line);
        return fields.get(0);
    }

    @Test
    void keys() throws Exception {
        AuditRuleData r = parse("-a always,exit -k one -F arch=b64 -S openat -F success=0 -k two");
        assertEquals("one\u0001two", r.key());
        assertEquals(RuleField.FILTERKEY, r.fields().get(r.fields().size() - 1).field(), "-k goes last, as in auditctl");
        AuditRuleData inline = parse("-a always,exit -F arch=b64 -S openat -F key=one -F success=0");
        assertEquals(RuleField.FILTERKEY, inline.fields().get(1).field(), "-F key= stays where it is written");
        assertTrue(parse("-a never,exclude -F msgtype=CWD -k mine").hasKey("mine"), "keys on every list");
        assertFalse(parse("-a always,exit -S all").hasKey("x"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "-w /etc/passwd -p wa -k x                    | -w",
        "-W /etc/passwd                               | -W",
        "-D                                           | -D",
        "-D -k fleetrec                               | -D",
        "-e 2                                         | -e",
        "-b 8192                                      | -b",
        "-f 2                                         | -f",
        "-r 100                                       | -r",
        "-l                                           | -l",
        "-s                                           | -s",
        "-d always,exit -S all                        | -d",
        "--loginuid-immutable                         | --loginuid-immutable",
        "-a always,exit -S all -p wa                  | -p",
        "-a always,exit -S all -C uid!=euid           | -C",
        "-a always,entry -S all                       | -a always,entry",
        "-a possible,exit -S all                      | -a possible,exit",
        "-a always,bogus                              | -a always,bogus",
        "-a always                                    | -a always",
        "-a always,exit -A always,exit                | -A always,exit",
        "-F arch=b64 -S execve                        | -F arch=b64 -S execve",
        "-a always,exit -S execve                     | -S execve",
        "-a always,exit -S 59 -F arch=b64             | -F arch=b64",
        "-a always,exit -F arch=b64 -F arch=b32       | -F arch=b32",
        "-a always,exit -F arch=arm                   | -F arch=arm",
        "-a always,exit -F arch<b64                   | -F arch<b64",
        "-a always,exit -F arch=b64 -S nosuchcall     | nosuchcall",
        "-a always,exit -S 99999                      | -S 99999",
        "-a always,exit -F bogus=1                    | -F bogus=1",
        "-a always,exit -F subj_type=sshd_t           | -F subj_type=sshd_t",
        "-a always,exit -F obj_user=system_u          | -F obj_user=system_u",
        "-a always,exit -F uid=nosuchuser             | -F uid=nosuchuser",
        "-a always,exit -F gid=nosuchgroup            | -F gid=nosuchgroup",
        "-a always,exit -F uid=12abc                  | -F uid=12abc",
        "-a always,exit -F uid=99999999999            | -F uid=99999999999",
        "-a always,exit -F pid=-5                     | -F pid=-5",
        "-a always,exit -F exit=-ENOPE                | -F exit=-ENOPE",
        "-a always,exit -F pid&1                      | -F pid&1",
        "-a always,exit -F exit&=13                   | -F exit&=13",
        "-a always,exit -F path!=/etc/passwd          | -F path!=/etc/passwd",
        "-a always,exit -F path=etc/passwd            | -F path=etc/passwd",
        "-a always,exit -F path=/etc/                 | -F path=/etc/",
        "-a always,exit -F path=/etc/a -F dir=/etc    | -F dir=/etc",
        "-a always,exit -F inode=12 -F path=/etc/a    | -F path=/etc/a",
        "-a always,exit -F dir=/etc -F inode=12       | -F inode=12",
        "-a always,exit -F exe=sshd                   | -F exe=sshd",
        "-a always,exit -F key!=x                     | -F key!=x",
        "-a always,exit -F perm=rq                    | -F perm=rq",
        "-a always,exit -F filetype=door              | -F filetype=door",
        "-a always,exit -F msgtype=SYSCALL            | -F msgtype=SYSCALL",
        "-a always,user -F msgtype=NOPE               | -F msgtype=NOPE",
        "-a always,task -F exit=0                     | -F exit=0",
        "-a always,task -S execve                     | -S execve",
        "-a always,user -S 59                         | -S 59",
        "-a never,exclude -S 59                       | -S 59",
        "-a never,exclude -F euid=0                   | -F euid=0",
        "-a never,filesystem -F uid=0                 | -F uid=0",
        "-a always,exit -F fstype=tracefs             | -F fstype=tracefs",
        "-a always,exit -F uid                        | -F uid",
        "-a always,exit -F uid=                       | -F uid=",
        "-a always,exit -F =5                         | -F =5",
        "-a always,exit -F                            | -F",
        "-a always,exit stray                         | stray",
        "# -a always,exit -S all                      | #",
    })
    void refusedFormsNameTheirToken(String line, String token) {
        AuditRuleSyntaxException e = assertThrows(AuditRuleSyntaxException.class, () -> parse(line.trim()), line);
        assertTrue(e.getMessage().contains(token), "message should name '" + token + "': " + e.getMessage());
        assertTrue(e.token().contains(token) || token.equals("nosuchcall"), e.token());
    }

    @Test
    void refusedWholeLines() {
        assertThrows(AuditRuleSyntaxException.class, () -> parse(""));
        assertThrows(AuditRuleSyntaxException.class, () -> parse("   "));
        assertThrows(AuditRuleSyntaxException.class, () -> parse(null));
        assertThrows(AuditRuleSyntaxException.class, () -> parse("-a always,exit -S all\n-D"));
        String longKey = "k".repeat(200);
        AuditRuleSyntaxException e = assertThrows(AuditRuleSyntaxException.class,
                () -> parse("-a always,exit -S all -k " + longKey + " -k " + longKey));
        assertTrue(e.getMessage().contains("256 bytes"), e.getMessage());
        AuditRuleSyntaxException watch = assertThrows(AuditRuleSyntaxException.class, () -> parse("-w /etc/shadow"));
        assertTrue(watch.getMessage().endsWith("not accepted; write the watch as a syscall rule: "
                + "-a always,exit -F path=/etc/shadow -F perm=rwxa"), watch.getMessage());
        AuditRuleSyntaxException dirWatch = assertThrows(AuditRuleSyntaxException.class,
                () -> parse("-w /etc/ssh/ -p wa -k ssh"));
        assertTrue(dirWatch.getMessage().endsWith("-a always,exit -F dir=/etc/ssh -F perm=wa -k ssh"), dirWatch.getMessage());
    }
}
