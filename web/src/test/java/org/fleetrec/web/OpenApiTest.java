package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.model.EventCodec;
import org.fleetrec.templates.ElasticsearchClients;
import org.fleetrec.templates.ElasticsearchSettings;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** openapi.json documents exactly the API the app registers: no route missing, none invented. */
class OpenApiTest {
    @Test
    void everyApiRouteIsDocumentedAndEveryDocumentedRouteExists() throws Exception {
        // Building the app reaches no cluster: a client to nowhere is enough to list its routes.
        ElasticsearchClient client = ElasticsearchClients.create(
                new ElasticsearchSettings(URI.create("http://127.0.0.1:9"), null, null, null, null));
        Set<String> registered;
        try (WebApp web = new WebApp(client)) {
            registered = new TreeSet<>(web.apiRoutes());
        } finally {
            ElasticsearchClients.close(client);
        }
        JsonNode doc = EventCodec.mapper().readTree(Pages.text("openapi.json"));
        assertEquals("3.0.3", doc.path("openapi").asText());
        Set<String> documented = new TreeSet<>();
        doc.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method -> {
            if (!method.equals("parameters")) documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
        }));
        assertFalse(registered.isEmpty());
        assertEquals(registered, documented, "openapi.json and the registered routes differ");
        doc.path("paths").forEach(path -> path.forEach(operation -> {
            if (operation.isObject() && operation.has("responses")) {
                assertFalse(operation.path("summary").asText("").isBlank(), "an operation without a summary: " + operation);
            }
        }));
    }
}
