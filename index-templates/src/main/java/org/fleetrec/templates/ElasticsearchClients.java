package org.fleetrec.templates;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.auth.AuthScope;
import org.apache.http.auth.UsernamePasswordCredentials;
import org.apache.http.impl.client.BasicCredentialsProvider;
import org.apache.http.message.BasicHeader;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

/** Builds the Java client for a cluster from {@link ElasticsearchSettings}; one way for every module. */
public final class ElasticsearchClients {
    private ElasticsearchClients() {
    }

    public static ElasticsearchClient create(ElasticsearchSettings settings) {
        HttpHost[] hosts = settings.urls().stream().map(url -> new HttpHost(url.getHost(),
                url.getPort() > 0 ? url.getPort() : ("https".equals(url.getScheme()) ? 443 : 9200), url.getScheme()))
                .toArray(HttpHost[]::new);
        RestClientBuilder builder = RestClient.builder(hosts);
        if (settings.apiKey() != null) {
            builder.setDefaultHeaders(new Header[]{new BasicHeader("Authorization", "ApiKey " + settings.apiKey())});
        }
        SSLContext ssl = settings.caCertificate() == null ? null : sslContextTrusting(settings);
        builder.setHttpClientConfigCallback(http -> {
            if (settings.username() != null) {
                BasicCredentialsProvider credentials = new BasicCredentialsProvider();
                credentials.setCredentials(AuthScope.ANY,
                        new UsernamePasswordCredentials(settings.username(), settings.password()));
                http.setDefaultCredentialsProvider(credentials);
            }
            if (ssl != null) http.setSSLContext(ssl);
            return http;
        });
        builder.setRequestConfigCallback(request -> request.setConnectTimeout(5_000).setSocketTimeout(60_000));
        return new ElasticsearchClient(new RestClientTransport(builder.build(), new JacksonJsonpMapper()));
    }

    private static SSLContext sslContextTrusting(ElasticsearchSettings settings) {
        try (InputStream in = Files.newInputStream(settings.caCertificate())) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int n = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + n++, cert);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CA certificate " + settings.caCertificate(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a usable CA certificate: " + settings.caCertificate(), e);
        }
    }

    public static void close(ElasticsearchClient client) {
        try {
            client._transport().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
