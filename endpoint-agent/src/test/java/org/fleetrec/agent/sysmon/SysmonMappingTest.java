package org.fleetrec.agent.sysmon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Field-level mapping decisions not covered by the golden pairs. */
class SysmonMappingTest {
    private static EventDocument map(int id, Map<String, String> data) {
        return new SysmonMapper().map(new SysmonEvent(id, "pc", Instant.parse("2020-01-01T00:00:00Z"), 7,
                "Microsoft-Windows-Sysmon", data, "Microsoft-Windows-Sysmon/Operational")).orElseThrow();
    }

    @Test
    void windowsCommandLineSplitting() {
        assertEquals(List.of("C:\\a b\\x.exe", "-f", "a\"b", "c\\\\d", "e\\\"f"),
                WindowsCommandLine.split("\"C:\\a b\\x.exe\"  -f a\\\"b c\\\\d \"e\\\\\\\"f\""));
        assertEquals(List.of("C:\\Windows\\system32\\notepad.exe"), WindowsCommandLine.split("\"C:\\Windows\\system32\\notepad.exe\" "));
        // Pre-2008 rule: a doubled quote inside quotes is a literal quote and ends the quoted part.
        assertEquals(List.of("a\"b", "c"), WindowsCommandLine.split("\"a\"\"b c\""));
        assertEquals(List.of("bash", "-c", "{echo,eA==}|{base64,-d}|{bash,-i}"),
                WindowsCommandLine.splitLinux("bash -c {echo,eA==}|{base64,-d}|{bash,-i}"));
    }

    @Test
    void imageLoadHashesGoToDll() {
        EventDocument doc = map(7, Map.of("ImageLoaded", "C:\\Windows\\System32\\x.dll", "ProcessGuid", "{A-B}",
                "Hashes", "SHA1=AA,MD5=BB,SHA256=CC,IMPHASH=00000000000000000000000000000000", "Signed", "true", "SignatureStatus", "Valid"));
        assertEquals("library", doc.text("event.dataset"));
        assertEquals("x.dll", doc.text("dll.name"));
        assertEquals("aa", doc.text("dll.hash.sha1"));
        assertEquals("cc", doc.text("dll.hash.sha256"));
        assertTrue(!doc.has("dll.pe.imphash"), "an all-zero imphash is no hash");
        assertEquals("true", doc.text("dll.code_signature.valid"));
    }

    @Test
    void fileDeleteHashesGoToFile() {
        EventDocument doc = map(23, Map.of("TargetFilename", "C:\\t\\a.ps1", "Hashes", "SHA256=AB", "Archived", "true"));
        assertEquals("deleted", doc.text("event.action"));
        assertEquals("file", doc.text("event.dataset"));
        assertEquals("ab", doc.text("file.hash.sha256"));
        assertEquals("C:\\t", doc.text("file.directory"));
        assertEquals("ps1", doc.text("file.extension"));
        assertEquals("true", doc.text("sysmon.file.archived"));
    }

    @Test
    void registryQwordIsTheSixtyFourBitValue() {
        assertEquals("4294967301", RegistryFields.typed("QWORD (0x00000001-0x00000005)")[1]);
        EventDocument doc = map(12, Map.of("EventType", "DeleteKey", "TargetObject", "HKLM\\SOFTWARE\\x"));
        assertEquals("deleted-registry-key", doc.text("event.action"));
        assertEquals("HKLM", doc.text("registry.hive"));
        assertEquals("SOFTWARE\\x", doc.text("registry.key"));
    }

    @Test
    void processAccessSourceIsTheProcessAndTargetStaysInEventData() {
        EventDocument doc = map(10, Map.of("SourceProcessGUID", "{AA-1}", "SourceProcessId", "8004", "SourceImage", "C:\\p.exe",
                "TargetProcessGUID", "{BB-2}", "TargetImage", "C:\\Windows\\Explorer.EXE", "GrantedAccess", "0x1f3fff", "SourceThreadId", "108"));
        assertEquals("aa-1", doc.text("process.entity_id"));
        assertEquals("108", doc.text("process.thread.id"));
        assertEquals("{BB-2}", doc.text("winlog.event_data.TargetProcessGUID"));
        assertEquals("0x1f3fff", doc.text("winlog.event_data.GrantedAccess"));
    }

    @Test
    void unmappedIdsAndTheirReason() {
        assertTrue(new SysmonMapper().map(new SysmonEvent(4, "pc", Instant.EPOCH, 1, "Microsoft-Windows-Sysmon", Map.of(),
                "Microsoft-Windows-Sysmon/Operational")).isEmpty());
        assertTrue(SysmonMapper.mappedIds().containsAll(List.of(1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26)));
    }

    @Test
    void hostnameIsNeverLookedUp() {
        assertTrue(IpLiterals.parse("example.invalid").isEmpty());
        assertTrue(IpLiterals.parse("abc").isEmpty());
        assertEquals("10.0.0.1", IpLiterals.parse("10.0.0.1").orElseThrow().getHostAddress());
        // Dotted quads the JDK cannot read as literals would go to the resolver: refused here instead.
        assertTrue(IpLiterals.parse("999.1.1.1").isEmpty());
        assertTrue(IpLiterals.parse("010.0.0.1").isEmpty());
        assertEquals("fe80:0:0:0:0:0:0:1", IpLiterals.parse("fe80::1%eth0").orElseThrow().getHostAddress(), "the zone is not an address");
        assertEquals("2001:db8:0:0:0:0:0:1", IpLiterals.parse("[2001:db8::1]").orElseThrow().getHostAddress());
    }
}
