package org.fleetrec.detection.sigma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/** Rules as Elasticsearch queries: the JSON produced for representative rules, and what cannot be translated. */
class SigmaEsQueryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void allLinuxRulesTranslateOrSayWhy() throws IOException {
        RuleSet set = RuleSet.load(SharedData.path("sigma/rules/linux"));
        int exact = 0;
        int complete = 0;
        int partial = 0;
        Map<String, Integer> reasons = new TreeMap<>();
        Map<String, Integer> notes = new TreeMap<>();
        for (CompiledRule r : set.rules()) {
            EsTranslation t = EsQueryTranslator.translate(r);
            if (t instanceof EsTranslation.Query q) {
                if (q.exact()) exact++;
                else if (q.complete()) complete++;
                else partial++;
                q.notes().forEach(n -> notes.merge(n, 1, Integer::sum));
                assertTrue(q.query().path("bool").path("filter").isArray());
            } else {
                EsTranslation.NotTranslatable n = (EsTranslation.NotTranslatable) t;
                assertFalse(n.reason().isBlank());
                reasons.merge(n.reason().replaceAll("'[^']*'", "'…'"), 1, Integer::sum);
            }
        }
        System.out.printf("ES translation of %d Linux rules: %d exact, %d complete (re-check hits), %d partial, %d not translatable%n",
                set.rules().size(), exact, complete, partial, set.rules().size() - exact - complete - partial);
        notes.forEach((n, c) -> System.out.println("  note [" + c + "] " + n));
        reasons.forEach((n, c) -> System.out.println("  not translatable [" + c + "] " + n));
        assertTrue(exact + complete >= set.rules().size() * 0.9, "most rules translate at least completely");
    }

    private static final String LINUX_EXEC_FILTER = "{\"bool\":{\"filter\":[{\"term\":{\"host.os.type\":{\"value\":\"linux\"}}},"
            + "{\"term\":{\"event.dataset\":{\"value\":\"process\"}}},{\"term\":{\"event.action\":{\"value\":\"executed\"}}},"
            + "{\"bool\":{\"must_not\":[{\"term\":{\"event.outcome\":{\"value\":\"failure\"}}}]}}]}}";

    @Test
    void processCreationWithWildcardsAndTheLogsourceFilter() throws IOException {
        EsTranslation.Query q = query(TestRules.process("sel:\n  Image|endswith: /arp\n  CommandLine|contains: ' -a'\ncondition: sel"));
        assertTrue(q.exact() && q.complete() && q.notes().isEmpty());
        assertEquals(JSON.readTree("{\"bool\":{\"filter\":[" + LINUX_EXEC_FILTER + ","
                + "{\"bool\":{\"filter\":[{\"wildcard\":{\"process.executable\":{\"value\":\"*/arp\",\"case_insensitive\":true}}},"
                + "{\"wildcard\":{\"process.command_line\":{\"value\":\"* -a*\",\"case_insensitive\":true}}}]}}]}}"), q.query());
    }

    @Test
    void termsPrefixNotAndEscapes() throws IOException {
        EsTranslation.Query q = query(TestRules.process("sel:\n  Image:\n    - /usr/bin/curl\n    - /usr/bin/wget\n"
                + "tmp:\n  CurrentDirectory|startswith: /tmp/\nfilter:\n  CommandLine|contains: 'a*b\\?c\\'\n"
                + "cased:\n  ParentImage|cased: /bin/Sh\ncondition: sel and tmp and not filter and not cased"));
        assertTrue(q.exact());
        assertEquals(JSON.readTree("{\"bool\":{\"filter\":["
                + "{\"bool\":{\"should\":[{\"term\":{\"process.executable\":{\"value\":\"/usr/bin/curl\",\"case_insensitive\":true}}},"
                + "{\"term\":{\"process.executable\":{\"value\":\"/usr/bin/wget\",\"case_insensitive\":true}}}],\"minimum_should_match\":1}},"
                + "{\"prefix\":{\"process.working_directory\":{\"value\":\"/tmp/\",\"case_insensitive\":true}}},"
                + "{\"bool\":{\"must_not\":[{\"wildcard\":{\"process.command_line\":{\"value\":\"*a*b\\\\?c\\\\\\\\*\",\"case_insensitive\":true}}}]}},"
                + "{\"bool\":{\"must_not\":[{\"term\":{\"process.parent.executable\":{\"value\":\"/bin/Sh\"}}}]}}]}}"),
                q.query().get("bool").get("filter").get(1));
    }

    @Test
    void networkPortsCidrAndInitiated() throws IOException {
        RuleSet set = TestRules.set("product: linux\ncategory: network_connection\n", "sel:\n  Initiated: 'true'\n  DestinationPort:\n"
                + "    - 4444\n    - 8531\nlocal:\n  DestinationIp|cidr:\n    - 10.0.0.0/8\n    - 'fe80::/10'\n"
                + "loop:\n  DestinationIp|startswith: '127.'\ncondition: sel and not local and not loop");
        EsTranslation.Query q = query(set);
        assertTrue(q.exact());
        assertEquals(JSON.readTree("{\"bool\":{\"filter\":[{\"term\":{\"network.direction\":{\"value\":\"egress\"}}},"
                + "{\"bool\":{\"should\":[{\"term\":{\"destination.port\":{\"value\":4444}}},{\"term\":{\"destination.port\":{\"value\":8531}}}],\"minimum_should_match\":1}},"
                + "{\"bool\":{\"must_not\":[{\"bool\":{\"should\":[{\"term\":{\"destination.ip\":{\"value\":\"10.0.0.0/8\"}}},"
                + "{\"term\":{\"destination.ip\":{\"value\":\"fe80::/10\"}}}],\"minimum_should_match\":1}}]}},"
                + "{\"bool\":{\"must_not\":[{\"term\":{\"destination.ip\":{\"value\":\"127.0.0.0/8\"}}}]}}]}}").toString(),
                q.query().get("bool").get("filter").get(1).toString());
    }

    @Test
    void regexBecomesLuceneSyntax() throws IOException {
        EsTranslation.Query q = query(TestRules.process("sel:\n  CommandLine|re: '\\s-O\\s'\nany:\n  CommandLine|re|i: '^(?:wget|curl)\\b'\ncondition: sel"));
        assertTrue(q.exact());
        assertEquals(".*([ \t\n\u000B\f\r]-O[ \t\n\u000B\f\r]).*",
                q.query().at("/bool/filter/1/regexp/process.command_line/value").asText());
        assertInstanceOf(EsTranslation.NotTranslatable.class,
                EsQueryTranslator.translate(TestRules.process("sel:\n  CommandLine|re: '^(?:wget|curl)\\b'\ncondition: sel").rules().get(0)),
                "\\b (word boundary) has no Lucene form");
        EsTranslation.Query ci = query(TestRules.process("sel:\n  CommandLine|re|i: '^(?:wget|curl) -[a-z]+$'\ncondition: sel"));
        JsonNode regexp = ci.query().at("/bool/filter/1/regexp/process.command_line");
        assertEquals("(" + "(wget|curl) -[a-z]+" + ")", regexp.get("value").asText());
        assertTrue(regexp.get("case_insensitive").asBoolean());
    }

    @Test
    void auditArgumentPositionsWidenAndSaySo() throws IOException {
        RuleSet set = TestRules.set("product: linux\nservice: auditd\n", "sel:\n  type: EXECVE\n  a0: chmod\n  a1: 777\ncondition: sel");
        EsTranslation.Query q = query(set);
        assertFalse(q.exact());
        assertTrue(q.complete(), "every chmod 777 is among the hits; re-check them with the rule");
        assertTrue(q.notes().contains("argument position 1 of process.args is not checked"), q.notes().toString());
        assertEquals("{\"exists\":{\"field\":\"auditd.sequence\"}}", q.query().at("/bool/filter/0/bool/filter/1").toString());
        // under a not, a widened leaf narrows the result: matches could be missed
        RuleSet negated = TestRules.set("product: linux\nservice: auditd\n",
                "sel:\n  type: EXECVE\nfilter:\n  a0: chmod\ncondition: sel and not filter");
        EsTranslation.Query n = query(negated);
        assertFalse(n.exact());
        assertFalse(n.complete());
    }

    @Test
    void keywordsSearchCommandLinesAndFilePaths() throws IOException {
        EsTranslation.Query q = query(TestRules.set("product: linux\n", "keywords:\n  - '/dev/tcp/'\ncondition: keywords"));
        assertTrue(q.exact());
        String json = q.query().get("bool").get("filter").get(1).toString();
        assertTrue(json.contains("{\"wildcard\":{\"process.command_line\":{\"value\":\"*/dev/tcp/*\",\"case_insensitive\":true}}}"), json);
        assertTrue(json.contains("{\"wildcard\":{\"file.path\":{\"value\":\"*/dev/tcp/*\",\"case_insensitive\":true}}}"), json);
        assertTrue(json.contains("{\"term\":{\"event.type\":{\"value\":\"start\"}}}"), json);
    }

    @Test
    void windowsUserSplitsAtTheBackslash() throws IOException {
        RuleSet set = TestRules.set("product: windows\ncategory: process_creation\n",
                "sel:\n  User|contains: 'AUTHORI'\nsys:\n  User: 'NT AUTHORITY\\SYSTEM'\ncondition: sel or sys");
        EsTranslation.Query q = query(set);
        assertTrue(q.exact());
        assertEquals(JSON.readTree("{\"bool\":{\"should\":[{\"bool\":{\"should\":["
                + "{\"wildcard\":{\"user.domain\":{\"value\":\"*AUTHORI*\",\"case_insensitive\":true}}},"
                + "{\"wildcard\":{\"user.name\":{\"value\":\"*AUTHORI*\",\"case_insensitive\":true}}}],\"minimum_should_match\":1}},"
                + "{\"bool\":{\"filter\":[{\"term\":{\"user.domain\":{\"value\":\"NT AUTHORITY\",\"case_insensitive\":true}}},"
                + "{\"term\":{\"user.name\":{\"value\":\"SYSTEM\",\"case_insensitive\":true}}}]}}],\"minimum_should_match\":1}}"),
                q.query().get("bool").get("filter").get(1));
    }

    @Test
    void fieldrefIsNotTranslatable() {
        EsTranslation t = EsQueryTranslator.translate(
                TestRules.process("sel:\n  CommandLine|fieldref: ParentCommandLine\ncondition: sel").rules().get(0));
        EsTranslation.NotTranslatable n = assertInstanceOf(EsTranslation.NotTranslatable.class, t);
        assertTrue(n.reason().contains("fieldref"), n.reason());
    }

    private static EsTranslation.Query query(RuleSet set) {
        assertTrue(set.rejected().isEmpty(), set.rejected().toString());
        return assertInstanceOf(EsTranslation.Query.class, EsQueryTranslator.translate(set.rules().get(0)));
    }
}
