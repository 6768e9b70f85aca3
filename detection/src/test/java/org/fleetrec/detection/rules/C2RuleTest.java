package org.fleetrec.detection.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.fleetrec.detection.sigma.AuditDocuments;
import org.fleetrec.detection.sigma.RuleSet;
import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;

/** The rule made of an address list, on connections mapped by the agent's network mapper. */
class C2RuleTest {
    private static final String LIST = """
            203.0.113.7
            198.51.100.0/24
            2001:db8:bad::/48
            """;

    private static RuleSet rule(String name, String text) {
        RuleSource source = C2Rule.source(AddressList.parse(name, name, text));
        RuleSet set = RuleSet.builder().add(source.name(), source.yaml()).build();
        assertEquals(List.of(), set.rejected(), source.yaml());
        assertEquals(1, set.rules().size());
        return set;
    }

    private static boolean fires(RuleSet set, AuditLines lines) {
        List<EventDocument> docs = AuditDocuments.of(lines.lines());
        assertEquals(1, docs.size(), "one network document");
        return !set.evaluate(docs.get(0)).isEmpty();
    }

    @Test
    void egressToAListedAddressOrNetworkFires() {
        RuleSet set = rule("c2.txt", LIST);
        assertTrue(fires(set, new AuditLines().connect(300, "/usr/bin/curl", "203.0.113.7", 443)));
        assertTrue(fires(set, new AuditLines().connect(300, "/tmp/.x/agent", "198.51.100.200", 8443)));
        assertTrue(fires(set, new AuditLines().connect(300, "/usr/bin/python3.11", "2001:db8:bad:1::10", 80)));
        assertTrue(!fires(set, new AuditLines().connect(300, "/usr/bin/curl", "203.0.113.8", 443)));
        assertTrue(!fires(set, new AuditLines().connect(300, "/usr/bin/curl", "198.51.101.1", 443)));
        assertTrue(!fires(set, new AuditLines().connect(300, "/usr/bin/curl", "2001:db8:bae::1", 443)));
    }

    @Test
    void ingressFromAListedAddressFires() {
        RuleSet set = rule("c2.txt", LIST);
        assertTrue(fires(set, new AuditLines().accept(310, "/usr/sbin/sshd", "198.51.100.9", 51234)));
        assertTrue(!fires(set, new AuditLines().accept(310, "/usr/sbin/sshd", "192.0.2.9", 51234)));
    }

    @Test
    void theIdFollowsTheFileNameNotTheContent() {
        RuleSet first = rule("c2.txt", LIST);
        RuleSet reloaded = rule("c2.txt", "192.0.2.1\n");
        RuleSet other = rule("feed-b.txt", LIST);
        assertEquals(first.rules().get(0).id(), reloaded.rules().get(0).id());
        assertNotEquals(first.rules().get(0).id(), other.rules().get(0).id());
        assertEquals(C2Rule.id("c2.txt"), first.rules().get(0).id());
    }

    @Test
    void aHostileFileNameStaysText() {
        RuleSet set = rule("c2'\n\"level: low\ncondition: x#.txt", LIST);
        assertEquals("high", set.rules().get(0).level());
        assertTrue(fires(set, new AuditLines().connect(300, "/usr/bin/curl", "203.0.113.7", 443)));
    }

    @Test
    void aFullListLoadsAndMatchesItsLastEntry() {
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < AddressList.MAX_ENTRIES - 1; i++) entries.add("10." + (i / 256) + "." + (i % 256) + ".0/24");
        entries.add("2001:db8:ffff::1");
        RuleSet set = rule("big.txt", String.join("\n", entries));
        assertTrue(fires(set, new AuditLines().connect(300, "/usr/bin/curl", "2001:db8:ffff::1", 443)));
        assertTrue(fires(set, new AuditLines().connect(300, "/usr/bin/curl", "10.19.2.77", 443)));
        assertTrue(!fires(set, new AuditLines().connect(300, "/usr/bin/curl", "10.200.0.1", 443)));
        EventDocument doc = AuditDocuments.of(new AuditLines().connect(300, "/usr/bin/curl", "10.19.2.77", 443).lines()).get(0);
        long start = System.nanoTime();
        for (int i = 0; i < 10_000; i++) set.evaluate(doc);
        long perEvent = (System.nanoTime() - start) / 10_000;
        assertTrue(perEvent < 200_000, "a network event against " + entries.size() + " networks takes " + perEvent + " ns");
    }

    @Test
    void addressesThatAreNotLiteralsNeverMatch() {
        RuleSet set = rule("c2.txt", "0.0.0.0/1\n128.0.0.0/1\n");
        EventDocument doc = AuditDocuments.of(new AuditLines().connect(300, "/usr/bin/curl", "203.0.113.7", 443).lines()).get(0);
        assertTrue(!set.evaluate(doc).isEmpty());
        for (String forged : List.of("999.1.1.1", "010.1.1.1", "evil.example.com", "")) {
            assertTrue(set.evaluate(doc.copy().put("destination.ip", forged)).isEmpty(), forged);
        }
    }
}
