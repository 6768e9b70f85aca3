package org.fleetrec.web.bench;

import org.fleetrec.model.EventCodec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a generated fleet holds that a benchmark or a person can ask for by id: written next to the
 * data ({@code .fleetrec/bench/fleet.json}) and printed at the end of a run. The agent and host ids
 * let the next run remove this fleet before writing a new one.
 */
public record FleetFixtures(String generated, long seed, int hosts, long events, String from, String to,
                            DeepTree deepTree, HotServer hotServer, Iocs iocs, String cidr, String sampleHost,
                            List<String> agentIds, List<String> hostIds) {

    /**
     * A process tree {@code depth} levels deep under {@code rootEntityId} with {@code descendants}
     * processes; {@code leafEntityId} is at the deepest level, and the root has {@code rootAncestors} ancestors.
     */
    public record DeepTree(String host, String hostId, String rootEntityId, String leafEntityId, int depth, int descendants,
                           int rootAncestors, String started) {
    }

    /** The server most of the fleet connects to, and how many hosts did. */
    public record HotServer(String host, String ip, int port, int clients) {
    }

    /** Indicators of the planted intrusion, and the hosts that show them. */
    public record Iocs(String ip, int port, String domain, String sha256, String filePath, String entityId, List<String> hosts,
                       String started) {
    }

    public static FleetFixtures read(Path file) throws IOException {
        return EventCodec.mapper().readValue(file.toFile(), FleetFixtures.class);
    }

    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        EventCodec.mapper().writerWithDefaultPrettyPrinter().writeValue(temp.toFile(), this);
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The fixtures without the id lists, for the console. */
    public String summary() {
        try {
            var node = EventCodec.mapper().valueToTree(this);
            ((com.fasterxml.jackson.databind.node.ObjectNode) node).remove(List.of("agentIds", "hostIds"));
            return EventCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException("records always serialise", e);
        }
    }
}
