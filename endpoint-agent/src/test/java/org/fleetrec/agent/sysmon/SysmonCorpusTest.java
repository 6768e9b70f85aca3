package org.fleetrec.agent.sysmon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.fleetrec.agent.sysmon.SysmonTestData.counts;

import org.fleetrec.model.Dataset;
import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every Sysmon file of the shared data (the attack samples both as .evtx and as their XML
 * rendering) reads without an unexplained error, and the mapped events per event id equal the
 * README's tables; everything else is reported as not Sysmon.
 */
class SysmonCorpusTest {
    private record Expected(String file, int records, Map<Integer, Integer> byId) {
    }

    private static final String EVTX = "windows-sysmon/evtx-attack-samples/";
    private static final String OTRF = "windows-sysmon/otrf-security-datasets/";
    private static final Map<Integer, Integer> LOG4SHELL = counts(1, 31, 3, 6, 5, 50, 11, 4, 23, 2);

    private static final List<Expected> FILES = List.of(
            new Expected(EVTX + "AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.xml.gz", 565,
                    counts(1, 511, 13, 30, 7, 5, 11, 4, 3, 4, 12, 3, 19, 2, 20, 2, 21, 2, 5, 1, 10, 1)),
            new Expected(EVTX + "Privilege_Escalation/Sysmon_UACME_64.xml.gz", 530,
                    counts(7, 511, 12, 7, 1, 3, 23, 3, 11, 2, 5, 2, 10, 1, 22, 1)),
            new Expected(EVTX + "Persistence/persistence_sysmon_11_13_1_shime_appfix.xml.gz", 237, counts(1, 175, 13, 37, 11, 25)),
            new Expected(EVTX + "Privilege_Escalation/privesc_unquoted_svc_sysmon_1_11.xml.gz", 87, counts(1, 79, 11, 8)),
            new Expected(EVTX + "Command_and_Control/DE_sysmon-3-rdp-tun.xml.gz", 73, counts(3, 42, 1, 13, 5, 12, 6, 6)),
            new Expected(EVTX + "Lateral_Movement/smbmap_upload_exec_sysmon.xml", 27, counts(3, 7, 13, 7, 12, 6, 11, 4, 1, 3)),
            new Expected(EVTX + "Persistence/sysmon_20_21_1_CommandLineEventConsumer.xml", 17, counts(1, 9, 19, 2, 20, 2, 21, 2, 10, 2)),
            new Expected(EVTX + "Lateral_Movement/ImpersonateUser-via_local_Pass_The_Hash_Sysmon_and_Security.xml", 14, counts(3, 7, 1, 4, 18, 1)),
            new Expected(EVTX + "Lateral_Movement/powercat_revShell_sysmon_1_3.xml", 9, counts(1, 5, 10, 3, 3, 1)),
            new Expected(EVTX + "Execution/exec_persist_rundll32_mshta_scheduledtask_sysmon_1_3_11.xml", 8, counts(1, 4, 3, 3, 11, 1)),
            new Expected(EVTX + "Lateral_Movement/LM_wmiexec_impacket_sysmon_whoami.xml", 7, counts(1, 4, 3, 3)),
            new Expected(EVTX + "Credential_Access/sysmon_10_1_memdump_comsvcs_minidump.xml", 6, counts(1, 2, 7, 2, 11, 1, 10, 1)),
            new Expected(EVTX + "Defense_Evasion/sysmon_10_1_ppid_spoofing.xml", 5, counts(1, 3, 10, 2)),
            new Expected(OTRF + "covenant_sharpwmi_create_dcerpc_wmi_2020-08-06035621.json.gz", 2343,
                    counts(1, 5, 3, 48, 5, 4, 7, 227, 9, 8, 10, 594, 11, 17, 12, 502, 13, 304, 17, 1, 18, 4, 22, 1, 23, 1)),
            new Expected(OTRF + "schtask_create_2020-12-1907003032.json.gz", 1041,
                    counts(1, 10, 3, 6, 5, 8, 7, 391, 8, 1, 10, 404, 11, 10, 12, 28, 13, 39, 17, 2, 18, 2, 22, 1, 24, 4)),
            new Expected(OTRF + "empire_persistence_registry_modification_run_keys_elevated_user_2020-07-22001847.json.gz", 657,
                    counts(3, 46, 5, 3, 7, 10, 9, 2, 10, 30, 11, 2, 12, 19, 13, 13, 18, 4)),
            new Expected(OTRF + "psh_mavinject_dll_notepad_2020-10-2121410529.json.gz", 509,
                    counts(1, 2, 3, 2, 7, 100, 8, 1, 9, 3, 10, 242, 11, 4, 12, 72, 13, 37, 22, 2, 24, 2)),
            new Expected(OTRF + "cmd_bitsadmin_download_psh_script_2020-10-2302365189.json.gz", 424,
                    counts(1, 2, 3, 8, 5, 2, 7, 141, 9, 4, 10, 96, 11, 6, 12, 55, 13, 15, 18, 2, 22, 3, 23, 2)),
            new Expected(OTRF + "psh_lsass_memory_dump_comsvcs_2020-10-18T19500924.json.gz", 184,
                    counts(1, 1, 5, 3, 7, 30, 10, 68, 11, 2, 12, 29, 13, 15)),
            new Expected("sysmon-linux/otrf-log4shell/syslog_sysmon_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json", 93, LOG4SHELL),
            new Expected("sysmon-linux/otrf-log4shell/sysmon_linux_events.DERIVED.xml", 93, LOG4SHELL),
            new Expected("windows-sysmon/windows-rendered-xml/beats-sysmon-9.01.EXCERPT-records-32-30-23-20.xml", 4, counts(2, 1, 5, 1, 3, 2)),
            new Expected("windows-sysmon/winlogbeat-golden/collection/sysmon-12-processcreate.evtx.golden.json", 1, counts(1, 1)),
            new Expected("windows-sysmon/winlogbeat-golden/collection/sysmon-11-registry.evtx.golden.json", 5, counts(13, 5)),
            new Expected("windows-sysmon/winlogbeat-golden/collection/sysmon-10.2-dns.evtx.golden.EXCERPT-first3.json", 3, counts(22, 3)));

