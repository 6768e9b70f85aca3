package org.fleetrec.detection.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's address list: what is accepted, and how a bad list is refused with every reason. */
class AddressListTest {
    @TempDir
    Path dir;

    @Test
    void addressesNetworksCommentsAndBlankLines() {
        AddressList list = AddressList.parse("c2.txt", "c2.txt", """
                # feed of 2026-11-20
                203.0.113.7
                198.51.100.0/24   # the whole range
                \t
                2001:db8::1
                2001:db8:dead::/48\r
                ::1
                203.0.113.7
                """);
        assertEquals("c2.txt", list.name());
        assertEquals(List.of("203.0.113.7", "198.51.100.0/24", "2001:db8::1", "2001:db8:dead::/48", "::1"), list.networks(),
                "trimmed, comments dropped, duplicates once");
    }

    @Test
    void eachKindOfBadEntryHasItsReason() {
        assertNull(AddressList.problem("10.0.0.0/8"));
        assertNull(AddressList.problem("fe80::/10"));
        assertNull(AddressList.problem("0.0.0.0/1"));
        assertReason("evil.example.com", "not an IP address");
        assertReason("256.1.2.3", "above 255");
        assertReason("010.1.2.3", "leading zero");
        assertReason("1.2.3", "not an IP address");
        assertReason("1.2.3.4/33", "prefix length (0-32)");
        assertReason("1.2.3.4/", "prefix length");
        assertReason("1.2.3.4/-1", "prefix length");
        assertReason("1.2.3.4/8/8", "prefix length");
        assertReason("2001:db8::/129", "prefix length (0-128)");
        assertReason("0.0.0.0/0", "matches every address");
        assertReason("::/0", "matches every address");
        assertReason("1::2::3", "not a valid IPv6");
        assertReason("::ffff:203.0.113.7", "list it as IPv4");
        assertReason("fe80::1%eth0", "not an IP address");
        assertReason("[2001:db8::1]", "not an IP address");
        assertReason("1.2.3.4 5.6.7.8", "not an IP address");
        assertReason("1.2.3.4,", "not an IP address");
        assertReason("<html><body>503</body></html>", "not an IP address");
    }

    private static void assertReason(String entry, String reason) {
        String problem = AddressList.problem(entry);
        assertTrue(problem != null && problem.contains(reason), entry + " -> " + problem);
    }

    @Test
    void aListWithBadLinesIsRefusedWholeNamingEachLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AddressList.parse("c2.txt", "/etc/fleetrec/c2.txt",
                "203.0.113.7\nevil.example.com\n# fine\n198.51.100.0/24\n300.1.1.1\n"));
        String m = e.getMessage();
        assertTrue(m.contains("/etc/fleetrec/c2.txt refused, 2 invalid lines"), m);
        assertTrue(m.contains("/etc/fleetrec/c2.txt:2: 'evil.example.com'"), m);
        assertTrue(m.contains("/etc/fleetrec/c2.txt:5: '300.1.1.1'"), m);
        assertTrue(!m.contains(":1:") && !m.contains(":4:"), "good lines are not reported: " + m);
    }

    @Test
    void hostileLinesAreReportedBoundedAndPrintable() {
        String control = "1.2.3.4\u001b[31m\u0000";
        String longLine = "9".repeat(100_000);
        StringBuilder many = new StringBuilder(control + "\n" + longLine + "\n");
        for (int i = 0; i < 100; i++) many.append("bad").append(i).append('\n');
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AddressList.parse("x", "x", many.toString()));
        String m = e.getMessage();
        assertTrue(m.contains("\\x1b") && m.contains("\\x00") && !m.contains("\u001b") && !m.contains("\u0000"), m);
        assertTrue(m.contains("'" + "9".repeat(60) + "...'"), "long lines are cut");
        assertTrue(m.contains("102 invalid lines") && m.contains("... and 82 more"), m);
        assertTrue(m.length() < 5_000, "the message stays short: " + m.length());
    }

    @Test
    void boundsOnSizeAndEntries() throws Exception {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= AddressList.MAX_ENTRIES; i++) many.append("10.").append(i / 65536).append('.').append(i / 256 % 256)
                .append('.').append(i % 256).append('\n');
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AddressList.parse("x", "x", many.toString()));
        assertTrue(e.getMessage().contains("more than " + AddressList.MAX_ENTRIES), e.getMessage());

        Path big = Files.writeString(dir.resolve("big.txt"), "# " + "x".repeat((int) AddressList.MAX_BYTES) + "\n");
        e = assertThrows(IllegalArgumentException.class, () -> AddressList.read(big));
        assertTrue(e.getMessage().contains("larger than"), e.getMessage());
    }

    @Test
    void readingAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("feed.txt"), "203.0.113.7\n2001:db8::/32\n");
        AddressList list = AddressList.read(file);
        assertEquals("feed.txt", list.name());
        assertEquals(List.of("203.0.113.7", "2001:db8::/32"), list.networks());

        Path binary = Files.write(dir.resolve("feed.bin"), new byte[]{(byte) 0xff, (byte) 0xfe, 0x31, 0x00});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AddressList.read(binary));
        assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());

        Path missing = dir.resolve("nowhere.txt");
        e = assertThrows(IllegalArgumentException.class, () -> AddressList.read(missing));
        assertTrue(e.getMessage().contains("cannot be read") && e.getMessage().contains("nowhere.txt"), e.getMessage());

        Path latin1 = Files.write(dir.resolve("latin1.txt"), "# café\n203.0.113.7\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThrows(IllegalArgumentException.class, () -> AddressList.read(latin1));
    }
}
