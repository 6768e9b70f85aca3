package org.fleetrec.web;

import org.fleetrec.templates.ElasticsearchSettings;

import java.util.Map;

/**
 * What the web server is told at start. The bootstrap token and admin password let a
 * launcher hand out credentials it generated; without them the server makes its own.
 */
public record WebConfig(String bindHost, int port, ElasticsearchSettings elasticsearch,
                        String bootstrapApiToken, String bootstrapAdminPassword) {

    public static WebConfig fromEnvironment(Map<String, String> env) {
        return new WebConfig(
                env.getOrDefault("FLEETREC_WEB_BIND", "127.0.0.1"),
                Integer.parseInt(env.getOrDefault("FLEETREC_WEB_PORT", "8080")),
                ElasticsearchSettings.fromEnvironment(env, "http://127.0.0.1:9200"),
                blankToNull(env.get("FLEETREC_API_TOKEN")),
                blankToNull(env.get("FLEETREC_ADMIN_PASSWORD")));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
