package org.fleetrec.detection.sigma;

import static org.fleetrec.detection.sigma.TestRules.exec;
import static org.fleetrec.detection.sigma.TestRules.fires;
import static org.fleetrec.detection.sigma.TestRules.process;
import static org.fleetrec.detection.sigma.TestRules.rejectedProcess;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;

/** Condition forms: and, or, not, parentheses, x of pattern, x of them, condition lists, and what is refused. */
class SigmaConditionTest {
    private static final String SEARCHES = "a:\n  Image|endswith: /a\nb:\n  CommandLine|contains: ' -b'\nc:\n  CommandLine|contains: ' -c'\n";
    private static final EventDocument A = exec("/bin/a", "a");
    private static final EventDocument AB = exec("/bin/a", "a", "-b");
    private static final EventDocument AC = exec("/bin/a", "a", "-c");
    private static final EventDocument ABC = exec("/bin/a", "a", "-b", "-c");
    private static final EventDocument XB = exec("/bin/x", "x", "-b");

    @Test
    void precedenceIsNotThenAndThenOr() {
        RuleSet r = process(SEARCHES + "condition: a and b or c");
        assertTrue(fires(r, AB));
        assertTrue(fires(r, exec("/bin/x", "x", "-c")));
        assertFalse(fires(r, XB));
        RuleSet n = process(SEARCHES + "condition: a and not b or c");
        assertTrue(fires(n, A));
        assertFalse(fires(n, AB));
        assertTrue(fires(n, ABC), "(a and not b) or c");
    }

    @Test
    void parenthesesGroup() {
        RuleSet r = process(SEARCHES + "condition: a and (b or c)");
        assertTrue(fires(r, AB));
        assertTrue(fires(r, AC));
        assertFalse(fires(r, A));
        assertFalse(fires(r, XB));
        RuleSet n = process(SEARCHES + "condition: a and not (b or c)");
        assertTrue(fires(n, A));
        assertFalse(fires(n, AC));
    }

    @Test
    void oneOfAndAllOfPatterns() {
        String s = "sel_img:\n  Image|endswith: /a\nsel_cli:\n  CommandLine|contains: ' -b'\nfilter_c:\n  CommandLine|contains: ' -c'\n";
        RuleSet all = process(s + "condition: all of sel_* and not 1 of filter*");
        assertTrue(fires(all, AB));
        assertFalse(fires(all, A));
        assertFalse(fires(all, ABC));
        RuleSet one = process(s + "condition: 1 of sel_*");
        assertTrue(fires(one, A));
        assertTrue(fires(one, XB));
        assertFalse(fires(one, exec("/bin/x", "x")));
    }

    @Test
    void themSkipsUnderscoreIdentifiers() {
        String s = "a:\n  Image|endswith: /a\n_helper:\n  CommandLine|contains: ' -zzz'\n";
        assertTrue(fires(process(s + "condition: all of them"), A), "_helper is not part of 'them'");
        assertTrue(fires(process(SEARCHES + "condition: 1 of them"), XB));
        assertFalse(fires(process(SEARCHES + "condition: all of them"), AB));
        assertTrue(fires(process(SEARCHES + "condition: all of them"), ABC));
    }

    @Test
    void listsOfMapsAreOrMapsAreAnd() {
        RuleSet r = process("sel:\n  - Image|endswith: /a\n    CommandLine|contains: ' -b'\n  - Image|endswith: /x\ncondition: sel");
        assertTrue(fires(r, AB));
        assertFalse(fires(r, A));
        assertTrue(fires(r, exec("/bin/x", "x")));
    }

    @Test
    void conditionListIsOr() {
        RuleSet r = process(SEARCHES + "condition:\n  - a and b\n  - c");
        assertTrue(fires(r, AB));
        assertTrue(fires(r, exec("/bin/x", "x", "-c")));
        assertFalse(fires(r, A));
    }

    @Test
    void refusedConditionsSayWhy() {
        assertTrue(rejectedProcess(SEARCHES + "condition: a | count() by Image > 5").reason().startsWith("aggregation in condition"));
        Rejected near = rejectedProcess(SEARCHES + "condition: a near b");
        assertTrue(near.unsupported() && near.reason().contains("temporal proximity"), near.reason());
        assertTrue(rejectedProcess(SEARCHES + "condition: a and d").reason().contains("'d', which the detection does not define"));
        assertTrue(rejectedProcess(SEARCHES + "condition: 1 of filter*").reason().contains("matches no search identifier"));
        assertTrue(rejectedProcess(SEARCHES + "condition: 2 of them").reason().contains("only '1 of' and 'all of'"));
        assertTrue(rejectedProcess(SEARCHES + "condition: a and (b").reason().contains("condition"));
        assertTrue(rejectedProcess(SEARCHES + "condition: a b").reason().contains("unexpected 'b'"));
        assertTrue(rejectedProcess(SEARCHES + "condition: not").reason().contains("ends too early"));
        Rejected timeframe = rejectedProcess(SEARCHES + "timeframe: 5m\ncondition: a");
        assertTrue(timeframe.unsupported() && timeframe.reason().contains("timeframe"), timeframe.toString());
    }

    @Test
    void deepNestingIsBoundedNotAStackOverflow() {
        String ok = "(".repeat(50) + "a" + ")".repeat(50);
        assertTrue(fires(process(SEARCHES + "condition: " + ok), A));
        String deep = "(".repeat(10_000) + "a" + ")".repeat(10_000);
        assertTrue(rejectedProcess(SEARCHES + "condition: '" + deep.substring(0, 4000) + "'").reason().contains("nested deeper"));
        assertTrue(rejectedProcess(SEARCHES + "condition: '" + deep + "'").reason().contains("longer than"));
        assertTrue(rejectedProcess(SEARCHES + "condition: '" + "not ".repeat(2000) + "a'").reason().contains("nested deeper"));
    }
}
