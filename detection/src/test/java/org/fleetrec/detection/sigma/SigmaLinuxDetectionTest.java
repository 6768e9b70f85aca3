package org.fleetrec.detection.sigma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Linux oracles of the shared data's README: OTRF's recorded attacks (section A5) and Sysmon for
 * Linux during Log4Shell (B5), mapped by the agent's own code and run against the SigmaHQ rules.
 */
class SigmaLinuxDetectionTest {
    private static final String PADDING = "sigma/rules/linux/auditd/execve/lnx_auditd_binary_padding.yml";
    private static final String DISCOVERY = "sigma/rules/linux/process_creation/proc_creation_lnx_remote_system_discovery.yml";
    private static final String OTRF = "linux-audit/otrf-security-datasets/";

    @Test
    void binaryPaddingFiresOnTheDdEventOnly() throws IOException {
        RuleSet rule = RuleSet.builder().add(SharedData.path(PADDING)).build();
        assertEquals(1, rule.rules().size(), () -> "loads: " + rule.rejected());
        List<EventDocument> dd = AuditDocuments.of(otrf("sh_binary_padding_dd_2020-11-10081941.log"));
        List<EventDocument> arp = AuditDocuments.of(otrf("sh_arp_cache_2020-11-10074812.log"));
        assertEquals(1, fired(rule, dd).size(), "the one dd exec fires");
        assertEquals("dd if=/dev/zero bs=1 count=1", fired(rule, dd).get(0).text("process.command_line"));
        assertTrue(fired(rule, arp).isEmpty(), "nothing in the arp run pads a binary");
    }

    @Test
    void remoteSystemDiscoveryFiresOnTheArpEventOnly() throws IOException {
        RuleSet rule = RuleSet.builder().add(SharedData.path(DISCOVERY)).build();
        assertEquals(1, rule.rules().size(), () -> "loads: " + rule.rejected());
        List<EventDocument> arp = AuditDocuments.of(otrf("sh_arp_cache_2020-11-10074812.log"));
        List<EventDocument> dd = AuditDocuments.of(otrf("sh_binary_padding_dd_2020-11-10081941.log"));
        assertEquals(2, arp.size(), "arp and grep were executed");
        List<EventDocument> hits = fired(rule, arp);
        assertEquals(1, hits.size(), "arp -a fires, grep does not");
        assertEquals("/usr/sbin/arp", hits.get(0).text("process.executable"));
        assertTrue(fired(rule, dd).isEmpty());
    }

    /** The binary padding rule's "not of=" filter is live: the same dd with an output file stays silent. */
    @Test
    void binaryPaddingFilterExcludesDdWithAnOutputFile() throws IOException {
        RuleSet rule = RuleSet.builder().add(SharedData.path(PADDING)).build();
        EventDocument dd = AuditDocuments.of(otrf("sh_binary_padding_dd_2020-11-10081941.log")).get(0);
        EventDocument withOutput = dd.copy().put("process.command_line", "dd if=/dev/zero of=/tmp/x bs=1 count=1");
        assertFalse(rule.evaluate(dd).isEmpty());
        assertTrue(rule.evaluate(withOutput).isEmpty());
    }

    /** README B5: base64 -d during Log4Shell, seen by Sysmon for Linux. */
    @Test
    void base64DecodeFiresDuringLog4Shell() throws IOException {
        RuleSet rule = RuleSet.builder().add(SharedData.path("sigma/rules/linux/process_creation/proc_creation_lnx_base64_decode.yml")).build();
        assertEquals(1, rule.rules().size(), () -> "loads: " + rule.rejected());
        List<EventDocument> docs = SigmaRegressionTest.documents(SharedData.path("sysmon-linux/otrf-log4shell/sysmon_linux_events.DERIVED.xml"));
        List<EventDocument> hits = fired(rule, docs);
        assertFalse(hits.isEmpty(), "base64 -d fires");
        for (EventDocument d : hits) assertTrue(d.text("process.executable").endsWith("/base64"), d.toString());
    }

    /** All loadable Linux rules over the recorded Linux data: what fires is printed for review, the oracles asserted. */
    @Test
    void allLinuxRulesOverTheRecordedLinuxData() throws IOException {
        RuleSet all = RuleSet.load(SharedData.path("sigma/rules/linux"));
        Set<String> dd = titles(all, AuditDocuments.of(otrf("sh_binary_padding_dd_2020-11-10081941.log")));
        Set<String> arp = titles(all, AuditDocuments.of(otrf("sh_arp_cache_2020-11-10074812.log")));
        Set<String> log4shell = titles(all, SigmaRegressionTest.documents(
                SharedData.path("sysmon-linux/otrf-log4shell/sysmon_linux_events.DERIVED.xml")));
        System.out.println("dd run fires: " + dd);
        System.out.println("arp run fires: " + arp);
        System.out.println("Log4Shell (Sysmon for Linux) fires: " + log4shell);
        assertTrue(dd.contains("Binary Padding - Linux"), dd.toString());
        assertTrue(arp.contains("Linux Remote System Discovery"), arp.toString());
        assertFalse(arp.contains("Binary Padding - Linux"));
    }

    private static Set<String> titles(RuleSet set, List<EventDocument> docs) {
        Set<String> out = new TreeSet<>();
        for (EventDocument d : docs) set.evaluate(d).forEach(m -> out.add(m.title()));
        return out;
    }

    private static List<EventDocument> fired(RuleSet set, List<EventDocument> docs) {
        return docs.stream().filter(d -> !set.evaluate(d).isEmpty()).toList();
    }

    private static Path otrf(String name) {
        return SharedData.path(OTRF + name);
    }
}
