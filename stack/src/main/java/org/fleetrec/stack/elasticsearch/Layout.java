package org.fleetrec.stack.elasticsearch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where files live.
 *
 * <p>Normally everything is under the work dir ({@code .fleetrec/}). When we are root, Elasticsearch runs as
 * {@code nobody}, which must be able to reach the install and the node folders. If nobody cannot traverse the work
 * dir (for example the repository is cloned under {@code /root}, mode 0700), the install and the node folders go to
 * {@code /var/tmp/fleetrec-es-<hash of work dir>/} instead; pid files always stay in {@code <workDir>/es-<node>/}.
 */
final class Layout {

    static final Path FALLBACK_PARENT = Path.of("/var/tmp");
    static final String FALLBACK_PREFIX = "fleetrec-es-";
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    private Layout() {
    }

    static String checkNodeName(String nodeName) {
        if (nodeName == null || !NODE_NAME.matcher(nodeName).matches()) {
            throw new IllegalArgumentException("node name must match " + NODE_NAME + ": " + nodeName);
        }
        return nodeName;
    }

    /** Absolute, existing, symlink-free work dir. */
    static Path workDir(Path workDir) {
        try {
            Path abs = workDir.toAbsolutePath().normalize();
            Files.createDirectories(abs);
            return abs.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create work dir " + workDir, e);
        }
    }

    /** Folder that holds the install and node folders (see class comment). */
    static Path base(Path realWorkDir) {
        if (!Posix.isRoot() || Posix.nobodyCanTraverse(realWorkDir)) {
            return realWorkDir;
        }
        Path fallback = fallbackBase(realWorkDir);
        try {
            Files.createDirectories(fallback);
            if (Files.isSymbolicLink(fallback) || !Files.isDirectory(fallback, LinkOption.NOFOLLOW_LINKS)
                    || ((Integer) Files.getAttribute(fallback, "unix:uid", LinkOption.NOFOLLOW_LINKS)) != 0) {
                throw new IllegalStateException(fallback + " exists but is not a root-owned directory; remove it");
            }
            Files.setPosixFilePermissions(fallback, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + fallback, e);
        }
        return fallback;
    }

    static Path fallbackBase(Path realWorkDir) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(realWorkDir.toString().getBytes(StandardCharsets.UTF_8));
            return FALLBACK_PARENT.resolve(FALLBACK_PREFIX + HexFormat.of().formatHex(digest, 0, 6));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code <workDir>/es-<node>}: holds the pid file (and, normally, the node itself). */
    static Path controlDir(Path realWorkDir, String nodeName) {
        return realWorkDir.resolve("es-" + nodeName);
    }

    /** Every place a node dir can be, so a pid can be matched whichever layout was used when it started. */
    static List<Path> candidateNodeDirs(Path realWorkDir, String nodeName) {
        return List.of(controlDir(realWorkDir, nodeName), fallbackBase(realWorkDir).resolve("es-" + nodeName));
    }
}
