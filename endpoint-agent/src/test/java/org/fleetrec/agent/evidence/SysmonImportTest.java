package org.fleetrec.agent.evidence;

import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Sysmon export of the shared data goes through the importer with the counts of the data's
 * README: each record read, each Sysmon event made a document of the machine it names, and every
 * other record skipped as another channel; ids are stable across runs and never shared by two events.
 */
class SysmonImportTest {
    /** Records in the file, then event id / count pairs of its Sysmon events (README sections B1–B5). */
    private record Expected(String file, int records, int... idCounts) {
        int sysmonEvents() {
            return IntStream.range(0, idCounts.length / 2).map(i -> idCounts[2 * i + 1]).sum();
        }
    }

    private static final String EVTX = "windows-sysmon/evtx-attack-samples/";
    private static final String OTRF = "windows-sysmon/otrf-security-datasets/";
    private static final List<Expected> FILES = List.of(
            new Expected(EVTX + "AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.xml.gz", 565,
                    1, 511, 13, 30, 7, 5, 11, 4, 3, 4, 12, 3, 19, 2, 20, 2, 21, 2, 5, 1, 10, 1),
            new Expected(EVTX + "Privilege_Escalation/Sysmon_UACME_64.xml.gz", 530, 7, 511, 12, 7, 1, 3, 23, 3, 11, 2, 5, 2, 10, 1, 22, 1),
            new Expected(EVTX + "Persistence/persistence_sysmon_11_13_1_shime_appfix.xml.gz", 237, 1, 175, 13, 37, 11, 25),
            new Expected(EVTX + "Privilege_Escalation/privesc_unquoted_svc_sysmon_1_11.xml.gz", 87, 1, 79, 11, 8),
            new Expected(EVTX + "Command_and_Control/DE_sysmon-3-rdp-tun.xml.gz", 73, 3, 42, 1, 13, 5, 12, 6, 6),
            new Expected(EVTX + "Lateral_Movement/smbmap_upload_exec_sysmon.xml", 27, 3, 7, 13, 7, 12, 6, 11, 4, 1, 3),
            new Expected(EVTX + "Persistence/sysmon_20_21_1_CommandLineEventConsumer.xml", 17, 1, 9, 19, 2, 20, 2, 21, 2, 10, 2),
            new Expected(EVTX + "Lateral_Movement/ImpersonateUser-via_local_Pass_The_Hash_Sysmon_and_Security.xml", 14, 3, 7, 1, 4, 18, 1),
            new Expected(EVTX + "Lateral_Movement/powercat_revShell_sysmon_1_3.xml", 9, 1, 5, 10, 3, 3, 1),
            new Expected(EVTX + "Execution/exec_persist_rundll32_mshta_scheduledtask_sysmon_1_3_11.xml", 8, 1, 4, 3, 3, 11, 1),
            new Expected(EVTX + "Lateral_Movement/LM_wmiexec_impacket_sysmon_whoami.xml", 7, 1, 4, 3, 3),
            new Expected(EVTX + "Credential_Access/sysmon_10_1_memdump_comsvcs_minidump.xml", 6, 1, 2, 7, 2, 11, 1, 10, 1),
            new Expected(EVTX + "Defense_Evasion/sysmon_10_1_ppid_spoofing.xml", 5, 1, 3, 10, 2),
            new Expected(OTRF + "covenant_sharpwmi_create_dcerpc_wmi_2020-08-06035621.json.gz", 2343,
                    1, 5, 3, 48, 5, 4, 7, 227, 9, 8, 10, 594, 11, 17, 12, 502, 13, 304, 17, 1, 18, 4, 22, 1, 23, 1),
            new Expected(OTRF + "schtask_create_2020-12-1907003032.json.gz", 1041,
                    1, 10, 3, 6, 5, 8, 7, 391, 8, 1, 10, 404, 11, 10, 12, 28, 13, 39, 17, 2, 18, 2, 22, 1, 24, 4),
            new Expected(OTRF + "empire_persistence_registry_modification_run_keys_elevated_user_2020-07-22001847.json.gz", 657,
                    3, 46, 5, 3, 7, 10, 9, 2, 10, 30, 11, 2, 12, 19, 13, 13, 18, 4),
            new Expected(OTRF + "psh_mavinject_dll_notepad_2020-10-2121410529.json.gz", 509,
                    1, 2, 3, 2, 7, 100, 8, 1, 9, 3, 10, 242, 11, 4, 12, 72, 13, 37, 22, 2, 24, 2),
            new Expected(OTRF + "cmd_bitsadmin_download_psh_script_2020-10-2302365189.json.gz", 424,
                    1, 2, 3, 8, 5, 2, 7, 141, 9, 4, 10, 96, 11, 6, 12, 55, 13, 15, 18, 2, 22, 3, 23, 2),
            new Expected(OTRF + "psh_lsass_memory_dump_comsvcs_2020-10-18T19500924.json.gz", 184,
                    1, 1, 5, 3, 7, 30, 10, 68, 11, 2, 12, 29, 13, 15),
            new Expected("sysmon-linux/otrf-log4shell/syslog_sysmon_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json", 93,
                    1, 31, 3, 6, 5, 50, 11, 4, 23, 2),
            new Expected("sysmon-linux/otrf-log4shell/sysmon_linux_events.DERIVED.xml", 93, 1, 31, 3, 6, 5, 50, 11, 4, 23, 2),
            new Expected("windows-sysmon/windows-rendered-xml/beats-sysmon-9.01.EXCERPT-records-32-30-23-20.xml", 4, 2, 1, 5, 1, 3, 2),
            new Expected("windows-sysmon/winlogbeat-golden/collection/sysmon-12-processcreate.evtx.golden.json", 1, 1, 1),
            new Expected("windows-sysmon/winlogbeat-golden/collection/sysmon-11-registry.evtx.golden.json", 5, 13, 5),
            new Expected("windows-sysmon/winlogbeat-golden/collection/sysmon-10.2-dns.evtx.golden.EXCERPT-first3.json", 3, 22, 3));

