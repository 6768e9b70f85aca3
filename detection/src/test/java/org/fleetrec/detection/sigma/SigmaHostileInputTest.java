package org.fleetrec.detection.sigma;

import static org.fleetrec.detection.sigma.TestRules.exec;
import static org.fleetrec.detection.sigma.TestRules.fires;
import static org.fleetrec.detection.sigma.TestRules.process;
import static org.fleetrec.detection.sigma.TestRules.rejectedProcess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

/** Rules and events built to hurt: each gives a clear refusal or a bounded evaluation, never a hang or a crash. */
class SigmaHostileInputTest {
    private static final Duration QUICK = Duration.ofSeconds(10);

    @Test
    void yamlBombIsRefused() {
        String bomb = "title: lol\nlogsource: {product: linux, category: process_creation}\nx: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                + "y: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nz: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nw: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                + "detection:\n  sel:\n    Image: *d\n  condition: sel\n";
        Rejected r = assertTimeoutPreemptively(QUICK, () -> only(RuleSet.builder().add("bomb.yml", bomb).build()));
        assertFalse(r.unsupported());
        assertTrue(r.reason().contains("alias"), r.reason());
    }

    @Test
    void aliasOfAScalarIsRefusedToo() {
        String yaml = TestRules.yaml("product: linux\ncategory: process_creation\n", "sel:\n  Image: &x /bin/sh\n  ParentImage: *x\ncondition: sel");
        assertTrue(only(RuleSet.builder().add("alias.yml", yaml).build()).reason().contains("alias"));
    }

    @Test
    void deepYamlNestingIsRefused() {
        String deep = "title: t\nlogsource: {product: linux}\ndetection:\n  sel:\n    Image: " + "[".repeat(5000) + "]".repeat(5000) + "\n  condition: sel\n";
        Rejected r = assertTimeoutPreemptively(QUICK, () -> only(RuleSet.builder().add("deep.yml", deep).build()));
        assertTrue(r.reason().startsWith("malformed YAML") || r.reason().contains("nested deeper"), r.reason());
    }

    @Test
    void oversizedFileIsRefused() {
        String big = TestRules.yaml("product: linux\ncategory: process_creation\n", "sel:\n  Image: '" + "x".repeat(2 << 20) + "'\ncondition: sel");
        assertTrue(only(RuleSet.builder().add("big.yml", big).build()).reason().contains("larger than"));
    }

    @Test
    void hugeValueListLoadsAndStaysFast() {
        StringBuilder values = new StringBuilder("sel:\n  Image:\n");
        for (int i = 0; i < 50_000; i++) values.append("    - /o/t").append(i).append('\n');
        values.append("condition: sel");
        RuleSet set = assertTimeoutPreemptively(QUICK, () -> process(values.toString()));
        assertTrue(fires(set, exec("/O/T49999", "tool")));
        assertFalse(fires(set, exec("/o/t50000", "tool")));
        // Staying fast is a matter of shape: the whole list compiles to one set lookup, not 50,000 comparisons.
        List<ValueTest> tests = new java.util.ArrayList<>();
        for (int i = 0; i < 50_000; i++) tests.add(new ValueTest.Text(Glob.literal("/o/t" + i), false));
        List<Matcher> compiled = Matcher.compile(tests, new java.util.concurrent.atomic.AtomicLong());
        assertEquals(1, compiled.size(), "one matcher for the whole list");
        assertTrue(compiled.get(0) instanceof Matcher.EqualsAny, "a set lookup: " + compiled.get(0).getClass());
    }

    @Test
    void tooManyValuesAreRefused() {
        String values = "sel:\n  Image: [" + "a,".repeat(210_000) + "a]\ncondition: sel";
        assertTrue(rejectedProcess(values).reason().contains("more than 200000 values"));
    }

    @Test
    void encodingsCannotMultiplyWithoutBound() {
        String values = "sel:\n  CommandLine|windash|contains: [" + "'-a-b-c-d',".repeat(2_000) + "x]\ncondition: sel";
        Rejected r = assertTimeoutPreemptively(QUICK, () -> rejectedProcess(values));
        assertTrue(r.unsupported() && r.reason().contains("value tests"), r.reason());
    }

