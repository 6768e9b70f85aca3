package org.fleetrec.detection.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ThreatTest {
    @Test
    void attackTagsBecomeEcsThreatFields() {
        Threat threat = Threat.fromTags(List.of("attack.execution", "attack.t1059.004", "attack.T1059", "attack.t1105",
                "attack.privilege-escalation", "attack.g0032", "attack.s0002", "cve.2021-44228", "detection.emerging-threats",
                "attack.command-and-control", "car.2016-04-005"));
        assertEquals(List.of("Execution", "Privilege Escalation", "Command and Control"), threat.tactics());
        assertEquals(List.of("T1059", "T1105"), threat.techniques(), "each technique once, the parent of a sub-technique included");
        assertEquals(List.of("T1059.004"), threat.subtechniques());
        assertEquals(List.of("G0032"), threat.groups());
        assertEquals(List.of("S0002"), threat.software());
        assertTrue(Threat.fromTags(List.of("cve.2021-44228", "tlp.white")).isEmpty());
    }

    /** Every ATT&CK tag of the shared Sigma rules is read: techniques, sub-techniques and tactics, none lost. */
    @Test
    void everyAttackTagOfTheSharedSigmaRulesIsRead() throws IOException {
        Path rules = Path.of(System.getProperty("fleetrec.root", "."), "../shared/data/sigma/rules").normalize();
        assumeTrue(Files.isDirectory(rules), "shared Sigma rules not present at " + rules
                + " (see /work/shared/data/README.md section E); skipping");
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(rules)) {
            files = walk.filter(p -> p.toString().endsWith(".yml")).toList();
        }
        int techniqueTags = 0;
        int rulesWithThreat = 0;
        for (Path file : files) {
            JsonNode rule = yaml.readTree(file.toFile());
            List<String> tags = new ArrayList<>();
            rule.path("tags").forEach(t -> tags.add(t.asText()));
            Threat threat = Threat.fromTags(tags);
            if (!threat.isEmpty()) rulesWithThreat++;
            for (String tag : tags) {
                String lower = tag.toLowerCase(Locale.ROOT);
                if (!lower.startsWith("attack.")) continue;
                String rest = lower.substring("attack.".length());
                if (rest.matches("t\\d{4}(\\.\\d{3})?")) {
                    techniqueTags++;
                    String id = "T" + rest.substring(1);
                    assertTrue((id.contains(".") ? threat.subtechniques() : threat.techniques()).contains(id), file + ": " + tag);
                    assertTrue(threat.techniques().contains(id.substring(0, 5)), file + ": " + tag);
                } else if (rest.matches("[gs]\\d{4}")) {
                    assertTrue(threat.groups().contains(rest.toUpperCase(Locale.ROOT))
                            || threat.software().contains(rest.toUpperCase(Locale.ROOT)), file + ": " + tag);
                } else {
                    assertTrue(threat.tactics().contains(Threat.tacticName(rest)), file + ": " + tag + " is read as a tactic");
                }
            }
        }
        assertTrue(files.size() > 100, "the shared rules are all there: " + files.size());
        assertTrue(techniqueTags > 100, "techniques seen: " + techniqueTags);
        assertTrue(rulesWithThreat > files.size() / 2, rulesWithThreat + " of " + files.size());
    }
}
