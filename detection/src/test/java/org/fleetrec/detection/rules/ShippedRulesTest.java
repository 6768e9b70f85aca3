package org.fleetrec.detection.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fleetrec.detection.sigma.CompiledRule;
import org.fleetrec.detection.sigma.EsQueryTranslator;
import org.fleetrec.detection.sigma.EsTranslation;
import org.fleetrec.detection.sigma.RuleSet;
import org.fleetrec.detection.sigma.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole shipped set, with and without what the environment adds: every rule loads. */
class ShippedRulesTest {
    private static RuleSet load(List<RuleSource> sources) {
        RuleSet.Builder b = RuleSet.builder();
        for (RuleSource s : sources) b.add(s.name(), s.yaml());
        return b.build();
    }

    @Test
    void withoutConfigurationTheOwnRules() {
        List<RuleSource> sources = ShippedRules.sources(Map.of());
        assertEquals(OwnRules.sources().size(), sources.size());
        assertTrue(sources.stream().allMatch(s -> s.origin().equals(ShippedRules.ORIGIN) && s.name().startsWith("fleetrec/")));
        RuleSet set = load(sources);
        assertEquals(List.of(), set.rejected());
        assertEquals(sources.size(), set.rules().size());
    }

    @Test
    void everythingTogetherLoadsWithoutARejection(@TempDir Path dir) throws Exception {
        Path list = Files.writeString(dir.resolve("c2.txt"), "203.0.113.7\n2001:db8::/32\n");
        Path sigma = SharedData.path("sigma/rules/linux");
        List<RuleSource> sources = ShippedRules.sources(Map.of(ShippedRules.C2_ADDRESSES, list.toString(),
                ShippedRules.SIGMA_DIR, sigma.toString()));
        RuleSet set = load(sources);
        assertEquals(List.of(), set.rejected());
        int expected = OwnRules.sources().size() + 1 + SigmaHqSelection.manifestIds().size();
        assertEquals(expected, set.rules().size());
        assertEquals(1, sources.stream().filter(s -> s.name().equals("c2-addresses/c2.txt")).count());
        System.out.println("shipped rules with SigmaHQ and an address list: " + set.rules().size());
    }

    /** Hunting through history runs the same rules as queries: the project's own rules must not lose matches there. */
    @Test
    void theOwnRulesAndTheAddressListRuleTranslateCompletely(@TempDir Path dir) throws Exception {
        Path list = Files.writeString(dir.resolve("c2.txt"), "203.0.113.7\n198.51.100.0/24\n2001:db8::/32\n");
        RuleSet set = load(ShippedRules.sources(Map.of(ShippedRules.C2_ADDRESSES, list.toString())));
        for (CompiledRule r : set.rules()) {
            EsTranslation t = EsQueryTranslator.translate(r);
            assertTrue(t instanceof EsTranslation.Query q && q.complete(), r.title() + ": " + t);
        }
    }

    @Test
    void whatTheEnvironmentNamesMustBeUsable(@TempDir Path dir) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ShippedRules.sources(Map.of(ShippedRules.C2_ADDRESSES, dir.resolve("missing.txt").toString())));
        assertTrue(e.getMessage().contains("missing.txt"), e.getMessage());
        Path bad = Files.writeString(dir.resolve("bad.txt"), "203.0.113.7\nnot-an-address\n");
        e = assertThrows(IllegalArgumentException.class, () -> ShippedRules.sources(Map.of(ShippedRules.C2_ADDRESSES, bad.toString())));
        assertTrue(e.getMessage().contains(bad + ":2:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ShippedRules.sources(Map.of(ShippedRules.SIGMA_DIR, dir.resolve("no-such-folder").toString())));
        assertTrue(e.getMessage().contains("not a folder"), e.getMessage());
    }

    @Test
    void anEmptyListOrBlankSettingsAddNothing(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("c2.txt"), "# nothing listed yet\n\n");
        assertEquals(OwnRules.sources().size(), ShippedRules.sources(Map.of(ShippedRules.C2_ADDRESSES, empty.toString())).size());
        assertEquals(OwnRules.sources().size(), ShippedRules.sources(Map.of(ShippedRules.C2_ADDRESSES, " ", ShippedRules.SIGMA_DIR, "")).size());
    }
}
