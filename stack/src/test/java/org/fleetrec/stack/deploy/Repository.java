package org.fleetrec.stack.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The checkout the deployment files live in, and the external tools their tests run. */
final class Repository {
    private Repository() {
    }

    static Path root() {
        return Path.of(System.getProperty("fleetrec.root", "..")).toAbsolutePath().normalize();
    }

    static String read(String relative) throws IOException {
        return Files.readString(root().resolve(relative));
    }

    /** A property of the root pom, such as {@code elasticsearch.version}. */
    static String pomProperty(String name) throws IOException {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">").matcher(read("pom.xml"));
        if (!m.find()) throw new IllegalStateException("no " + name + " in pom.xml");
        return m.group(1).strip();
    }

    /** The project's version: the root pom's first version element (it has no parent). */
    static String projectVersion() throws IOException {
        return pomProperty("version");
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    record Result(int status, String output) {
    }

    /** Runs a command to its end (stdout and stderr together), failing after {@code seconds}. */
    static Result run(Path workDir, int seconds, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("fleetrec-deploy", ".log");
        try {
            Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(workDir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + seconds + " s");
            }
            return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