    private static List<Path> files() {
        return FILES.stream().map(e -> CollectingRun.shared(e.file())).toList();
    }

    @Test
    void everyExportImportsWithTheReadmeCountsAndNothingUnexplained() throws Exception {
        CollectingRun run = CollectingRun.of(null, files());
        int records = FILES.stream().mapToInt(Expected::records).sum();
        int events = FILES.stream().mapToInt(Expected::sysmonEvents).sum();
        assertEquals(FILES.size(), run.summary.files());
        assertEquals(records, run.summary.records(), "records read");
        assertEquals(events, run.summary.documents(), "one document per Sysmon event");
        assertEquals(events, run.documents.size());
        assertEquals(Map.of(), run.summary.failed(), "failures");
        for (String reason : run.summary.skipped().keySet()) {
            assertTrue(reason.startsWith("not a Sysmon event (channel "), "unexplained skip: " + reason);
        }
        assertEquals(records - events, ImportSummary.total(run.summary.skipped()), "everything else is another channel");
        for (EventDocument doc : run.documents) {
            assertTrue(doc.text("host.id").matches("[0-9a-f]{32}"), doc.toString());
            assertEquals(ImportRun.AGENT_TYPE, doc.text("agent.type"));
        }
    }

    @Test
    void eachMachineNamedInTheEvidenceIsAHostOfItsOwn() throws Exception {
        CollectingRun run = CollectingRun.of(null, List.of(CollectingRun.shared(OTRF + "covenant_sharpwmi_create_dcerpc_wmi_2020-08-06035621.json.gz")));
        Set<String> hosts = run.documents.stream().map(d -> d.text("host.name").toLowerCase(Locale.ROOT).split("\\.")[0])
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("workstation5", "workstation6", "mordordc"), hosts, "README B2: the run's three machines");
        Map<String, Set<String>> idsByName = new HashMap<>();
        run.documents.forEach(d -> idsByName.computeIfAbsent(d.text("host.name"), n -> new TreeSet<>()).add(d.text("host.id")));
        idsByName.forEach((name, ids) -> assertEquals(1, ids.size(), "one id for " + name));
        assertEquals(3, idsByName.values().stream().flatMap(Set::stream).distinct().count(), "three machines, three ids");
        CollectingRun linux = CollectingRun.of(null, List.of(CollectingRun.shared("sysmon-linux/otrf-log4shell/sysmon_linux_events.DERIVED.xml")));
        assertEquals(Set.of("linux"), linux.documents.stream().map(d -> d.text("host.os.type")).collect(Collectors.toSet()));
        assertEquals(Set.of("windows"), run.documents.stream().map(d -> d.text("host.os.type")).collect(Collectors.toSet()));
    }

    /**
     * The document id is agent:sequence and the agent is the machine: two different events of one
     * machine with one sequence would make the second look already stored, a silent loss.
     */
    @Test
    void sequencesAreTheSameOnEveryImportAndNeverSharedByTwoEvents() throws Exception {
        CollectingRun first = CollectingRun.of(null, files());
        CollectingRun again = CollectingRun.of(null, files());
        assertEquals(keys(first.documents), keys(again.documents), "a second import makes the same ids");
        Map<String, EventDocument> byKey = new HashMap<>();
        List<String> clashes = new ArrayList<>();
        int sameRecordTwice = 0;
        for (EventDocument doc : first.documents) {
            EventDocument other = byKey.putIfAbsent(key(doc), doc);
            if (other == null) continue;
            if (withoutSource(other).equals(withoutSource(doc))) {
                sameRecordTwice++;
            } else {
                clashes.add(other + "\n  vs " + doc);
            }
        }
        assertEquals(List.of(), clashes);
        // Log4Shell's syslog JSON and its DERIVED XML hold the same 93 records: stored once. Identical
        // rows within one OTRF file (no record id, same millisecond) stay events of their own.
        assertEquals(93, sameRecordTwice, "the same record from two exports of it gets one id");
    }

    /**
     * A machine's .evtx and an XML rendering of it are the same records: importing both stores each
     * event once, and the binary file yields exactly what its rendering does.
     */
    @Test
    void anEvtxFileAndItsRenderingAreTheSameEvents() throws Exception {
        List<Path> evtx = new ArrayList<>();
        List<Path> xml = new ArrayList<>();
        for (Expected expected : FILES) {
            if (!expected.file().startsWith(EVTX)) continue;
            Path rendering = CollectingRun.shared(expected.file());
            xml.add(rendering);
            evtx.add(rendering.resolveSibling(rendering.getFileName().toString().replaceFirst("\\.xml(\\.gz)?$", ".evtx")));
        }
        CollectingRun fromEvtx = CollectingRun.of(null, evtx);
        CollectingRun fromXml = CollectingRun.of(null, xml);
        assertEquals(fromXml.summary.records(), fromEvtx.summary.records());
        assertEquals(Map.of(), fromEvtx.summary.failed());
        assertEquals(fromXml.summary.skipped(), fromEvtx.summary.skipped().entrySet().stream().collect(Collectors.toMap(
                Map.Entry::getKey, e -> fromXml.summary.skipped().get(e.getKey()))), "the same records skipped for the same reasons");
        assertEquals(new TreeSet<>(keys(fromXml.documents)), new TreeSet<>(keys(fromEvtx.documents)), "the same document ids");
        Map<String, String> xmlDocs = new HashMap<>();
        fromXml.documents.forEach(d -> xmlDocs.put(key(d), withoutSource(d)));
        for (EventDocument doc : fromEvtx.documents) {
            assertEquals(xmlDocs.get(key(doc)), withoutSource(doc), "the same document for " + key(doc));
        }
    }

    private static List<String> keys(List<EventDocument> docs) {
        return docs.stream().map(SysmonImportTest::key).toList();
    }

    private static String key(EventDocument doc) {
        return doc.text("host.id") + ":" + doc.get("event.sequence").asLong();
    }

    private static String withoutSource(EventDocument doc) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = doc.json().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) copy.path("log")).remove("file");
        return copy.toString();
    }
}
