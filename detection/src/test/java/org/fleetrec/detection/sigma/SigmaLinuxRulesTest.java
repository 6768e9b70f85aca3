package org.fleetrec.detection.sigma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** All 210 SigmaHQ Linux rules: each loads or is listed with a reason; most must load. */
class SigmaLinuxRulesTest {
    @Test
    void everyLinuxRuleLoadsOrIsRejectedWithAReason() throws IOException {
        Path dir = SharedData.path("sigma/rules/linux");
        long files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(p -> p.toString().endsWith(".yml")).count();
        }
        RuleSet set = RuleSet.load(dir);
        assertEquals(files, set.rules().size() + set.rejected().size(), "every file is accounted for");
        for (Rejected r : set.rejected()) assertFalse(r.reason().isBlank(), r.source());

        Map<String, List<String>> byReason = new TreeMap<>();
        for (Rejected r : set.rejected()) byReason.computeIfAbsent(group(r.reason()), k -> new java.util.ArrayList<>()).add(r.source() + ": " + r.reason());
        System.out.printf("Linux rules: %d files, %d loaded (%.1f %%), %d rejected%n", files, set.rules().size(),
                100.0 * set.rules().size() / files, set.rejected().size());
        byReason.forEach((reason, list) -> {
            System.out.println("  [" + list.size() + "] " + reason);
            list.forEach(l -> System.out.println("      " + l));
        });
        assertTrue(set.rules().size() >= 0.9 * files, "at least 90 % of the Linux rules load: " + set.rules().size() + "/" + files);
    }

    private static String group(String reason) {
        String r = reason.replaceFirst("^search '[^']*', ('[^']*'|keywords): ", "");
        int quote = r.indexOf('\'');
        return quote > 0 ? r.substring(0, quote).trim() : r;
    }
}
