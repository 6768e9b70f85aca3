package org.fleetrec.stack.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.fleetrec.stack.elasticsearch.LocalElasticsearch;
import org.fleetrec.stack.elasticsearch.NodeInUseException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives integration tests an Elasticsearch: {@code @ExtendWith(ElasticsearchExtension.class)} and take a
 * {@link TestElasticsearch} parameter (test methods, constructors, {@code @BeforeAll}/{@code @BeforeEach} methods).
 *
 * <p>Where the Elasticsearch comes from, first match wins:
 * <ol>
 *   <li><b>{@code FLEETREC_TEST_ES_URL}</b> (environment variable, or system property {@code fleetrec.test.es.url}):
 *       an existing cluster, e.g. {@code http://localhost:9200} or {@code https://user:secret@host:9200}
 *       (credentials become basic auth). Nothing is started or stopped.</li>
 *   <li><b>Testcontainers</b>: {@code docker.elastic.co/elasticsearch/elasticsearch:8.19.21} with security off,
 *       when the Testcontainers classes are on the class path and {@code DockerClientFactory.isDockerAvailable()}
 *       says a Docker engine answers. Set {@code FLEETREC_TEST_ES_DOCKER=false} to skip this probe.</li>
 *   <li><b>Local node</b>: {@link LocalElasticsearch} node {@code test} in {@code <root>/.fleetrec}, where root is the
 *       {@code fleetrec.root} system property or else the directory holding the root pom. If another live test run
 *       owns node {@code test}, nodes {@code test-2} .. {@code test-4} are tried.</li>
 * </ol>
 *
 * <p>The Elasticsearch is started once per test JVM (kept in the root extension store, shared by all test classes)
 * and stopped when the test run ends. Before first use and after every test class, everything in the
 * {@code fleet-} namespace is removed: indices (open and closed, deleted one by one by name, never by wildcard),
 * data streams (where the cluster has them), and index, component and legacy templates whose names start with
 * {@code fleet-}. So tests must name what they create {@code fleet-...} and must not rely on data across classes.
 * Test classes using this extension should not run concurrently with each other.
 */
public final class ElasticsearchExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    public static final String URL_ENV = "FLEETREC_TEST_ES_URL";
    public static final String URL_PROPERTY = "fleetrec.test.es.url";
    public static final String DOCKER_ENV = "FLEETREC_TEST_ES_DOCKER";
    /** Prefix of everything the cleanup removes. */
    public static final String PREFIX = "fleet-";
    static final String LOCAL_NODE = "test";

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(ElasticsearchExtension.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    @Override
    public void beforeAll(ExtensionContext context) {
        shared(context);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        SharedCluster cluster = holder(context);
        if (cluster.failure == null) {
            deleteFleetResources(cluster.es);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == TestElasticsearch.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        try {
            return shared(extensionContext);
        } catch (RuntimeException e) {
            throw new ParameterResolutionException("no Elasticsearch for tests: " + e.getMessage(), e);
        }
    }

    /** The Elasticsearch shared by the whole test run, starting it on first use. */
    public static TestElasticsearch shared(ExtensionContext context) {
        SharedCluster cluster = holder(context);
        if (cluster.failure != null) {
            throw new IllegalStateException("Elasticsearch for tests could not be provided (failed earlier in this "
                    + "run): " + cluster.failure.getMessage(), cluster.failure);
        }
        return cluster.es;
    }

    private static SharedCluster holder(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(SharedCluster.class, key -> SharedCluster.open(), SharedCluster.class);
    }

    // ------------------------------------------------------------------------------------------------ sources

    /** Kept in the root store; JUnit closes it when the test run ends. */
    @SuppressWarnings("deprecation") // CloseableResource: JUnit 5.13+ also closes AutoCloseable; close() is idempotent
    static final class SharedCluster implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        final TestElasticsearch es;
        final String description;
        final RuntimeException failure;
        private AutoCloseable owned;
        private Thread shutdownHook;

        private SharedCluster(TestElasticsearch es, String description, AutoCloseable owned,
                RuntimeException failure) {
            this.es = es;
            this.description = description;
            this.owned = owned;
            this.failure = failure;
            if (owned != null) {
                shutdownHook = new Thread(this::closeQuietly, "fleetrec-test-elasticsearch-stop");
                Runtime.getRuntime().addShutdownHook(shutdownHook);
            }
        }

        static SharedCluster open() {
            SharedCluster cluster;
            try {
                cluster = create();
            } catch (RuntimeException e) {
                return new SharedCluster(null, null, null, e);
            }
            System.out.println("[fleetrec] integration tests use " + cluster.description);
            try {
                deleteFleetResources(cluster.es);
            } catch (Exception e) {
                cluster.closeQuietly();
                return new SharedCluster(null, null, null,
                        new IllegalStateException("cannot clean " + cluster.description + ": " + e.getMessage(), e));
            }
            return cluster;
        }

        private static SharedCluster create() {
            String external = System.getenv(URL_ENV);
            if (external == null || external.isBlank()) {
                external = System.getProperty(URL_PROPERTY);
            }
            if (external != null && !external.isBlank()) {
                TestElasticsearch es = parseUrl(external.trim());
                awaitYellow(es, Duration.ofSeconds(60));
                return new SharedCluster(es, "external Elasticsearch " + es.url() + " (" + URL_ENV + ")", null, null);
            }
            if (dockerAllowed() && testcontainersPresent() && DockerElasticsearch.isDockerAvailable()) {
                DockerElasticsearch docker = DockerElasticsearch.start();
                TestElasticsearch es = new TestElasticsearch(docker.url(), null, null);
                return new SharedCluster(es, "Testcontainers Elasticsearch " + DockerElasticsearch.IMAGE + " at "
                        + es.url(), docker, null);
            }
            Path workDir = projectRoot().resolve(".fleetrec");
            LocalElasticsearch local = startLocal(workDir);
            return new SharedCluster(new TestElasticsearch(local.url(), null, null),
                    "local Elasticsearch node '" + local.nodeName() + "' pid " + local.pid() + " at " + local.url()
                            + " (" + local.nodeDir() + ")", local, null);
        }

        private static LocalElasticsearch startLocal(Path workDir) {
            NodeInUseException last = null;
            for (String node : List.of(LOCAL_NODE, LOCAL_NODE + "-2", LOCAL_NODE + "-3", LOCAL_NODE + "-4")) {
                try {
                    return LocalElasticsearch.start(workDir, node);
                } catch (NodeInUseException e) {
                    last = e;
                }
            }
            throw last;
        }

        @Override
        public synchronized void close() {
            AutoCloseable toClose = owned;
            owned = null;
            if (shutdownHook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException e) {
                    // already shutting down; the hook does the work
                }
                shutdownHook = null;
            }
            if (toClose != null) {
                try {
                    toClose.close();
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException("could not stop " + description, e);
                }
            }
        }

        private void closeQuietly() {
            AutoCloseable toClose;
            synchronized (this) {
                toClose = owned;
                owned = null;
            }
            if (toClose != null) {
                try {
                    toClose.close();
                } catch (Exception e) {
                    System.err.println("[fleetrec] could not stop " + description + ": " + e);
                }
            }
        }
    }

    static boolean dockerAllowed() {
        String v = System.getenv(DOCKER_ENV);
        return v == null || !List.of("false", "0", "no", "off").contains(v.trim().toLowerCase(Locale.ROOT));
    }

    static boolean testcontainersPresent() {
        ClassLoader loader = ElasticsearchExtension.class.getClassLoader();
        try {
            Class.forName("org.testcontainers.DockerClientFactory", false, loader);
            Class.forName("org.testcontainers.elasticsearch.ElasticsearchContainer", false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** {@code fleetrec.root} system property, else the top-most directory of the chain of pom.xml folders. */
    static Path projectRoot() {
        String prop = System.getProperty("fleetrec.root");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        Path cwd = Path.of("").toAbsolutePath().normalize();
        Path found = null;
        for (Path dir = cwd; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml"))) {
                found = dir;
            } else if (found != null) {
                break;
            }
        }
        return found != null ? found : cwd;
    }

    /** Splits {@code scheme://user:password@host:port/path} into URL and credentials. */
    static TestElasticsearch parseUrl(String raw) {
        try {
            URI uri = new URI(raw);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException(URL_ENV + " must look like http://host:9200: " + raw);
            }
            String user = null;
            String password = null;
            String userInfo = uri.getRawUserInfo();
            if (userInfo != null && !userInfo.isEmpty()) {
                int colon = userInfo.indexOf(':');
                user = URLDecoder.decode(colon < 0 ? userInfo : userInfo.substring(0, colon), StandardCharsets.UTF_8);
                password = colon < 0 ? "" : URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8);
            }
            URI bare = new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null);
            return new TestElasticsearch(bare, user, password);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(URL_ENV + " is not a URL: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------------------ cleanup

    private static void awaitYellow(TestElasticsearch es, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() - deadline < 0) {
            try {
                HttpResponse<String> r = send(es, es.request("/_cluster/health?wait_for_status=yellow&timeout=5s")
                        .GET().build());
                if (r.statusCode() == 200) {
                    return;
                }
                last = new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
            } catch (IOException e) {
                last = e;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("Elasticsearch at " + es.url() + " is not healthy: " + last, last);
    }

    /**
     * Deletes, by exact name, every index, data stream and index/component/legacy template whose name starts with
     * {@code fleet-}. Public so tests can also reset state between methods.
     */
    public static void deleteFleetResources(TestElasticsearch es) throws IOException {
        // data streams first (their backing indices are .ds-fleet-..., and templates in use cannot be deleted)
        JsonNode streams = getJsonOrNull(es, "/_data_stream");
        if (streams != null) {
            for (JsonNode ds : streams.path("data_streams")) {
                deleteIfFleet(es, "/_data_stream/", ds.path("name").asText());
            }
        }
        JsonNode indices = getJsonOrNull(es, "/_cat/indices?format=json&expand_wildcards=open,closed&h=index");
        if (indices == null) {
            throw new IOException("cannot list indices of " + es.url());
        }
        for (JsonNode index : indices) {
            deleteIfFleet(es, "/", index.path("index").asText());
        }
        JsonNode indexTemplates = getJsonOrNull(es, "/_index_template");
        if (indexTemplates != null) {
            for (JsonNode t : indexTemplates.path("index_templates")) {
                deleteIfFleet(es, "/_index_template/", t.path("name").asText());
            }
        }
        JsonNode componentTemplates = getJsonOrNull(es, "/_component_template");
        if (componentTemplates != null) {
            for (JsonNode t : componentTemplates.path("component_templates")) {
                deleteIfFleet(es, "/_component_template/", t.path("name").asText());
            }
        }
        JsonNode legacy = getJsonOrNull(es, "/_template");
        if (legacy != null) {
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = legacy.fieldNames(); it.hasNext();) {
                names.add(it.next());
            }
            for (String name : names) {
                deleteIfFleet(es, "/_template/", name);
            }
        }
    }

    private static void deleteIfFleet(TestElasticsearch es, String prefixPath, String name) throws IOException {
        if (name == null || !name.startsWith(PREFIX) || name.contains("*") || name.contains(",")) {
            return;
        }
        String path = prefixPath + URLEncoder.encode(name, StandardCharsets.UTF_8);
        HttpResponse<String> r = send(es, es.request(path).DELETE().build());
        if (r.statusCode() != 200 && r.statusCode() != 404) {
            throw new IOException("DELETE " + path + " failed: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    /** GET as JSON; null when the endpoint does not exist on this cluster (or nothing matches: 404). */
    private static JsonNode getJsonOrNull(TestElasticsearch es, String path) throws IOException {
        HttpResponse<String> r = send(es, es.request(path).GET().build());
        if (r.statusCode() == 200) {
            return JSON.readTree(r.body());
        }
        if (r.statusCode() == 404 || r.statusCode() == 400 || r.statusCode() == 405 || r.statusCode() == 410) {
            return null;
        }
        throw new IOException("GET " + path + " failed: HTTP " + r.statusCode() + " " + r.body());
    }

    private static HttpResponse<String> send(TestElasticsearch es, HttpRequest request) throws IOException {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted talking to " + es.url(), e);
        }
    }
}
