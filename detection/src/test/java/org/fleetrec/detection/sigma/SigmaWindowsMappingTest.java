package org.fleetrec.detection.sigma;

import static org.fleetrec.detection.sigma.TestRules.fires;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;

import java.util.List;

/** Sysmon fields whose ECS form differs from the rule's spelling, on documents shaped like SysmonMapper's. */
class SigmaWindowsMappingTest {
    private static RuleSet windows(String category, String detection) {
        RuleSet s = TestRules.set("product: windows\ncategory: " + category + "\n", detection);
        if (!s.rejected().isEmpty()) throw new AssertionError(s.rejected().toString());
        return s;
    }

    private static EventDocument sysmon(String dataset, String action, String code) {
        return EventDocument.create().put("event.dataset", dataset).put("event.action", action).put("event.code", code)
                .put("event.module", "sysmon").put("event.provider", "Microsoft-Windows-Sysmon");
    }

    @Test
    void registryDwordIsStoredAsADecimalNumber() {
        RuleSet r = windows("registry_set", "sel:\n  TargetObject|endswith: '\\AmsiEnable'\n  Details: 'DWORD (0x00000000)'\ncondition: sel");
        EventDocument set = sysmon("registry", "modified-registry-value", "13")
                .put("registry.path", "HKCU\\Software\\Microsoft\\Windows Script\\Settings\\AmsiEnable")
                .put("registry.data.type", "SZ_DWORD").putAll("registry.data.strings", List.of("0"));
        assertTrue(fires(r, set));
        assertFalse(fires(r, set.copy().putAll("registry.data.strings", List.of("1"))));
        assertTrue(TestRules.set("product: windows\ncategory: registry_set\n", "sel:\n  Details|startswith: 'DWORD (0x0000'\ncondition: sel")
                .rejected().get(0).reason().contains("stored in decimal"));
    }

    @Test
    void hashesAreSplitByAlgorithm() {
        RuleSet r = windows("process_creation", "sel:\n  Hashes|contains:\n    - 'IMPHASH=ABCDEF0123'\n    - 'MD5=00FF'\ncondition: sel");
        EventDocument p = sysmon("process", "executed", "1").put("process.pe.imphash", "abcdef0123");
        assertTrue(fires(r, p));
        assertTrue(fires(r, sysmon("process", "executed", "1").put("process.hash.md5", "00ff")));
        assertFalse(fires(r, sysmon("process", "executed", "1").put("process.hash.md5", "00fe")));
    }

    @Test
    void unmappedFieldsAreReadFromEventData() {
        RuleSet r = windows("process_access", "sel:\n  SourceImage|endswith: '\\WerFaultSecure.exe'\n  GrantedAccess: '0x1fffff'\ncondition: sel");
        EventDocument access = sysmon("process", "accessed-process", "10").put("process.executable", "C:\\Windows\\WerFaultSecure.exe");
        access.json().putObject("winlog").putObject("event_data").put("GrantedAccess", "0x1FFFFF");
        assertTrue(fires(r, access));
    }

    @Test
    void userIsDomainBackslashName() {
        RuleSet r = windows("process_creation", "sel:\n  User|contains:\n    - 'AUTHORI'\n    - 'AUTORI'\ncondition: sel");
        EventDocument system = sysmon("process", "executed", "1").put("user.domain", "NT AUTHORITY").put("user.name", "SYSTEM");
        assertTrue(fires(r, system));
        assertFalse(fires(r, sysmon("process", "executed", "1").put("user.domain", "CORP").put("user.name", "alice")));
        assertTrue(fires(windows("process_creation", "sel:\n  User: 'nt authority\\system'\ncondition: sel"), system));
    }

    @Test
    void initiatedIsTheDirection() {
        RuleSet r = windows("network_connection", "sel:\n  Initiated: 'true'\n  DestinationPort: 4444\ncondition: sel");
        EventDocument out = sysmon("network", "connected-to", "3").put("network.direction", "egress").put("destination.port", 4444);
        assertTrue(fires(r, out));
        assertFalse(fires(r, out.copy().put("network.direction", "ingress")));
    }

    @Test
    void windowsRulesDoNotMeetLinuxEvents() {
        RuleSet r = windows("process_creation", "sel:\n  Image|endswith: /curl\ncondition: sel");
        assertFalse(fires(r, TestRules.exec("/usr/bin/curl", "curl")));
    }
}
