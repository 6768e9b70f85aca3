package org.fleetrec.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code .fleetrec/stack.json}: where the running stack is and which pids it has. Users'
 * scripts read it, so its keys are a contract: web, ingest, elasticsearch, apiToken,
 * enrollmentSecret, pids.{elasticsearch,ingest,web,agent}. Written atomically, mode 0600
 * (it holds credentials).
 */
public final class StackState {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public String web;
    public String ingest;
    /** The CA file a client of {@link #ingest} trusts (the server's development certificate). */
    public String ingestCa;
    public String elasticsearch;
    public String apiToken;
    public String enrollmentSecret;
    public String adminUser;
    public String adminPassword;
    public Long launcher;
    public boolean externalElasticsearch;
    public final Map<Part, Long> pids = new EnumMap<>(Part.class);

    public static Optional<StackState> read(Path file) throws IOException {
        if (!Files.exists(file)) return Optional.empty();
        JsonNode node = JSON.readTree(file.toFile());
        StackState state = new StackState();
        state.web = text(node, "web");
        state.ingest = text(node, "ingest");
        state.ingestCa = text(node, "ingestCa");
        state.elasticsearch = text(node, "elasticsearch");
        state.apiToken = text(node, "apiToken");
        state.enrollmentSecret = text(node, "enrollmentSecret");
        state.adminUser = text(node.path("admin"), "user");
        state.adminPassword = text(node.path("admin"), "password");
        state.launcher = node.hasNonNull("launcher") ? node.get("launcher").asLong() : null;
        state.externalElasticsearch = node.path("externalElasticsearch").asBoolean(false);
        for (Part part : Part.values()) {
            JsonNode pid = node.path("pids").path(part.id());
            if (pid.canConvertToLong()) state.pids.put(part, pid.asLong());
        }
        return Optional.of(state);
    }

    public void write(Path file) throws IOException {
        ObjectNode node = JSON.createObjectNode()
                .put("web", web).put("ingest", ingest).put("ingestCa", ingestCa).put("elasticsearch", elasticsearch)
                .put("apiToken", apiToken).put("enrollmentSecret", enrollmentSecret);
        node.putObject("admin").put("user", adminUser).put("password", adminPassword);
        ObjectNode pidNode = node.putObject("pids");
        for (Part part : Part.values()) {
            Long pid = pids.get(part);
            if (pid == null) pidNode.putNull(part.id()); else pidNode.put(part.id(), pid);
        }
        if (launcher == null) node.putNull("launcher"); else node.put("launcher", launcher);
        node.put("externalElasticsearch", externalElasticsearch);
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        JSON.writeValue(temp.toFile(), node);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
