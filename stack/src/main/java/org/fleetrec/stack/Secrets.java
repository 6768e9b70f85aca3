package org.fleetrec.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/** Credentials generated at the first {@code up} and kept (0600) so later runs keep working. */
public record Secrets(String enrollmentSecret, String apiToken, String adminPassword) {
    private static final SecureRandom RANDOM = new SecureRandom();

    public static Secrets loadOrCreate(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        if (Files.exists(file)) {
            JsonNode node = json.readTree(file.toFile());
            return new Secrets(node.path("enrollmentSecret").asText(), node.path("apiToken").asText(),
                    node.path("adminPassword").asText());
        }
        Secrets secrets = new Secrets(random(32), random(32), random(15));
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        json.writeValue(temp.toFile(), json.createObjectNode().put("enrollmentSecret", secrets.enrollmentSecret)
                .put("apiToken", secrets.apiToken).put("adminPassword", secrets.adminPassword));
        Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return secrets;
    }

    private static String random(int bytes) {
        byte[] raw = new byte[bytes];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}
