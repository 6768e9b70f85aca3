package org.fleetrec.stack.testing;

import java.net.URI;
import java.time.Duration;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.elasticsearch.ElasticsearchContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The only class that touches Testcontainers. {@link ElasticsearchExtension} calls into it only after checking that
 * the Testcontainers classes are on the class path (they are a {@code provided} dependency), so its absence never
 * breaks class loading of the extension.
 */
final class DockerElasticsearch implements AutoCloseable {

    static final String IMAGE = "docker.elastic.co/elasticsearch/elasticsearch:8.19.21";

    private final ElasticsearchContainer container;
    private final URI url;

    private DockerElasticsearch(ElasticsearchContainer container, URI url) {
        this.container = container;
        this.url = url;
    }

    /** Whether a Docker engine answers; false on any problem. */
    static boolean isDockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        }
    }

    @SuppressWarnings("resource") // closed by close()
    static DockerElasticsearch start() {
        ElasticsearchContainer container = new ElasticsearchContainer(DockerImageName.parse(IMAGE))
                .withEnv("xpack.security.enabled", "false")
                .withEnv("xpack.ml.enabled", "false")
                .withEnv("cluster.routing.allocation.disk.threshold_enabled", "false")
                .withEnv("action.destructive_requires_name", "false")
                .withEnv("ingest.geoip.downloader.enabled", "false")
                .withEnv("ES_JAVA_OPTS", "-Xms512m -Xmx1g")
                .withStartupTimeout(Duration.ofMinutes(5));
        container.start();
        return new DockerElasticsearch(container, URI.create("http://" + container.getHttpHostAddress()));
    }

    URI url() {
        return url;
    }

    @Override
    public void close() {
        container.stop();
    }
}
