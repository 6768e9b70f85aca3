package org.fleetrec.model;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * Whom a client of the ingest server trusts: the JDK's CAs by default, or the CA certificates of a
 * PEM file, and optionally a pinned SHA-256 certificate fingerprint. The pin may name the server's
 * own certificate or any CA in the chain it presents (pinning the CA survives certificate renewal).
 * With a CA file, the chain and the host name are checked and the pin must match too; with only a
 * pin, the pin is the whole trust: it names one certificate, which is stronger than a host name.
 *
 * @param caFile PEM file with one or more CA certificates, or null for the JDK's
 * @param pin    SHA-256 fingerprint in hex, colons and a {@code sha256:} prefix allowed, or null
 */
public record ServerTrust(Path caFile, String pin) {
    /** The file name under which the ingest server keeps the certificate it generated for itself. */
    public static final String DEVELOPMENT_CERTIFICATE = "ingest.crt";

    public ServerTrust {
        if (pin != null && pin.isBlank()) pin = null;
        if (pin != null) {
            pin = normalise(pin);
            if (!pin.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("a pinned fingerprint is 64 hex digits of SHA-256, not " + pin);
            }
        }
    }

    /** The JDK's trusted CAs, no pin. */
    public static ServerTrust system() {
        return new ServerTrust(null, null);
    }

    /** From {@code <prefix>_CA} and {@code <prefix>_PIN}, e.g. FLEETREC_INGEST_CA / FLEETREC_INGEST_PIN. */
    public static ServerTrust fromEnvironment(Map<String, String> env, String prefix) {
        String ca = env.get(prefix + "_CA");
        return new ServerTrust(ca == null || ca.isBlank() ? null : Path.of(ca), env.get(prefix + "_PIN"));
    }

    /** A client builder that trusts what this says. */
    public HttpClient.Builder configure(HttpClient.Builder builder) throws IOException {
        if (caFile == null && pin == null) return builder;
        try {
            return builder.sslContext(sslContext());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS trust: " + e.getMessage(), e);
        }
    }

    public SSLContext sslContext() throws IOException, GeneralSecurityException {
        X509ExtendedTrustManager base = caFile != null ? trustManager(caAnchors(caFile))
                : pin == null ? trustManager(null) : null;
        X509ExtendedTrustManager trust = pin == null ? base : new Pinned(base, pin);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[]{trust}, null);
        return context;
    }

    /** SHA-256 over the DER encoding, lower-case hex without separators. */
    public static String fingerprint(Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** The fingerprint of the first certificate of a PEM file. */
    public static String fingerprint(Path pemFile) throws IOException {
        try (InputStream in = Files.newInputStream(pemFile)) {
            return fingerprint(CertificateFactory.getInstance("X.509").generateCertificate(in));
        } catch (CertificateException e) {
            throw new IOException(pemFile + " holds no readable certificate: " + e.getMessage(), e);
        }
    }

    private static String normalise(String pin) {
        String text = pin.strip().toLowerCase(Locale.ROOT);
        if (text.startsWith("sha256:")) text = text.substring(7);
        return text.replace(":", "");
    }

    private static KeyStore caAnchors(Path file) throws IOException, GeneralSecurityException {
        KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
        anchors.load(null, null);
        int n = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                anchors.setCertificateEntry("ca-" + n++, certificate);
            }
        }
        if (n == 0) throw new CertificateException(file + " holds no certificate");
        return anchors;
    }

    private static X509ExtendedTrustManager trustManager(KeyStore anchors) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(anchors);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager x509) return x509;
        }
        throw new GeneralSecurityException("no X.509 trust manager available");
    }

    /** Checks the chain with the base (when there is one), then requires the pinned certificate in it. */
    private static final class Pinned extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager base;
        private final String pin;

        Pinned(X509ExtendedTrustManager base, String pin) {
            this.base = base;
            this.pin = pin;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            if (base != null) base.checkServerTrusted(chain, authType, engine);
            requirePin(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            if (base != null) base.checkServerTrusted(chain, authType, socket);
            requirePin(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (base != null) base.checkServerTrusted(chain, authType);
            requirePin(chain);
        }

        private void requirePin(X509Certificate[] chain) throws CertificateException {
            for (X509Certificate certificate : chain) {
                if (fingerprint(certificate).equals(pin)) return;
            }
            throw new CertificateException("the server's certificate chain does not contain the pinned fingerprint sha256:" + pin);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("a client trust manager only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("a client trust manager only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a client trust manager only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return base == null ? new X509Certificate[0] : base.getAcceptedIssuers();
        }
    }
}
