package org.fleetrec.web.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.fleetrec.model.EventCodec;
import org.fleetrec.templates.ElasticsearchSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the benchmark finds the stack: FLEETREC_WEB_URL, FLEETREC_API_TOKEN and FLEETREC_ES_URL
 * when set, else the running stack's {@code .fleetrec/stack.json} (keys web, apiToken, elasticsearch).
 * Any of them may be null when neither says.
 */
record BenchEnvironment(String webUrl, String apiToken, ElasticsearchSettings elasticsearch, Path fixtureFile) {

    static BenchEnvironment detect() throws IOException {
        Map<String, String> env = System.getenv();
        Path home = Path.of(System.getProperty("fleetrec.home", ".")).toAbsolutePath();
        Path work = env.get("FLEETREC_WORK") == null ? home.resolve(".fleetrec") : Path.of(env.get("FLEETREC_WORK")).toAbsolutePath();
        Path stackJson = work.resolve("stack.json");
        JsonNode stack = Files.exists(stackJson) ? EventCodec.mapper().readTree(stackJson.toFile()) : EventCodec.mapper().createObjectNode();
        String web = firstOf(env.get("FLEETREC_WEB_URL"), stack.path("web").asText(null));
        String token = firstOf(env.get("FLEETREC_API_TOKEN"), stack.path("apiToken").asText(null));
        String es = firstOf(env.get("FLEETREC_ES_URL"), stack.path("elasticsearch").asText(null));
        ElasticsearchSettings settings = null;
        if (es != null) {
            Map<String, String> withUrl = new HashMap<>(env);
            withUrl.put("FLEETREC_ES_URL", es);
            settings = ElasticsearchSettings.fromEnvironment(withUrl, null);
        }
        return new BenchEnvironment(web == null ? null : web.replaceAll("/+$", ""), token, settings,
                work.resolve("bench").resolve("fleet.json"));
    }

    private static String firstOf(String a, String b) {
        if (a != null && !a.isBlank()) return a;
        return b == null || b.isBlank() ? null : b;
    }
}
