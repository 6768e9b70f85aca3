package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.IndexNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps {@code fleet-hosts} current from what agents send: one document a host with its names,
 * addresses, OS, agent version, when it was last seen and its last health report. Written at most
 * every {@code minInterval} a host unless a batch brings health, so a busy host costs one small
 * update now and then. A failure here never fails a batch: the events are what must not be lost.
 */
final class HostDirectory {
    private static final Logger log = LoggerFactory.getLogger(HostDirectory.class);

    /**
     * What one batch told about its host; the latest document of each kind wins. Kept as the stored
     * JSON and parsed only when the directory is written, which is rare next to the documents seen.
     */
    static final class Facts {
        private byte[] latest;
        private Instant latestTime;
        private byte[] health;
        private Instant healthTime;

        /** {@code time} is the document's own, as validation parsed it. */
        void see(byte[] json, Instant time, boolean isHealth) {
            if (latestTime == null || !time.isBefore(latestTime)) {
                latest = json;
                latestTime = time;
            }
            if (isHealth && (healthTime == null || !time.isBefore(healthTime))) {
                health = json;
                healthTime = time;
            }
        }

        boolean empty() {
            return latest == null;
        }
    }

    private final ElasticsearchClient client;
    private final Duration minInterval;
    private final Map<String, Long> lastWritten = new ConcurrentHashMap<>();

    HostDirectory(ElasticsearchClient client, Duration minInterval) {
        this.client = client;
        this.minInterval = minInterval;
    }

    void seen(AgentIdentity agent, Facts facts, String remoteAddress) {
        long now = System.nanoTime();
        Long last = lastWritten.get(agent.hostId());
        if (facts.health == null && last != null && now - last < minInterval.toNanos()) return;
        lastWritten.put(agent.hostId(), now);
        if (lastWritten.size() > 200_000) lastWritten.clear();
        JsonNode health = facts.health == null ? null : parse(facts.health);
        ObjectNode doc = EventCodec.mapper().createObjectNode();
        ObjectNode host = doc.putObject("host").put("id", agent.hostId()).put("name", agent.hostName());
        ObjectNode agentNode = doc.putObject("agent").put("id", agent.agentId());
        if (!facts.empty()) {
            // A health report carries the agent's whole stamp; any other document may be older software's.
            JsonNode sent = health != null ? health : parse(facts.latest);
            copyText(sent.path("host"), host, "name");
            copyText(sent.path("host"), host, "hostname");
            if (sent.path("host").path("ip").isArray()) host.set("ip", sent.path("host").path("ip"));
            if (sent.path("host").path("os").isObject()) host.set("os", sent.path("host").path("os"));
            copyText(sent.path("agent"), agentNode, "version");
            copyText(sent.path("agent"), agentNode, "type");
        }
        if (remoteAddress != null) doc.put("last_address", remoteAddress);
        doc.put("last_seen", Instant.now().toString());
        if (facts.health != null) {
            doc.set("health", health.path("fleet").path("health"));
            doc.put("health_time", facts.healthTime.toString());
        }
        try {
            client.update(u -> u.index(IndexNames.HOSTS).id(agent.hostId()).doc(doc).docAsUpsert(true).retryOnConflict(3),
                    ObjectNode.class);
        } catch (Exception e) {
            lastWritten.remove(agent.hostId()); // try again with the next batch
            log.warn("fleet-hosts not updated for {}: {}", agent.hostId(), e.toString());
        }
    }

    private static JsonNode parse(byte[] json) {
        try {
            return EventCodec.mapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the stamper wrote this JSON itself", e);
        }
    }

    private static void copyText(JsonNode from, ObjectNode to, String field) {
        if (from.path(field).isTextual()) to.put(field, from.path(field).asText());
    }
}
