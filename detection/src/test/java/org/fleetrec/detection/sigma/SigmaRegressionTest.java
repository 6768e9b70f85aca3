package org.fleetrec.detection.sigma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fleetrec.agent.sysmon.SysmonItem;
import org.fleetrec.agent.sysmon.SysmonMapper;
import org.fleetrec.agent.sysmon.SysmonReader;
import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * SigmaHQ's regression triples: each rule must fire on its own recorded Sysmon events once the
 * agent's real reader and mapper have made ECS documents of them. A mutated copy of the rule, with
 * every selection value changed, must stay silent on the same events, so a rule that matched
 * anything would not pass.
 */
public class SigmaRegressionTest {
    @TestFactory
    Stream<DynamicTest> everyRegressionRuleFiresOnItsEvents() throws IOException {
        Path root = SharedData.path("sigma/regression");
        List<Path> cases;
        try (Stream<Path> dirs = Files.list(root)) {
            cases = dirs.filter(Files::isDirectory).sorted().toList();
        }
        assertEquals(15, cases.size(), "the README lists 15 regression sets");
        return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
    }

    private static void check(Path dir) throws IOException {
        Path ruleFile;
        Path evtx;
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.sorted().toList();
            ruleFile = all.stream().filter(p -> p.getFileName().toString().startsWith("rule_")).findFirst().orElseThrow();
            evtx = all.stream().filter(p -> p.toString().endsWith(".evtx")).findFirst().orElseThrow();
        }
        String yaml = Files.readString(ruleFile);
        RuleSet set = RuleSet.builder().add(ruleFile.getFileName().toString(), yaml).build();
        assertTrue(set.rejected().isEmpty(), () -> "rule loads: " + set.rejected());
        CompiledRule rule = set.rules().get(0);

        List<EventDocument> docs = documents(evtx);
        assertFalse(docs.isEmpty(), "the evtx yields documents");
        long fired = docs.stream().filter(d -> !set.evaluate(d).isEmpty()).count();
        System.out.printf("%-55s %d/%d events fire '%s'%n", dir.getFileName(), fired, docs.size(), rule.title());
        assertTrue(fired > 0, () -> rule.title() + " fires on none of " + docs.size() + " events; first: " + docs.get(0));

        RuleSet mutated = RuleSet.builder().add(RuleMutation.mutate(rule.rule())).build();
        assertTrue(mutated.rejected().isEmpty(), () -> "mutated rule loads: " + mutated.rejected());
        for (EventDocument d : docs) {
            assertTrue(mutated.evaluate(d).isEmpty(), () -> "mutated rule must not fire on " + d);
        }
    }

    /** Each Sysmon record of the file, read and mapped by the agent's own code. */
    public static List<EventDocument> documents(Path file) throws IOException {
        SysmonMapper mapper = new SysmonMapper();
        List<EventDocument> out = new ArrayList<>();
        try (Stream<SysmonItem> items = SysmonReader.items(file)) {
            items.forEach(item -> {
                if (item instanceof SysmonItem.Event e) mapper.map(e.event()).ifPresent(out::add);
                else if (item instanceof SysmonItem.Failed f) throw new AssertionError("unreadable record: " + f.reason());
            });
        }
        return out;
    }

}
