package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import org.fleetrec.model.ServerTrust;
import org.fleetrec.templates.ElasticsearchClients;
import org.fleetrec.templates.ElasticsearchSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS between agents and the ingest server, over a real handshake on loopback: a development
 * certificate made on first start and kept, trusted as a CA file or by its pinned fingerprint, and
 * refused when neither matches. No Elasticsearch is needed: /healthz answers without it.
 */
class IngestTlsTest {
    @TempDir
    static Path dir;
    private static ElasticsearchClient nowhere;
    private static IngestServer server;
    private static URI health;

    @BeforeAll
    static void start() throws Exception {
        nowhere = ElasticsearchClients.create(ElasticsearchSettings.of("http://127.0.0.1:9"));
        server = new IngestServer(config(), nowhere);
        health = server.url("127.0.0.1").resolve("/healthz");
    }

    private static IngestConfig config() {
        return IngestConfig.fromEnvironment(Map.of("FLEETREC_ENROLLMENT_SECRET", "enrollment-secret-for-tests",
                "FLEETREC_INGEST_PORT", "0", "FLEETREC_INGEST_TLS_DIR", dir.resolve("tls").toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (nowhere != null) ElasticsearchClients.close(nowhere);
    }

    @Test
    void theServerSpeaksTlsWithACertificateItMadeAndKeepsPrivate() throws Exception {
        assertEquals("https", health.getScheme());
        Path certificate = server.certificate();
        assertNotNull(certificate);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(certificate.getParent())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls/ingest.p12"))));
        assertEquals(200, status(new ServerTrust(certificate, null)));
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefused() {
        assertThrows(SSLHandshakeException.class, () -> status(ServerTrust.system()));
    }

    @Test
    void aPinnedFingerprintIsEnoughAndAWrongOneIsRefused() throws Exception {
        String right = ServerTrust.fingerprint(server.certificate());
        assertEquals(200, status(new ServerTrust(null, "sha256:" + right.toUpperCase())));
        String wrong = (right.charAt(0) == '0' ? "1" : "0") + right.substring(1);
        IOException refused = assertThrows(IOException.class, () -> status(new ServerTrust(null, wrong)));
        assertTrue(String.valueOf(rootCause(refused).getMessage()).contains("pinned fingerprint"), refused.toString());
        // A trusted CA does not excuse a wrong pin.
        assertThrows(IOException.class, () -> status(new ServerTrust(server.certificate(), wrong)));
    }

    @Test
    void aRestartServesTheSameCertificateSoPinsStayValid() throws Exception {
        String before = ServerTrust.fingerprint(server.certificate());
        IngestServer second = new IngestServer(config(), nowhere);
        try {
            assertEquals(before, ServerTrust.fingerprint(second.certificate()));
        } finally {
            second.close();
        }
    }

    @Test
    void plainHttpToTheTlsPortGetsNoAnswer() {
        URI plain = URI.create("http://127.0.0.1:" + server.port() + "/healthz");
        assertThrows(IOException.class, () -> HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(plain).timeout(java.time.Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void aMalformedPinIsAConfigurationError() {
        assertThrows(IllegalArgumentException.class, () -> new ServerTrust(null, "not-a-fingerprint"));
    }

    private static int status(ServerTrust trust) throws Exception {
        HttpClient client = trust.configure(HttpClient.newBuilder()).build();
        return client.send(HttpRequest.newBuilder(health).timeout(java.time.Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t;
    }
}