    /** Each attack sample's original .evtx must read to the same counts as its XML rendering. */
    private static Stream<Expected> withEvtxOriginals() {
        return FILES.stream().flatMap(e -> e.file().startsWith(EVTX)
                ? Stream.of(e, new Expected(e.file().replaceAll("\\.xml(\\.gz)?$", ".evtx"), e.records(), e.byId()))
                : Stream.of(e));
    }

    @TestFactory
    Stream<DynamicTest> everyFileReadsAndMapsAsTheReadmeCounts() {
        return withEvtxOriginals().map(expected -> DynamicTest.dynamicTest(expected.file(), () -> {
            Path file = SysmonTestData.shared(expected.file());
            List<SysmonItem> items = SysmonTestData.items(file);
            List<String> problems = new ArrayList<>();
            for (SysmonItem item : items) {
                if (item instanceof SysmonItem.Failed f) problems.add("line " + f.line() + ": " + f.reason());
                if (item instanceof SysmonItem.Skipped s && !s.reason().startsWith("not a Sysmon event (channel ")) {
                    problems.add("line " + s.line() + ": " + s.reason());
                }
            }
            assertEquals(List.of(), problems, "unexplained records in " + expected.file());
            assertEquals(expected.records(), items.size(), "records in " + expected.file());
            List<EventDocument> docs = SysmonTestData.mapped(file);
            assertEquals(expected.byId(), SysmonTestData.countByEventId(docs), "mapped events by id in " + expected.file());
            long sysmon = SysmonTestData.events(items).size();
            assertEquals(sysmon, docs.size(), "every Sysmon event maps");
            for (EventDocument doc : docs) assertWellFormed(doc, expected.file());
            System.out.printf("sysmon corpus: %-110s records=%d mapped=%d skipped=%d %s%n", expected.file(), items.size(),
                    docs.size(), items.size() - sysmon, SysmonTestData.countByEventId(docs));
        }));
    }

    private static void assertWellFormed(EventDocument doc, String file) {
        for (String field : List.of("@timestamp", "event.dataset", "event.action", "event.kind", "event.code", "host.name")) {
            assertTrue(doc.has(field), field + " missing in " + file + ": " + doc);
        }
        assertTrue(Dataset.fromId(doc.text("event.dataset")).isPresent(), "dataset " + doc.text("event.dataset"));
        String entity = doc.text("process.entity_id");
        if (entity != null) {
            assertEquals(entity.toLowerCase(java.util.Locale.ROOT), entity, "entity ids are lower case");
            assertTrue(!entity.startsWith("{"), "entity ids have no braces");
        }
    }

    @Test
    void nonSysmonChannelsAreNamedInTheSkipReason() {
        Path file = SysmonTestData.shared(OTRF + "schtask_create_2020-12-1907003032.json.gz");
        List<String> reasons = SysmonTestData.items(file).stream()
                .filter(i -> i instanceof SysmonItem.Skipped).map(i -> ((SysmonItem.Skipped) i).reason()).distinct().toList();
        assertTrue(reasons.contains("not a Sysmon event (channel Security)"), reasons.toString());
    }
}
