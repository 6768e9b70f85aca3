package org.fleetrec.agent.source.line;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a log follower stands: just after a complete line, {@code offset} bytes into the file it was
 * reading while following {@code log}. The file is known by its first bytes (their length and SHA-256),
 * not by its name or inode: after a rename rotation it is found under {@code log.1} with the same first
 * bytes; a copytruncate rotation leaves a copy (another inode) with the same first bytes and the
 * original with new ones; and a new log may get the inode of a rotated file that was deleted. The first
 * record of an audit log carries its time and serial, so two different logs do not share their first bytes.
 *
 * @param log        the followed path, absolute; a position saved for another path is not used
 * @param offset     where the next line starts: just past the newline of the last line delivered, or
 *                   where reading began
 * @param headLength how many of the file's first bytes the digest covers (at most {@value #HEAD_BYTES}, never past offset)
 * @param headDigest lower-case hex SHA-256 of those bytes
 */
public record LogPosition(Path log, long offset, int headLength, String headDigest) {
    static final int HEAD_BYTES = 512;
    private static final String VERSION = "log-v1";

    public LogPosition {
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(headDigest, "headDigest");
        if (offset < 0 || headLength < 0 || headLength > offset) {
            throw new IllegalArgumentException("offset " + offset + ", head " + headLength);
        }
    }

    /** Whether this position was saved while following {@code path}. */
    public boolean isOf(Path path) {
        return log.equals(canonical(path));
    }

    /** One line of text, for the store: version, offset, head length, digest, then the path (which may hold blanks). */
    public String encode() {
        return VERSION + " " + offset + " " + headLength + " " + headDigest + " " + log;
    }

    /** The position {@link #encode()} wrote; empty for text of another version or damaged text. */
    public static Optional<LogPosition> decode(String text) {
        if (text == null) return Optional.empty();
        String[] parts = text.split(" ", 5);
        if (parts.length != 5 || !parts[0].equals(VERSION)) return Optional.empty();
        try {
            return Optional.of(new LogPosition(Path.of(parts[4]), Long.parseLong(parts[1]), Integer.parseInt(parts[2]), parts[3]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code file} holds this position: it starts with the same bytes and reaches the offset. */
    boolean isIn(FileChannel file) throws IOException {
        return file.size() >= offset && headDigest.equals(digestOfHead(file, headLength));
    }

    static Path canonical(Path path) {
        return path.toAbsolutePath().normalize();
    }

    /** SHA-256 of the file's first {@code length} bytes, or null if it has fewer. */
    static String digestOfHead(FileChannel file, int length) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(length);
        while (head.hasRemaining()) {
            if (file.read(head, head.position()) < 0) return null;
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(head.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
