package org.fleetrec.stack.elasticsearch;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The Elasticsearch distribution used for local nodes: {@code org.elasticsearch.distribution.integ-test-zip:
 * elasticsearch:8.19.21:zip}, resolved through Maven and unpacked once per work dir.
 *
 * <p>This zip has no bundled JDK (nodes run on the JVM that starts them) and only the modules apm,
 * transport-netty4, x-pack-core and x-pack-security: no painless, data streams, ILM, ingest processors or geoip.
 */
public final class ElasticsearchDistribution {

    public static final String VERSION = "8.19.21";
    public static final String GROUP_ID = "org.elasticsearch.distribution.integ-test-zip";
    public static final String ARTIFACT_ID = "elasticsearch";
    /** Maven coordinates as used by {@code dependency:get}. */
    public static final String COORDINATES = GROUP_ID + ":" + ARTIFACT_ID + ":" + VERSION + ":zip";

    private static final String ZIP_ROOT = "elasticsearch-" + VERSION + "/";
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> EXEC = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Duration MAVEN_TIMEOUT = Duration.ofMinutes(20);

    private ElasticsearchDistribution() {
    }

    /**
     * The distribution zip in the local Maven repository, downloading it with
     * {@code mvn -B -q dependency:get -Dartifact=...} first when it is missing. The local repository is
     * {@code -Dmaven.repo.local} (system property, or in {@code MAVEN_OPTS}), else {@code <localRepository>} of
     * {@code ~/.m2/settings.xml}, else {@code ~/.m2/repository}. The Maven command is {@code $FLEETREC_MVN}, else
     * {@code $MAVEN_HOME/bin/mvn}, else {@code mvn} on the PATH.
     */
    public static Path resolveZip() {
        Path repo = localRepository();
        Path zip = repo.resolve(GROUP_ID.replace('.', '/')).resolve(ARTIFACT_ID).resolve(VERSION)
                .resolve(ARTIFACT_ID + "-" + VERSION + ".zip");
        if (isUsableZip(zip)) {
            return zip;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(mavenCommand());
        cmd.addAll(List.of("-B", "-q", "dependency:get", "-Dartifact=" + COORDINATES, "-Dtransitive=false",
                "-Dmaven.repo.local=" + repo));
        runMaven(cmd);
        if (!isUsableZip(zip)) {
            throw new IllegalStateException("Maven finished but " + zip + " is missing; command was " + cmd);
        }
        return zip;
    }

    /**
     * Unpacks the distribution once to {@code <workDir>/elasticsearch/8.19.21/} and returns that folder. The zip is
     * extracted to a temporary sibling folder that is renamed into place only when complete, so an interrupted
     * unpack is never used (and two processes racing both end up with the same complete folder).
     *
     * <p>When we are root and the {@code nobody} user (which runs Elasticsearch) cannot traverse {@code workDir},
     * the install goes to {@code /var/tmp/fleetrec-es-<hash of workDir>/elasticsearch/8.19.21/} instead.
     */
    public static Path install(Path workDir) {
        Path base = Layout.base(Layout.workDir(workDir));
        Path parent = base.resolve("elasticsearch");
        Path target = parent.resolve(VERSION);
        if (isInstalled(target)) {
            return target;
        }
        Path zip = resolveZip();
        try {
            Files.createDirectories(parent);
            Files.setPosixFilePermissions(parent, DIR);
            removeStaleUnpacks(parent);
            Path tmp = Files.createTempDirectory(parent, ".unpack-" + VERSION + "-");
            try {
                unzip(zip, tmp);
                Files.setPosixFilePermissions(tmp, DIR);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                    if (!isInstalled(target)) {
                        throw new IllegalStateException(target + " exists but is not a complete install; remove it",
                                e);
                    }
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IllegalStateException("cannot rename " + tmp + " to " + target, e);
                }
            } finally {
                deleteTree(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + zip + " to " + target, e);
        }
        if (!isInstalled(target)) {
            throw new IllegalStateException("install of Elasticsearch in " + target + " failed");
        }
        return target;
    }

    /** The local Maven repository this class reads the zip from (see {@link #resolveZip()}). */
    public static Path localRepository() {
        String prop = System.getProperty("maven.repo.local");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        String mavenOpts = System.getenv("MAVEN_OPTS");
        if (mavenOpts != null) {
            Matcher m = Pattern.compile("-Dmaven\\.repo\\.local=(\"[^\"]+\"|\\S+)").matcher(mavenOpts);
            if (m.find()) {
                return Path.of(m.group(1).replace("\"", "")).toAbsolutePath();
            }
        }
        Path home = Path.of(System.getProperty("user.home"));
        Path settings = home.resolve(".m2").resolve("settings.xml");
        if (Files.isRegularFile(settings)) {
            try {
                String xml = Files.readString(settings, StandardCharsets.UTF_8).replaceAll("(?s)<!--.*?-->", "");
                Matcher m = Pattern.compile("<localRepository>\\s*([^<]+?)\\s*</localRepository>").matcher(xml);
                if (m.find()) {
                    return Path.of(m.group(1).replace("${user.home}", home.toString())).toAbsolutePath();
                }
            } catch (IOException | RuntimeException e) {
                // fall back to the default
            }
        }
        return home.resolve(".m2").resolve("repository");
    }

    static boolean isInstalled(Path installDir) {
        return Files.isRegularFile(installDir.resolve("bin").resolve("elasticsearch"))
                && Files.isDirectory(installDir.resolve("lib"))
                && Files.isRegularFile(installDir.resolve("config").resolve("jvm.options"));
    }

    private static boolean isUsableZip(Path zip) {
        try {
            return Files.isRegularFile(zip) && Files.size(zip) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static String mavenCommand() {
        String explicit = System.getenv("FLEETREC_MVN");
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        for (String home : new String[] {System.getProperty("maven.home"), System.getenv("MAVEN_HOME"),
                System.getenv("M2_HOME")}) {
            if (home != null && !home.isBlank() && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
                return Path.of(home, "bin", "mvn").toString();
            }
        }
        return "mvn";
    }

    private static void runMaven(List<String> cmd) {
        Path log = null;
        try {
            log = Files.createTempFile("fleetrec-mvn-", ".log");
            Process p = new ProcessBuilder(cmd)
                    .directory(new File(System.getProperty("java.io.tmpdir")))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!p.waitFor(MAVEN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out after " + MAVEN_TIMEOUT + ": " + cmd);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("failed (exit " + p.exitValue() + "): " + cmd + "\n"
                        + LocalElasticsearch.tail(log, 40));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd + " (is Maven installed? set FLEETREC_MVN)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + cmd, e);
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException ignored) {
                    // temp file
                }
            }
        }
    }

    private static void unzip(Path zip, Path dest) throws IOException {
        Path root = dest.toAbsolutePath().normalize();
        try (ZipFile zf = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> entries = zf.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                if (!name.startsWith(ZIP_ROOT)) {
                    throw new IOException("unexpected entry " + name + " in " + zip);
                }
                String rel = name.substring(ZIP_ROOT.length());
                if (rel.isEmpty()) {
                    continue;
                }
                Path out = root.resolve(rel).normalize();
                if (!out.startsWith(root)) {
                    throw new IOException("entry escapes the install folder: " + name);
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    Files.setPosixFilePermissions(out, DIR);
                    continue;
                }
                Files.createDirectories(out.getParent());
                try (InputStream in = zf.getInputStream(entry)) {
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
                boolean script = rel.startsWith("bin/") && !rel.endsWith(".bat") && !rel.endsWith(".exe");
                Files.setPosixFilePermissions(out, script ? EXEC : FILE);
            }
        }
        // directories created implicitly for files get the umask; make all of them readable and traversable
        try (Stream<Path> dirs = Files.walk(root)) {
            for (Path d : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
                Files.setPosixFilePermissions(d, DIR);
            }
        }
    }

    /** Leftovers of unpacks that were killed half-way (older than an hour, so a concurrent unpack is left alone). */
    private static void removeStaleUnpacks(Path parent) throws IOException {
        Instant cutoff = Instant.now().minus(Duration.ofHours(1));
        try (Stream<Path> children = Files.list(parent)) {
            for (Path child : (Iterable<Path>) children::iterator) {
                if (child.getFileName().toString().startsWith(".unpack-")) {
                    FileTime modified = Files.getLastModifiedTime(child);
                    if (modified.toInstant().isBefore(cutoff)) {
                        deleteTree(child);
                    }
                }
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
