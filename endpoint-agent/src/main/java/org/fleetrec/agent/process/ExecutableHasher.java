package org.fleetrec.agent.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * SHA-256 of executed images, cached by path, inode, size and change time so a busy
 * host hashes each binary once. Prefers /proc/<pid>/exe, the image actually mapped, and
 * falls back to the path when the process is already gone.
 */
public final class ExecutableHasher {
    private static final long MAX_BYTES = 256L << 20;

    private record Key(String path, Object inode, long size, long changed) {
    }

    private final Path proc;
    private final boolean localFiles;
    private final Map<Key, String> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, String> eldest) {
            return size() > 4096;
        }
    };

    /** @param localFiles whether the images named are this host's: false for evidence from another machine */
    public ExecutableHasher(Path proc, boolean localFiles) {
        this.proc = proc;
        this.localFiles = localFiles;
    }

    public synchronized Optional<String> sha256(long pid, String executable) {
        // Evidence from another machine: a file of the same name here is not the image that ran there.
        if (!localFiles) return Optional.empty();
        Path live = proc.resolve(Long.toString(pid)).resolve("exe");
        Optional<String> hash = hash(live, executable);
        if (hash.isPresent()) return hash;
        try {
            return hash(Path.of(executable), executable);
        } catch (java.nio.file.InvalidPathException e) {
            return Optional.empty(); // a name no file can have
        }
    }

    private Optional<String> hash(Path file, String name) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (!attributes.isRegularFile() || attributes.size() > MAX_BYTES) return Optional.empty();
            Key key = new Key(name, attributes.fileKey(), attributes.size(), attributes.lastModifiedTime().toMillis());
            String cached = cache.get(key);
            if (cached != null) return Optional.of(cached);
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
            }
            String hex = HexFormat.of().formatHex(digest.digest());
            cache.put(key, hex);
            return Optional.of(hex);
        } catch (IOException | NoSuchAlgorithmException e) {
            return Optional.empty();
        }
    }
}
