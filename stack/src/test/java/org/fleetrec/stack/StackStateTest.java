package org.fleetrec.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StackStateTest {
    @TempDir
    Path dir;

    @Test
    void writesTheContractKeysPrivately() throws Exception {
        StackState state = new StackState();
        state.web = "http://127.0.0.1:8080";
        state.ingest = "http://127.0.0.1:8443";
        state.elasticsearch = "http://127.0.0.1:9200";
        state.apiToken = "token";
        state.enrollmentSecret = "secret";
        state.pids.put(Part.ELASTICSEARCH, 10L);
        state.pids.put(Part.WEB, 12L);
        Path file = dir.resolve("stack.json");
        state.write(file);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        for (String key : new String[]{"web", "ingest", "elasticsearch", "apiToken", "enrollmentSecret"}) {
            assertTrue(json.path(key).isTextual(), key);
        }
        assertEquals(10, json.path("pids").path("elasticsearch").asLong());
        assertTrue(json.path("pids").path("ingest").isNull(), "a part not running has a null pid");
        assertTrue(json.path("pids").has("agent"));

        StackState read = StackState.read(file).orElseThrow();
        assertEquals(12L, read.pids.get(Part.WEB));
        assertEquals(null, read.pids.get(Part.AGENT));
        assertEquals("token", read.apiToken);
    }
}
