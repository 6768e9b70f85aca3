package org.fleetrec.stack.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two test classes (nested, run in a fixed order) share one Elasticsearch; the first creates {@code fleet-ext-test}
 * plus templates, the second proves the extension removed them after the first class, and left non-fleet indices
 * alone.
 */
@ExtendWith(ElasticsearchExtension.class)
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class ElasticsearchExtensionTest {

    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String INDEX = "fleet-ext-test";
    static final String OTHER_INDEX = "other-ext-test";
    /** Set by the first class once it created everything; the second class refuses to run without it. */
    static final AtomicReference<URI> CREATED_ON = new AtomicReference<>();

    static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static int status(TestElasticsearch es, String method, String path, String body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        HttpResponse<String> r = send(es.request(path).method(method, publisher).build());
        return r.statusCode();
    }

    @Nested
    @Order(1)
    class FirstClassCreates {

        @BeforeAll
        static void noLeftoversAtStart(TestElasticsearch es) throws Exception {
            assertEquals(404, status(es, "GET", "/" + INDEX, null), "the extension cleans before first use");
        }

        @Test
        void createsIndexAndTemplates(TestElasticsearch es) throws Exception {
            assertEquals(200, status(es, "PUT", "/_component_template/fleet-ext-component",
                    "{\"template\":{\"mappings\":{\"properties\":{\"host\":{\"type\":\"keyword\"}}}}}"));
            assertEquals(200, status(es, "PUT", "/_index_template/fleet-ext-template",
                    "{\"index_patterns\":[\"fleet-ext-tpl-*\"],\"composed_of\":[\"fleet-ext-component\"]}"));
            assertEquals(200, status(es, "PUT", "/" + INDEX, "{\"settings\":{\"number_of_replicas\":0}}"));
            assertEquals(200, status(es, "PUT", "/fleet-ext-closed", "{\"settings\":{\"number_of_replicas\":0}}"));
            assertEquals(200, status(es, "POST", "/fleet-ext-closed/_close", null));
            assertEquals(200, status(es, "PUT", "/" + OTHER_INDEX, "{\"settings\":{\"number_of_replicas\":0}}"));
            assertEquals(201, status(es, "PUT", "/" + INDEX + "/_doc/1?refresh=true", "{\"host\":\"a\"}"));
            assertEquals(200, status(es, "GET", "/" + INDEX + "/_doc/1", null));
            CREATED_ON.set(es.url());
        }
    }

    @Nested
    @Order(2)
    class SecondClassSeesItCleaned {

        @Test
        void indexAndTemplatesOfTheFirstClassAreGone(TestElasticsearch es) throws Exception {
            assertNotNull(CREATED_ON.get(), "FirstClassCreates must have run (and succeeded) before this class");
            assertEquals(CREATED_ON.get(), es.url(), "one Elasticsearch is shared by all test classes");
            assertEquals(404, status(es, "GET", "/" + INDEX, null), INDEX + " must be deleted after its class");
            assertEquals(404, status(es, "GET", "/fleet-ext-closed", null), "closed fleet- indices too");
            assertEquals(404, status(es, "GET", "/_index_template/fleet-ext-template", null));
            assertEquals(404, status(es, "GET", "/_component_template/fleet-ext-component", null));
            assertEquals(200, status(es, "GET", "/" + OTHER_INDEX, null), "only fleet- indices are deleted");
        }

        @AfterAll
        static void removeOtherIndex(TestElasticsearch es) throws Exception {
            status(es, "DELETE", "/" + OTHER_INDEX, null);
        }
    }

    @Test
    void parsesCredentialsFromTheUrl() {
        TestElasticsearch es = ElasticsearchExtension.parseUrl("https://elastic:p%40ss:w@es.example:9243/prefix/");
        assertEquals(URI.create("https://es.example:9243/prefix"), es.url());
        assertEquals("elastic", es.username());
        assertEquals("p@ss:w", es.password());
        HttpRequest request = es.request("_cluster/health").GET().build();
        assertEquals(URI.create("https://es.example:9243/prefix/_cluster/health"), request.uri());
        assertTrue(request.headers().firstValue("Authorization").orElseThrow().startsWith("Basic "));

        TestElasticsearch plain = ElasticsearchExtension.parseUrl("http://localhost:9200");
        assertNull(plain.username());
        assertTrue(plain.request("/").build().headers().firstValue("Authorization").isEmpty());
    }
}
