package org.fleetrec.agent.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Small JSON state files shared by the {@code rules} command and the running agent. Writes are atomic
 * (temp file, fsync, rename) so the agent, which polls the file, never reads half a file.
 */
final class JsonFiles {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonFiles() {
    }

    /** Null when the file does not exist. */
    static JsonNode read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + " is not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
                    + "); fix or delete it", e);
        }
    }

    /** Mode 0600: the rules say what is and is not recorded, which is worth hiding from other users. */
    static void writeAtomically(Path file, JsonNode content) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(temp, MAPPER.writeValueAsBytes(content));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
