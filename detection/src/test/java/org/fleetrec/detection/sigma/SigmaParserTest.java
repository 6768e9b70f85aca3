package org.fleetrec.detection.sigma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

/** What the parser keeps of a rule: metadata, logsource, and searches as written (values as their text). */
class SigmaParserTest {
    @Test
    void metadataAndLogsource() throws RuleException {
        SigmaRule r = SigmaParser.parse("binary_padding.yml", """
                title: Binary Padding - Linux
                id: c52a914f-3d8b-4b2a-bb75-b3991e75f8ba
                status: test
                description: Adversaries may use binary padding
                references:
                    - https://attack.mitre.org/techniques/T1027/001/
                author: Igor Fits
                tags:
                    - attack.defense-evasion
                    - attack.t1027.001
                    - detection.threat-hunting
                logsource:
                    product: Linux
                    service: auditd
                detection:
                    selection:
                        type: 'EXECVE'
                    condition: selection
                falsepositives: Legitimate script work
                level: High
                """);
        assertEquals("c52a914f-3d8b-4b2a-bb75-b3991e75f8ba", r.id());
        assertEquals("Binary Padding - Linux", r.title());
        assertEquals("test", r.status());
        assertEquals("high", r.level());
        assertEquals("Igor Fits", r.author());
        assertEquals(List.of("attack.defense-evasion", "attack.t1027.001", "detection.threat-hunting"), r.tags());
        assertEquals(List.of("https://attack.mitre.org/techniques/T1027/001/"), r.references());
        assertEquals(List.of("Legitimate script work"), r.falsePositives());
        assertEquals(new LogSource("linux", null, "auditd"), r.logsource());
        assertEquals(List.of("selection"), r.detection().conditions());
    }

    @Test
    void searchesKeepValuesAsWritten() throws RuleException {
        SigmaRule r = SigmaParser.parse("v.yml", """
                title: values
                logsource: {product: windows, category: process_creation}
                detection:
                    sel:
                        - TicketEncryption: 0x17
                          Mode: 0777
                          Flag: yes
                          Empty: ''
                          Nothing:
                          Tilde: ~
                        - CommandLine|contains|all: [a, 'b']
                    keywords:
                        - 'event::clear'
                    more:
                        '|all':
                            - x
                            - y
                    condition: sel or keywords or more
                """);
        SearchIdentifier sel = r.detection().searches().get("sel");
        assertEquals(2, sel.alternatives().size());
        List<SearchIdentifier.Clause> first = sel.alternatives().get(0);
        assertEquals(List.of("0x17"), first.get(0).values());
        assertEquals(List.of("0777"), first.get(1).values());
        assertEquals(List.of("yes"), first.get(2).values());
        assertEquals(List.of(""), first.get(3).values());
        assertEquals(Arrays.asList((String) null), first.get(4).values());
        assertEquals(Arrays.asList((String) null), first.get(5).values());
        SearchIdentifier.Clause all = sel.alternatives().get(1).get(0);
        assertEquals("CommandLine", all.field());
        assertEquals(List.of("contains", "all"), all.modifiers());
        SearchIdentifier.Clause kw = r.detection().searches().get("keywords").alternatives().get(0).get(0);
        assertTrue(kw.isKeyword());
        assertEquals(List.of("event::clear"), kw.values());
        SearchIdentifier.Clause more = r.detection().searches().get("more").alternatives().get(0).get(0);
        assertNull(more.field());
        assertEquals(List.of("all"), more.modifiers());
    }
}
