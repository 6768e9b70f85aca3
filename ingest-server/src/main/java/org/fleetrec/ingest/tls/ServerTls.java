package org.fleetrec.ingest.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import javax.net.ssl.KeyManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;

/**
 * How the ingest server speaks TLS: with the certificate and key it was given (PEM, key in PKCS#8),
 * else with a development certificate it makes once in {@code devDirectory}; or not at all when
 * turned off (behind a load balancer that terminates TLS).
 *
 * @param enabled      FLEETREC_INGEST_TLS (on by default; {@code off} for plain HTTP)
 * @param certificate  FLEETREC_INGEST_TLS_CERT, a PEM certificate chain, or null
 * @param key          FLEETREC_INGEST_TLS_KEY, its PEM PKCS#8 private key, or null
 * @param devDirectory FLEETREC_INGEST_TLS_DIR, where a development certificate is kept (default {@code ingest-tls})
 */
public record ServerTls(boolean enabled, Path certificate, Path key, Path devDirectory) {
    public static ServerTls fromEnvironment(Map<String, String> env) {
        String mode = env.getOrDefault("FLEETREC_INGEST_TLS", "on");
        if (!mode.equals("on") && !mode.equals("off")) {
            throw new IllegalArgumentException("FLEETREC_INGEST_TLS must be on or off, not " + mode);
        }
        Path certificate = path(env.get("FLEETREC_INGEST_TLS_CERT"));
        Path key = path(env.get("FLEETREC_INGEST_TLS_KEY"));
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("FLEETREC_INGEST_TLS_CERT and FLEETREC_INGEST_TLS_KEY go together");
        }
        return new ServerTls(mode.equals("on"), certificate, key, Path.of(env.getOrDefault("FLEETREC_INGEST_TLS_DIR", "ingest-tls")));
    }

    public static ServerTls off() {
        return new ServerTls(false, null, null, null);
    }

    /** The scheme clients use. */
    public String scheme() {
        return enabled ? "https" : "http";
    }

    /** What Netty needs, or null for plain HTTP; a development certificate is made here when needed. */
    public Loaded load(String bindHost) throws IOException, InterruptedException {
        if (!enabled) return null;
        try {
            if (certificate != null) {
                return new Loaded(SslContextBuilder.forServer(certificate.toFile(), key.toFile()).build(), certificate);
            }
            DevelopmentCertificate dev = DevelopmentCertificate.loadOrCreate(devDirectory, bindHost);
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(dev.keyStore())) {
                store.load(in, dev.password());
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, dev.password());
            return new Loaded(SslContextBuilder.forServer(keys).build(), dev.certificate());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** The context and the certificate file it serves (clients may take it as their CA or pin it). */
    public record Loaded(SslContext context, Path certificate) {
    }

    private static Path path(String value) {
        return value == null || value.isBlank() ? null : Path.of(value);
    }
}