    @Test
    void catastrophicRegexIsRefusedAtLoad() {
        for (String re : List.of("(a+)+$", "(\\w+\\s?)*$", "(x*y*)*z", "((ab)+c)+d")) {
            Rejected r = rejectedProcess("sel:\n  CommandLine|re: '" + re + "'\ncondition: sel");
            assertTrue(r.unsupported() && r.reason().contains("nested unbounded repetition"), re + ": " + r.reason());
        }
        assertTrue(rejectedProcess("sel:\n  CommandLine|re: '(?<=a)b'\ncondition: sel").reason().contains("look-around"));
        assertTrue(rejectedProcess("sel:\n  CommandLine|re: '(a)\\1'\ncondition: sel").reason().contains("back-reference"));
        assertFalse(rejectedProcess("sel:\n  CommandLine|re: '(unclosed'\ncondition: sel").unsupported(), "a syntax error is invalid");
        // bounded repetition of a group is fine
        process("sel:\n  CommandLine|re: '-(W|R)\\s?(\\s|\"|'')([0-9a-fA-F]{2}\\s?){2,20}(\\s|\"|'')'\ncondition: sel");
    }

    @Test
    void backtrackingThatSlipsThroughIsCutShort() {
        // polynomial of high degree on a run of a's without a b, yet no nested repetition to refuse
        RuleSet set = process("sel:\n  CommandLine|re: 'a.*a.*a.*a.*a.*a.*a.*a.*b'\ncondition: sel");
        EventDocument doc = exec("/bin/x", "a".repeat(200));
        assertFalse(assertTimeoutPreemptively(QUICK, () -> fires(set, doc)));
        assertEquals(1, set.rules().get(0).regexSearchesAbandoned());
        assertTrue(fires(set, exec("/bin/x", "aaaaaaaab")), "ordinary input still matches");
    }

    @Test
    void malformedFilesGiveReasons() {
        assertTrue(only(RuleSet.builder().add("bin.yml", "\u0000\u0001\u0002: [\n").build()).reason().startsWith("malformed YAML"));
        assertEquals("a rule is a YAML map", only(RuleSet.builder().add("list.yml", "- a\n- b\n").build()).reason());
        assertEquals("no detection map", only(RuleSet.builder().add("nodet.yml", "title: t\nlogsource: {product: linux}\n").build()).reason());
        assertEquals("no title", only(RuleSet.builder().add("notitle.yml", "logsource: {product: linux}\ndetection: {condition: x}\n").build()).reason());
        assertTrue(only(RuleSet.builder().add("dup.yml", "title: t\ntitle: u\nlogsource: {product: linux}\n").build()).reason().contains("uplicate"));
        Rejected multi = only(RuleSet.builder().add("multi.yml", TestRules.yaml("product: linux\n", "k:\n  - x\ncondition: k") + "---\ntitle: second\n").build());
        assertTrue(multi.unsupported() && multi.reason().contains("several YAML documents"), multi.reason());
        Rejected correlation = only(RuleSet.builder().add("corr.yml", "title: c\ncorrelation:\n  type: event_count\n  rules: [a]\n").build());
        assertTrue(correlation.unsupported() && correlation.reason().contains("correlation"), correlation.reason());
    }

    @Test
    void oddlyShapedEventsNeverThrow() {
        RuleSet set = process("sel:\n  Image|endswith: /sh\n  CommandLine|contains: x\n  ProcessId|gt: 5\ncondition: sel");
        EventDocument weird = exec("/bin/sh", "sh", "x");
        ObjectNode process = (ObjectNode) weird.json().get("process");
        process.putObject("command_line").put("nested", "x");
        process.putArray("pid").addObject().put("a", 1);
        assertFalse(fires(set, weird));
        EventDocument nullFields = EventDocument.create().put("event.dataset", "process").put("event.action", "executed")
                .put("host.os.type", "linux");
        nullFields.json().putObject("process").putNull("executable");
        assertFalse(fires(set, nullFields));
        assertFalse(fires(set, EventDocument.create()));
        assertEquals(0, set.rules().get(0).errors());
    }

    private static Rejected only(RuleSet set) {
        assertEquals(0, set.rules().size(), "nothing loads");
        assertEquals(1, set.rejected().size());
        return set.rejected().get(0);
    }
}
