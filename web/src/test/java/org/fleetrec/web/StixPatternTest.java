package org.fleetrec.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ContentTooLargeResponse;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IpLiteral;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class StixPatternTest {

    @Test
    void readsEveryComparisonOfACompoundPattern() throws Exception {
        List<StixPattern.Comparison> comparisons = StixPattern.parse(
                "[file:hashes.'SHA-256' = 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c' AND file:name = 'x.exe']"
                        + " FOLLOWEDBY ([ipv4-addr:value = '10.0.0.0/8'] OR [domain-name:value IN ('a.example', 'b.example')])"
                        + " WITHIN 600 SECONDS START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z' REPEATS 2 TIMES");
        assertEquals(4, comparisons.size());
        assertEquals("file", comparisons.get(0).objectType());
        assertEquals(List.of("hashes", "SHA-256"), comparisons.get(0).path());
        assertEquals("file:hashes.'SHA-256'", comparisons.get(0).objectPath());
        assertEquals("ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c", comparisons.get(0).values().get(0).text());
        assertEquals(List.of("name"), comparisons.get(1).path());
        assertEquals("10.0.0.0/8", comparisons.get(2).values().get(0).text());
        assertEquals("IN", comparisons.get(3).operator());
        assertEquals(List.of("a.example", "b.example"), comparisons.get(3).values().stream().map(StixPattern.Constant::text).toList());
    }

    @Test
    void stringsKeepEscapedQuotesAndBackslashes() throws Exception {
        StixPattern.Comparison c = StixPattern.parse("[file:name = 'it\\'s a \\\\ ] OR [x:y = \\'z\\'']").get(0);
        assertEquals("it's a \\ ] OR [x:y = 'z'", c.values().get(0).text());
        assertEquals("file:name = 'it\\'s a \\\\ ] OR [x:y = \\'z\\''", c.describe());
    }

    @Test
    void keepsOperatorsListStepsAndNegationForTheCallerToJudge() throws Exception {
        List<StixPattern.Comparison> comparisons = StixPattern.parse(
                "[email-message:body_multipart[*].body_raw_ref.name MATCHES '^(a+)+$' AND ipv4-addr:value NOT = '1.2.3.4'"
                        + " AND (network-traffic:dst_port >= 1024 OR EXISTS process:x_y) AND file:size != -1.5 and url:value like 'x%']");
        assertEquals(List.of("body_multipart", "[*]", "body_raw_ref", "name"), comparisons.get(0).path());
        assertEquals("email-message:body_multipart[*].body_raw_ref.name", comparisons.get(0).objectPath());
        assertEquals("MATCHES", comparisons.get(0).operator());
        assertTrue(comparisons.get(1).negated());
        assertEquals(">=", comparisons.get(2).operator());
        assertEquals(StixPattern.ConstantKind.INTEGER, comparisons.get(2).values().get(0).kind());
        assertEquals("EXISTS", comparisons.get(3).operator());
        assertEquals(StixPattern.ConstantKind.FLOAT, comparisons.get(4).values().get(0).kind());
        assertEquals("LIKE", comparisons.get(5).operator());
        // Only plain equality on a property with a field is swept.
        for (StixPattern.Comparison c : comparisons) assertTrue(StixBundle.sweepable(c).isEmpty(), c.describe());
    }

    @Test
    void malformedPatternsAreRefusedWithAnOffset() {
        Map<String, String> bad = Map.of(
                "[ipv4-addr:value = '1.2.3.4'", "expected ']'",
                "[ipv4-addr:value = '1.2.3.4]", "unterminated string",
                "[ipv4-addr:value = '1.2.3.4\\", "unterminated string",
                "[file:name = 'a\\nb']", "unknown escape",
                "ipv4-addr:value = '1.2.3.4'", "expected '[' or '('",
                "[ipv4-addr:value ~ '1.2.3.4']", "expected a comparison operator",
                "[ipv4-addr:value = '1.2.3.4'] garbage", "unexpected text",
                "[:value = '1']", "expected an object type",
                "[a:b = '1'] WITHIN SECONDS", "expected a number",
                "[a:b[x] = '1']", "expected a list index");
        bad.forEach((pattern, reason) -> {
            StixPattern.SyntaxException e = assertThrows(StixPattern.SyntaxException.class, () -> StixPattern.parse(pattern), pattern);
            assertTrue(e.getMessage().contains(reason), pattern + " -> " + e.getMessage());
            assertTrue(e.offset() >= 0 && e.offset() <= pattern.length(), pattern);
        });
    }

    @Test
    void hostilePatternsFailFastWithoutExhaustingTheStack() {
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            String deep = "(".repeat(100_000) + "[a:b = 'c']" + ")".repeat(100_000);
            assertThrows(StixPattern.SyntaxException.class, () -> StixPattern.parse(deep.substring(0, StixPattern.MAX_LENGTH)));
            String nested = "(".repeat(StixPattern.MAX_DEPTH + 1) + "[a:b = 'c']" + ")".repeat(StixPattern.MAX_DEPTH + 1);
            assertTrue(assertThrows(StixPattern.SyntaxException.class, () -> StixPattern.parse(nested)).getMessage().contains("nested deeper"));
            String deepComparisons = "[" + "(".repeat(10_000) + "a:b = 'c'" + ")".repeat(10_000) + "]";
            assertThrows(StixPattern.SyntaxException.class, () -> StixPattern.parse(deepComparisons));
            assertThrows(StixPattern.SyntaxException.class, () -> StixPattern.parse("[".repeat(60_000)));
            assertThrows(StixPattern.SyntaxException.class, () -> StixPattern.parse("'".repeat(60_000)));
            assertThrows(StixPattern.SyntaxException.class, () -> StixPattern.parse("[a:b = '" + "\\'".repeat(30_000)));
            assertTrue(assertThrows(StixPattern.SyntaxException.class,
                    () -> StixPattern.parse("[a:b = '" + "x".repeat(StixPattern.MAX_LENGTH) + "']")).getMessage().contains("longer than"));
            // Just under the limit, a long chain of alternatives is read in one pass.
            StringBuilder chain = new StringBuilder("[ipv4-addr:value = '10.0.0.1'");
            while (chain.length() < StixPattern.MAX_LENGTH - 40) chain.append(" OR ipv4-addr:value = '10.0.0.1'");
            assertTrue(StixPattern.parse(chain.append(']').toString()).size() > 1000);
            // A regular expression that would take forever to run is only read, never run.
            assertEquals("MATCHES", StixPattern.parse("[url:value MATCHES '^(a|aa)+$" + "a".repeat(5000) + "']").get(0).operator());
        });
    }

    @Test
    void bundleGivesIndicatorsObservablesAndWhatIsNotSwept() throws Exception {
        JsonNode bundle = EventCodec.mapper().readTree("""
                {"type": "bundle", "id": "bundle--1", "objects": [
                  {"type": "indicator", "id": "indicator--1", "name": "C2 <script>alert(1)</script>", "pattern_type": "stix",
                   "pattern": "[ipv4-addr:value = '10.0.0.0/8' OR domain-name:value = 'Evil.Example.' OR url:value = 'http://x.example/a?b=1']"},
                  {"type": "indicator", "id": "indicator--2", "pattern": "[file:hashes.MD5 = '44D88612FEA8A8F36DE82E1278ABB02F' AND file:hashes.'SHA-512' = 'ab']"},
                  {"type": "indicator", "id": "indicator--3", "pattern_type": "sigma", "pattern": "title: x"},
                  {"type": "indicator", "id": "indicator--4", "pattern": "[ipv4-addr:value = '1.2.3"},
                  {"type": "indicator", "id": "indicator--5", "pattern": "[ipv4-addr:value = '999.1.1.1' OR ipv6-addr:value = '2001:DB8:0:0::1']"},
                  {"type": "ipv4-addr", "id": "ipv4-addr--1", "value": "10.0.0.0/8"},
                  {"type": "domain-name", "id": "domain-name--1", "value": "c2.example"},
                  {"type": "file", "id": "file--1", "name": "dropper.exe", "hashes": {"SHA-256": "EF537F25C895BFA782526529A9B63D97AA631564D5D789C2B765448C8635FB6C", "TLSH": "x"}},
                  {"type": "mutex", "id": "mutex--1", "name": "m"},
                  {"type": "campaign", "id": "campaign--1", "name": "ignored context"},
                  "not an object"
                ]}""");
        IndicatorSet set = new IndicatorSet();
        StixBundle.read(bundle, set);
        assertEquals(List.of(
                        "ip 10.0.0.0/8 indicator--1 C2 <script>alert(1)</script>",
                        "domain evil.example indicator--1 C2 <script>alert(1)</script>",
                        "url http://x.example/a?b=1 indicator--1 C2 <script>alert(1)</script>",
                        "md5 44d88612fea8a8f36de82e1278abb02f indicator--2 null",
                        "ip 2001:db8::1 indicator--5 null",
                        "domain c2.example domain-name--1 null",
                        "sha256 ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c file--1 null",
                        "file-name dropper.exe file--1 null"),
                set.indicators().stream().map(i -> i.type().id() + " " + i.value() + " " + i.stixId() + " " + i.name()).toList());
        List<String> unsupported = set.unsupported();
        assertEquals(7, set.unsupportedCount(), unsupported.toString());
        assertTrue(unsupported.contains("indicator--2: file:hashes.'SHA-512' = 'ab' is not swept"), unsupported.toString());
        assertTrue(unsupported.contains("indicator--3: pattern_type sigma is not read, only stix"), unsupported.toString());
        assertTrue(unsupported.stream().anyMatch(u -> u.startsWith("indicator--4: pattern not understood: unterminated string")), unsupported.toString());
        assertTrue(unsupported.contains("indicator--5: not a valid ip: 999.1.1.1"), unsupported.toString());
        assertTrue(unsupported.contains("file--1: hash TLSH is not swept"), unsupported.toString());
        assertTrue(unsupported.contains("mutex--1: mutex objects are not swept"), unsupported.toString());
        assertTrue(unsupported.contains("objects[10]: not a JSON object"), unsupported.toString());

        assertThrows(BadRequestResponse.class, () -> StixBundle.read(EventCodec.mapper().readTree("{\"type\": \"campaign\"}"), new IndicatorSet()));
        assertThrows(BadRequestResponse.class, () -> StixBundle.read(EventCodec.mapper().readTree("[1, 2]"), new IndicatorSet()));
    }

    @Test
    void plainListsAreToldApartByShape() {
        IndicatorSet set = new IndicatorSet();
        IndicatorList.read(String.join("\n",
                "# comment", "", "  10.1.2.3  ", "192.168.0.0/16", "2001:db8::1", "evil[.]example[.]com", "hxxp://bad.example/x",
                "44d88612fea8a8f36de82e1278abb02f", "3395856ce81f2b7382dee72602f798b642f14140",
                "mimikatz.exe", "payload", "domain:update.sh", "file:report.com", "sha256:EF537F25C895BFA782526529A9B63D97AA631564D5D789C2B765448C8635FB6C",
                "C:\\Windows\\evil.exe", "not a thing", "10.1.2.3\r"), set);
        assertEquals(List.of("ip 10.1.2.3", "ip 192.168.0.0/16", "ip 2001:db8::1", "domain evil.example.com", "url http://bad.example/x",
                        "md5 44d88612fea8a8f36de82e1278abb02f", "sha1 3395856ce81f2b7382dee72602f798b642f14140", "file-name mimikatz.exe",
                        "file-name payload", "domain update.sh", "file-name report.com",
                        "sha256 ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c"),
                set.indicators().stream().map(i -> i.type().id() + " " + i.value()).toList());
        assertEquals(List.of("line 15: not an address, domain, URL, hash or file name: C:\\Windows\\evil.exe",
                "line 16: not an address, domain, URL, hash or file name: not a thing"), set.unsupported());
    }

    @Test
    void tooManyIndicatorsIsRefused() {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i <= IndicatorSet.MAX_INDICATORS; i++) list.append("10.").append(i >> 16).append('.').append((i >> 8) & 255).append('.').append(i & 255).append('\n');
        assertThrows(ContentTooLargeResponse.class, () -> IndicatorList.read(list.toString(), new IndicatorSet()));
    }

    @Test
    void addressesAreCheckedWithoutLookupsAndWrittenCanonically() {
        assertEquals("10.0.0.1", IpLiteral.canonical("10.0.0.1").orElseThrow());
        assertEquals("2001:db8::1", IpLiteral.canonical("2001:DB8:0:0:0:0:0:1").orElseThrow());
        assertEquals("::1", IpLiteral.canonical("0:0:0:0:0:0:0:1").orElseThrow());
        assertEquals("1:0:0:2::", IpLiteral.canonical("1:0:0:2:0:0:0:0").orElseThrow());
        assertEquals("1.2.3.4", IpLiteral.canonical("::ffff:1.2.3.4").orElseThrow());
        assertEquals("10.0.0.0/8", IpLiteral.cidr("10.0.0.0/8").orElseThrow());
        for (String bad : List.of("10.1", "010.0.0.1", "256.0.0.1", "1.2.3.4.5", "example.com", "1::2::3", "abc", ".::", "10.0.0.0/33",
                "10.0.0.0/", "/8", "::/129", "fe80::1%eth0")) {
            assertTrue(IpLiteral.addressOrCidr(bad).isEmpty(), bad);
        }
    }

    /** The public STIX 2.1 examples, read in place; see /work/shared/data/README.md section D. */
    @Test
    void readsThePublicExampleBundles() throws Exception {
        Path examples = Path.of(System.getProperty("fleetrec.root", "."), "../shared/data/stix/examples").normalize();
        assumeTrue(Files.isDirectory(examples), "STIX examples not present at " + examples
                + " (see /work/shared/data/README.md section D); skipping");

        IndicatorSet poisonIvy = read(examples.resolve("threat-reports/poisonivy.json"));
        Map<String, Long> kinds = poisonIvy.indicators().stream().collect(Collectors.groupingBy(i -> i.type().id(), Collectors.counting()));
        // 18 distinct addresses, 25 domains of which one ("domain autuo.xicp.net") is no DNS name, 2 file names.
        assertEquals(Map.of("ip", 18L, "domain", 24L, "file-name", 2L), kinds);
        assertEquals(1, poisonIvy.unsupportedCount(), poisonIvy.unsupported().toString());
        assertTrue(poisonIvy.unsupported().get(0).contains("not a valid domain: domain autuo.xicp.net"));
        assertTrue(poisonIvy.indicators().stream().anyMatch(i -> i.value().equals("microsoftc.byinter.net") && i.name() != null));

        IndicatorSet apt1 = read(examples.resolve("threat-reports/apt1.json"));
        Map<String, Long> apt1Kinds = apt1.indicators().stream().collect(Collectors.groupingBy(i -> i.type().id(), Collectors.counting()));
        assertEquals(Map.of("ip", 4L, "domain", 3L, "md5", 3L), apt1Kinds);
        assertTrue(apt1.indicators().stream().anyMatch(i -> i.value().equals("112.64.0.0/15")));
        assertEquals(4, apt1.unsupportedCount(), "the x509-certificate comparisons: " + apt1.unsupported());

        IndicatorSet coa = read(examples.resolve("indicators-for-C2-with-COA.json"));
        assertTrue(coa.indicators().stream().anyMatch(i -> i.type() == IndicatorType.SHA256
                && i.value().equals("ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c")));

        IndicatorSet email = read(examples.resolve("malicious-email-indicator-with-attachment.json"));
        assertTrue(email.indicators().isEmpty());
        assertEquals(2, email.unsupportedCount());
        assertTrue(email.unsupported().stream().anyMatch(u -> u.contains("email-message:body_multipart[*].body_raw_ref.name MATCHES")));

        IndicatorSet infrastructure = read(examples.resolve("infrastructure.json"));
        assertEquals(List.of("198.51.100.3", "example.com"), infrastructure.indicators().stream().map(Indicator::value).toList());

        assertEquals(List.of("10.0.0.0"), read(examples.resolve("indicator-for-c2-ip-address.json")).indicators().stream().map(Indicator::value).toList());
        assertThrows(BadRequestResponse.class, () -> read(examples.resolve("interop-objectmarking-test.json")));
        assertFalse(read(examples.resolve("indicator-to-campaign-relationship.json")).indicators().isEmpty());
    }

    private static IndicatorSet read(Path bundle) throws Exception {
        IndicatorSet set = new IndicatorSet();
        StixBundle.read(EventCodec.mapper().readTree(Files.readAllBytes(bundle)), set);
        return set;
    }
}
