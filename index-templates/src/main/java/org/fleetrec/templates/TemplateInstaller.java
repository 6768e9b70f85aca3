package org.fleetrec.templates;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Map;

/**
 * Installs the template set, or upgrades it when the cluster holds an older version.
 * A newer version on the cluster is left alone: an older server must not downgrade it.
 */
public final class TemplateInstaller {
    private static final Logger log = LoggerFactory.getLogger(TemplateInstaller.class);

    /** What an install did, for logs and readiness. */
    public record Result(int installed, int upToDate, int newerOnCluster) {
    }

    private final ElasticsearchClient client;

    public TemplateInstaller(ElasticsearchClient client) {
        this.client = client;
    }

    public Result install() throws IOException {
        int installed = 0;
        int upToDate = 0;
        int newer = 0;
        for (Map.Entry<String, ObjectNode> entry : TemplateSet.componentTemplates().entrySet()) {
            Long current = componentVersion(entry.getKey());
            switch (compare(current)) {
                case INSTALL -> {
                    client.cluster().putComponentTemplate(b -> b.name(entry.getKey())
                            .withJson(new StringReader(entry.getValue().toString())));
                    installed++;
                }
                case UP_TO_DATE -> upToDate++;
                case NEWER -> newer++;
            }
        }
        for (Map.Entry<String, ObjectNode> entry : TemplateSet.indexTemplates().entrySet()) {
            Long current = indexTemplateVersion(entry.getKey());
            switch (compare(current)) {
                case INSTALL -> {
                    client.indices().putIndexTemplate(b -> b.name(entry.getKey())
                            .withJson(new StringReader(entry.getValue().toString())));
                    if (current != null) upgradeExistingIndices(entry.getKey(), entry.getValue());
                    installed++;
                }
                case UP_TO_DATE -> upToDate++;
                case NEWER -> newer++;
            }
        }
        Result result = new Result(installed, upToDate, newer);
        log.info("index templates version {}: {}", TemplateSet.VERSION, result);
        return result;
    }

    /**
     * A template only shapes indices made after it; the ones already there get the new mapping put
     * on them too, so a field added in a new version can be written today, not from tomorrow's index.
     * Only additive changes can apply; a conflicting one is logged and left for the next daily index.
     */
    private void upgradeExistingIndices(String template, ObjectNode body) throws IOException {
        List<String> patterns = new java.util.ArrayList<>();
        body.path("index_patterns").forEach(p -> patterns.add(p.asText()));
        // The template's mapping is its components' in order, then its own: put each the same way.
        List<com.fasterxml.jackson.databind.JsonNode> parts = new java.util.ArrayList<>();
        body.path("composed_of").forEach(c -> parts.add(TemplateSet.componentTemplates().get(c.asText()).path("template").path("mappings")));
        parts.add(body.path("template").path("mappings"));
        try {
            for (com.fasterxml.jackson.databind.JsonNode mapping : parts) {
                if (mapping.isMissingNode() || mapping.isEmpty()) continue;
                client.indices().putMapping(b -> b.index(patterns).allowNoIndices(true).ignoreUnavailable(true)
                        .withJson(new StringReader(mapping.toString())));
            }
        } catch (ElasticsearchException e) {
            log.warn("existing indices of {} keep their mapping: {}", template, e.getMessage());
        }
    }

    /** True when every template of the set is on the cluster at this version or later. */
    public boolean installed() throws IOException {
        for (String name : TemplateSet.componentTemplates().keySet()) {
            if (compare(componentVersion(name)) == Action.INSTALL) return false;
        }
        for (String name : TemplateSet.indexTemplates().keySet()) {
            if (compare(indexTemplateVersion(name)) == Action.INSTALL) return false;
        }
        return true;
    }

    private enum Action { INSTALL, UP_TO_DATE, NEWER }

    private static Action compare(Long current) {
        if (current == null || current < TemplateSet.VERSION) return Action.INSTALL;
        return current == TemplateSet.VERSION ? Action.UP_TO_DATE : Action.NEWER;
    }

    private Long componentVersion(String name) throws IOException {
        try {
            var found = client.cluster().getComponentTemplate(b -> b.name(name)).componentTemplates();
            return found.isEmpty() ? null : found.get(0).componentTemplate().version();
        } catch (ElasticsearchException | IOException e) {
            if (ElasticsearchErrors.is(e, 404)) return null;
            throw e;
        }
    }

    private Long indexTemplateVersion(String name) throws IOException {
        try {
            var found = client.indices().getIndexTemplate(b -> b.name(name)).indexTemplates();
            return found.isEmpty() ? null : found.get(0).indexTemplate().version();
        } catch (ElasticsearchException | IOException e) {
            if (ElasticsearchErrors.is(e, 404)) return null;
            throw e;
        }
    }
}
