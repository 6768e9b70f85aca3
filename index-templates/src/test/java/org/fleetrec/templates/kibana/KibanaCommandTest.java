package org.fleetrec.templates.kibana;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.fleetrec.model.EventCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./fleetrec kibana} against what can be had without a Kibana: a closed port, a port that
 * never answers, a plain HTTP server that is not Kibana (404 pages, 401, 403, HTML, redirects), and
 * one that records the request and answers with Kibana's documented import result shape. The happy
 * path against a real Kibana is not covered here.
 */
class KibanaCommandTest {
    private record Run(int status, String out, String err) {
    }

    private record Recorded(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> e.getValue().get(0))
                    .findFirst().orElse(null);
        }
    }

    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) c.close();
    }

    private static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = KibanaCommand.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Run run(String... args) {
        return run(Map.of(), args);
    }

    /** An HTTP server on a loopback port answering every request with {@code status}, {@code contentType} and {@code body}. */
    private String server(int status, String contentType, String body, String... headers) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> answer(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8), headers));
        server.start();
        open.add(() -> server.stop(0));
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void answer(HttpExchange exchange, int status, String contentType, byte[] body, String... headers) throws IOException {
        requests.add(new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                exchange.getRequestURI().getRawQuery(), new HashMap<>(exchange.getRequestHeaders()),
                exchange.getRequestBody().readAllBytes()));
        if (!contentType.isEmpty()) exchange.getResponseHeaders().add("Content-Type", contentType);
        for (int i = 0; i + 1 < headers.length; i += 2) exchange.getResponseHeaders().add(headers[i], headers[i + 1]);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static final String JSON = "application/json; charset=utf-8";

    @Test
    void aClosedPortIsUnreachable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Run run = run("import", "--url", "http://127.0.0.1:" + port);
        assertEquals(3, run.status(), run.err());
        assertTrue(run.err().contains("cannot connect to Kibana at http://127.0.0.1:" + port + ": "), run.err());
        assertTrue(run.err().contains("refused"), run.err());

        Run unknown = run("import", "--url", "http://kibana.invalid:5601");
        assertEquals(3, unknown.status(), unknown.err());
        assertTrue(unknown.err().contains("cannot connect to Kibana at http://kibana.invalid:5601: the host name does not resolve"),
                unknown.err());
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws IOException {
        ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress()); // connects, never accepts or answers
        open.add(silent);
        long start = System.nanoTime();
        Run run = run("import", "--url", "http://127.0.0.1:" + silent.getLocalPort(), "--timeout", "1");
        assertEquals(3, run.status(), run.err());
        assertTrue(run.err().contains("did not answer within 1 s"), run.err());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 20_000, "gave up after the timeout");
    }

    @Test
    void tlsToAPlainHttpPortSaysTls() throws Exception {
        // A plain HTTP server that answers the ClientHello with an HTTP error, as most do.
        ServerSocket plain = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        open.add(plain);
        Thread answering = new Thread(() -> {
            try (var socket = plain.accept()) {
                socket.getInputStream().read(new byte[512]);
                socket.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                // Open until the client hangs up, so it reads these bytes rather than an early end of stream.
                socket.getInputStream().transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                // the test fails on the message instead
            }
        });
        answering.start();
        String url = "https://127.0.0.1:" + plain.getLocalPort();
        Run run = run("import", "--url", url, "--timeout", "10");
        answering.join(10_000);
        assertEquals(3, run.status(), run.err());
        assertTrue((run.err().contains("TLS with Kibana at " + url + " failed") || run.err().contains("Kibana at " + url + " over TLS failed"))
                && run.err().contains("--ca FILE"), run.err());

        // One that never answers it: the timeout names the handshake.
        ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        open.add(silent);
        Run quiet = run("import", "--url", "https://127.0.0.1:" + silent.getLocalPort(), "--timeout", "1");
        assertEquals(3, quiet.status(), quiet.err());
        assertTrue(quiet.err().contains("within 1 s (TCP connect and TLS handshake)"), quiet.err());
    }

    @Test
    void aWebServerThatIsNotKibanaSaysSo() throws IOException {
        String url = server(404, "text/html", "<html><body><h1>Not Found</h1></body></html>");
        Run run = run("import", "--url", url + "/");
        assertEquals(1, run.status());
        assertTrue(run.err().contains("has no saved objects import API (404)") && run.err().contains("base URL"), run.err());
        assertEquals("/api/saved_objects/_import", requests.get(0).path(), "a trailing slash of the URL is not doubled");

        String page = server(200, "text/html", "<html>\u001b[31mWelcome</html>");
        Run html = run("import", "--url", page);
        assertEquals(1, html.status());
        assertTrue(html.err().contains("answered something that is not JSON (HTTP 200, text/html)"), html.err());
        assertTrue(html.err().contains("\\x1b[31mWelcome") && !html.err().contains("\u001b"), "control characters never reach the terminal");

        Run json = run("import", "--url", server(200, JSON, "{\"name\":\"something else\"}"));
        assertEquals(1, json.status());
        assertTrue(json.err().contains("JSON that is not an import result"), json.err());

        Run error = run("import", "--url", server(502, "text/plain", "Bad Gateway"));
        assertEquals(1, error.status());
        assertTrue(error.err().contains("an unexpected status (HTTP 502, text/plain): Bad Gateway"), error.err());

        Run redirect = run("import", "--url", server(302, "", "", "Location", "/login?next=%2Fapi"));
        assertEquals(1, redirect.status());
        assertTrue(redirect.err().contains("redirected (302) to /login?next=%2Fapi"), redirect.err());
    }

    @Test
    void refusedCredentialsSaySo() throws IOException {
        String kibana401 = "{\"statusCode\":401,\"error\":\"Unauthorized\",\"message\":\"[security_exception]: unable to authenticate user\"}";
        Run withUser = run(Map.of("FLEETREC_KIBANA_PASSWORD", "pw"), "import", "--url", server(401, JSON, kibana401), "--user", "elastic");
        assertEquals(1, withUser.status());
        assertTrue(withUser.err().contains("refused the credentials (401): [security_exception]: unable to authenticate user; check the user and password"),
                withUser.err());
        assertEquals("Basic " + Base64.getEncoder().encodeToString("elastic:pw".getBytes(StandardCharsets.UTF_8)),
                requests.get(0).header("Authorization"), "the password came from FLEETREC_KIBANA_PASSWORD");

        Run none = run("import", "--url", server(401, "", ""));
        assertTrue(none.err().contains("give --api-key or --user and --password"), none.err());

        Run forbidden = run("import", "--url", server(403, JSON, "{\"statusCode\":403,\"error\":\"Forbidden\",\"message\":\"no\"}"),
                "--api-key", "id1:secret", "--space", "sec-team");
        assertEquals(1, forbidden.status());
        assertTrue(forbidden.err().contains("(space sec-team) does not let this API key import saved objects (403): no"), forbidden.err());
        Recorded request = requests.get(requests.size() - 1);
        assertEquals("ApiKey " + Base64.getEncoder().encodeToString("id1:secret".getBytes(StandardCharsets.UTF_8)),
                request.header("Authorization"), "an id:key pair is sent encoded");
        assertEquals("/s/sec-team/api/saved_objects/_import", request.path());
    }

    @Test
    void theRequestIsKibanasImportFormAndPerObjectErrorsFailTheRun() throws IOException {
        int shipped = KibanaObjects.build().size();
        String answer = """
                {"success":false,"successCount":%d,
                 "errors":[{"id":"fleetrec-vis-top-executables","type":"visualization","meta":{"title":"Top executables"},
                            "error":{"type":"missing_references","references":[{"type":"index-pattern","id":"fleetrec-events-process"}]}},
                           {"id":"fleetrec-search-sudo-su","type":"search","meta":{"title":"sudo\\u001b[2J"},
                            "error":{"type":"unknown","message":"Document has an unknown attribute","statusCode":400}}],
                 "successResults":[{"type":"dashboard","id":"fleetrec-dashboard-overview","destinationId":"3f1c"}],
                 "warnings":[]}""".formatted(shipped - 2);
        Run run = run("import", "--url", server(200, JSON, answer), "--api-key", "ZW5jb2RlZA==");
        assertEquals(1, run.status(), run.err());
        assertTrue(run.err().contains("imported " + (shipped - 2) + " of " + shipped + " saved objects; 2 failed:"), run.err());
        assertTrue(run.err().contains("  visualization fleetrec-vis-top-executables \"Top executables\": missing references: index-pattern fleetrec-events-process"),
                run.err());
        assertTrue(run.err().contains("  search fleetrec-search-sudo-su \"sudo\\x1b[2J\": unknown: Document has an unknown attribute (400)"), run.err());
        assertTrue(run.err().contains("Kibana stored dashboard fleetrec-dashboard-overview as 3f1c"), run.err());

        Recorded request = requests.get(0);
        assertEquals("POST", request.method());
        assertEquals("/api/saved_objects/_import", request.path());
        assertEquals("overwrite=true", request.query(), "overwrite makes a second import replace, not duplicate");
        assertEquals("true", request.header("kbn-xsrf"));
        assertEquals("ApiKey ZW5jb2RlZA==", request.header("Authorization"), "an encoded key is sent as given");
        String contentType = request.header("Content-Type");
        assertTrue(contentType.startsWith("multipart/form-data; boundary="), contentType);
        String boundary = contentType.substring(contentType.indexOf('=') + 1);
        String body = new String(request.body(), StandardCharsets.UTF_8);
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"fleet-recorder.ndjson\"\r\n"
                + "Content-Type: application/ndjson\r\n\r\n";
        assertTrue(body.startsWith(head), body.substring(0, Math.min(300, body.length())));
        assertTrue(body.endsWith("\r\n--" + boundary + "--\r\n"));
        assertArrayEquals(KibanaObjects.ndjson(), body.substring(head.length(), body.length() - boundary.length() - 8)
                .getBytes(StandardCharsets.UTF_8), "the file part is the shipped ndjson, unchanged");
    }

    @Test
    void aCleanImportListsTheDashboards() throws IOException {
        int shipped = KibanaObjects.build().size();
        String url = server(200, JSON, "{\"success\":true,\"successCount\":" + shipped + ",\"successResults\":[],\"warnings\":[]}");
        Run run = run(Map.of("FLEETREC_KIBANA_URL", url), "import", "--space", "soc");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().startsWith("imported " + shipped + " saved objects into Kibana at " + url + " (space soc)"), run.out());
        assertTrue(run.out().contains("[Fleet Recorder] Fleet overview: " + url + "/s/soc/app/dashboards#/view/fleetrec-dashboard-overview"),
                run.out());
        assertEquals(5, run.out().lines().filter(l -> l.contains("/app/dashboards#/view/")).count());
        assertEquals("", run.err());
        assertEquals(null, requests.get(0).header("Authorization"), "no credentials, no header");
    }

    @Test
    void anAnswerTooLargeToBeAnImportResultIsRefused() throws IOException {
        String url = server(200, JSON, "[" + "0,".repeat(KibanaImporter.MAX_ANSWER_BYTES / 2) + "0]");
        Run run = run("import", "--url", url);
        assertEquals(1, run.status());
        assertTrue(run.err().contains("with more than " + KibanaImporter.MAX_ANSWER_BYTES + " bytes"), run.err());
    }

    @Test
    void usageErrorsExitTwoAndSayWhy() {
        assertUsage(run("import"), "--url is required");
        assertUsage(run("import", "--url", "http://k:5601", "--user", "u"), "--user needs --password or FLEETREC_KIBANA_PASSWORD");
        assertUsage(run("import", "--url", "http://k:5601", "--password", "p"), "--password goes with --user");
        assertUsage(run("import", "--url", "http://k:5601", "--user", "u", "--password", "p", "--api-key", "k"), "not both");
        assertUsage(run("import", "--url", "http://k:5601", "--space", "My Space"), "space id");
        assertUsage(run("import", "--url", "ftp://k"), "http:// or https://");
        assertUsage(run("import", "--url", "http://u:p@k:5601"), "not in the URL");
        assertUsage(run("import", "--url", "http://k:5601", "--ca", "/no/such/ca.pem"), "cannot read the CA file");
        assertUsage(run("import", "--url", "http://k:5601", "--timeout", "soon"), "--timeout");
        assertUsage(run("import", "--url", "http://k:5601", "--verbose"), "unknown option --verbose");
        assertUsage(run("import", "--url"), "--url needs a value");
        assertUsage(run("launch"), "unknown command launch");
        assertEquals(0, run("help").status());
    }

    private static void assertUsage(Run run, String why) {
        assertEquals(2, run.status(), run.err());
        assertTrue(run.err().contains(why), run.err());
        assertTrue(run.err().contains("usage: ./fleetrec kibana import"), run.err());
    }

    @Test
    void exportWritesTheShippedFile() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = KibanaCommand.run(new String[]{"export"}, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(0, status);
        assertArrayEquals(KibanaObjects.ndjson(), out.toByteArray());
        JsonNode first = EventCodec.mapper().readTree(out.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow());
        assertEquals("index-pattern", first.get("type").asText());
    }
}
