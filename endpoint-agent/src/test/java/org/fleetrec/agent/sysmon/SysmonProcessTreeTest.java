package org.fleetrec.agent.sysmon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * For every dataset with process creations, each ParentProcessGuid → ProcessGuid link of the raw
 * data is a process.parent.entity_id → process.entity_id link of the documents, and the documents
 * match what the web's process tree queries: exec = dataset process + action executed, exit =
 * action ended.
 */
class SysmonProcessTreeTest {
    private static final List<String> FILES = List.of(
            "windows-sysmon/evtx-attack-samples/AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.xml.gz",
            "windows-sysmon/evtx-attack-samples/Persistence/persistence_sysmon_11_13_1_shime_appfix.xml.gz",
            "windows-sysmon/evtx-attack-samples/Privilege_Escalation/Sysmon_UACME_64.xml.gz",
            "windows-sysmon/evtx-attack-samples/Privilege_Escalation/privesc_unquoted_svc_sysmon_1_11.xml.gz",
            "windows-sysmon/evtx-attack-samples/Command_and_Control/DE_sysmon-3-rdp-tun.xml.gz",
            "windows-sysmon/evtx-attack-samples/Defense_Evasion/sysmon_10_1_ppid_spoofing.xml",
            "windows-sysmon/evtx-attack-samples/Persistence/sysmon_20_21_1_CommandLineEventConsumer.xml",
            "windows-sysmon/evtx-attack-samples/Lateral_Movement/LM_wmiexec_impacket_sysmon_whoami.xml",
            "windows-sysmon/otrf-security-datasets/covenant_sharpwmi_create_dcerpc_wmi_2020-08-06035621.json.gz",
            "windows-sysmon/otrf-security-datasets/schtask_create_2020-12-1907003032.json.gz",
            "windows-sysmon/otrf-security-datasets/psh_mavinject_dll_notepad_2020-10-2121410529.json.gz",
            "windows-sysmon/winlogbeat-golden/collection/sysmon-12-processcreate.evtx.golden.json",
            "sysmon-linux/otrf-log4shell/sysmon_linux_events.DERIVED.xml",
            "sysmon-linux/otrf-log4shell/syslog_sysmon_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json");

    @TestFactory
    Stream<DynamicTest> everyRawParentLinkIsAnEntityLink() {
        return FILES.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            Path file = SysmonTestData.shared(name);
            Set<String> raw = new HashSet<>();
            for (SysmonEvent e : SysmonTestData.events(SysmonTestData.items(file))) {
                if (e.eventId() != 1) continue;
                String child = SysmonIds.entityId(e, "ProcessGuid", "ProcessId");
                String parent = SysmonIds.entityId(e, "ParentProcessGuid", "ParentProcessId");
                if (child != null && parent != null) raw.add(parent + " -> " + child);
            }
            Set<String> mapped = new HashSet<>();
            // One entity, one process creation: a second one would hang two processes' children under one node.
            Set<String> created = new HashSet<>();
            List<String> reused = new java.util.ArrayList<>();
            int exits = 0;
            for (EventDocument doc : SysmonTestData.mapped(file)) {
                String code = doc.text("event.code");
                if ("1".equals(code)) {
                    assertEquals("process", doc.text("event.dataset"));
                    assertEquals("executed", doc.text("event.action"));
                    assertTrue(doc.has("process.entity_id"), doc.toString());
                    if (!created.add(doc.text("process.entity_id"))) reused.add(doc.text("process.entity_id"));
                    if (doc.has("process.parent.entity_id")) {
                        mapped.add(doc.text("process.parent.entity_id") + " -> " + doc.text("process.entity_id"));
                    }
                } else if ("5".equals(code)) {
                    assertEquals("ended", doc.text("event.action"));
                    assertTrue(doc.has("process.end"), doc.toString());
                    exits++;
                }
            }
            assertTrue(!raw.isEmpty(), "no process creations in " + name);
            assertEquals(raw, mapped, name);
            assertEquals(List.of(), reused, "entity ids created twice in " + name);
            System.out.printf("sysmon tree: %s links=%d exits=%d%n", name, raw.size(), exits);
        }));
    }
}
