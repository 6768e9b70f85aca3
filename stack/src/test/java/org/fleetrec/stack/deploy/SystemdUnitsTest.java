package org.fleetrec.stack.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * deploy/systemd: units systemd accepts without a warning, hardened as README "Deploy" says, with
 * settings files that name only variables the project reads.
 */
class SystemdUnitsTest {
    static final List<String> PARTS = List.of("agent", "ingest", "web");
    /** The most exposure systemd-analyze may see in the ingest server's and web app's units (0 safest, 10 worst). */
    private static final double SERVER_EXPOSURE_LIMIT = 2.5;
    /** The agent is root with the capture capabilities and must see the whole host, so it scores higher. */
    private static final double AGENT_EXPOSURE_LIMIT = 6.0;

    /** Each key of a unit with its values, in order (a key may repeat). */
    static Map<String, List<String>> unit(String part) throws IOException {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        for (String line : Repository.read("deploy/systemd/fleetrec-" + part + ".service").lines().toList()) {
            if (line.isBlank() || line.startsWith("#") || line.startsWith("[")) continue;
            int eq = line.indexOf('=');
            keys.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>()).add(line.substring(eq + 1));
        }
        return keys;
    }

    static String one(Map<String, List<String>> unit, String key) {
        List<String> values = unit.getOrDefault(key, List.of());
        assertEquals(1, values.size(), key + " set once: " + values);
        return values.get(0);
    }

    /** The capabilities the agent's unit keeps, which the compose file must give its container too. */
    static Set<String> agentCapabilities() throws IOException {
        return new TreeSet<>(List.of(one(unit("agent"), "CapabilityBoundingSet").split(" ")));
    }

    @Test
    void systemdVerifiesEveryUnitWithoutAWord(@TempDir Path dir) throws Exception {
        assumeTrue(Repository.onPath("systemd-analyze"), "systemd-analyze is not installed (Debian: systemd); units not verified");
        Path root = systemRoot(dir);
        for (String part : PARTS) {
            Repository.Result result = Repository.run(root, 60, "systemd-analyze", "verify", "--root=" + root, unitName(part));
            assertEquals(0, result.status(), part + ": " + result.output());
            assertEquals("", result.output().strip(), part + ": systemd-analyze verify has something to say");
        }
    }

    /** The check above must notice a misspelt setting, which systemd would only warn about and ignore. */
    @Test
    void systemdVerifyNoticesAMisspeltSetting(@TempDir Path dir) throws Exception {
        assumeTrue(Repository.onPath("systemd-analyze"), "systemd-analyze is not installed; units not verified");
        Path root = systemRoot(dir);
        Path unit = root.resolve("etc/systemd/system").resolve(unitName("web"));
        Files.writeString(unit, Files.readString(unit).replace("ProtectSystem=strict", "ProtectSytem=strict"));
        Repository.Result result = Repository.run(root, 60, "systemd-analyze", "verify", "--root=" + root, unitName("web"));
        assertTrue(result.output().contains("ProtectSytem"), result.output());
    }

    @Test
    void theServersExposeLittleToTheHostAndTheAgentNoMoreThanCaptureNeeds(@TempDir Path dir) throws Exception {
        assumeTrue(Repository.onPath("systemd-analyze"), "systemd-analyze is not installed; exposure not measured");
        Path root = systemRoot(dir);
        Map<String, Double> exposure = new LinkedHashMap<>();
        for (String part : PARTS) {
            Repository.Result result = Repository.run(root, 60, "systemd-analyze", "security", "--offline=true",
                    "--root=" + root, unitName(part));
            Matcher m = Pattern.compile("Overall exposure level for \\S+: (\\d+\\.\\d+)").matcher(result.output());
            assertTrue(m.find(), result.output());
            exposure.put(part, Double.parseDouble(m.group(1)));
        }
        System.out.println("systemd-analyze security exposure (0 safest, 10 worst): " + exposure);
        assertTrue(exposure.get("ingest") <= SERVER_EXPOSURE_LIMIT, "ingest " + exposure);
        assertTrue(exposure.get("web") <= SERVER_EXPOSURE_LIMIT, "web " + exposure);
        assertTrue(exposure.get("agent") <= AGENT_EXPOSURE_LIMIT, "agent " + exposure);
    }

    @Test
    void theServersRunAsADynamicUserWithNoCapabilitiesInAReadOnlySystem() throws Exception {
        for (String part : List.of("ingest", "web")) {
            Map<String, List<String>> unit = unit(part);
            assertEquals("yes", one(unit, "DynamicUser"), part);
            assertEquals("", one(unit, "CapabilityBoundingSet"), part + " keeps no capability");
            assertEquals("", one(unit, "AmbientCapabilities"), part);
            for (String key : List.of("NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices", "ProtectKernelTunables",
                    "ProtectKernelModules", "ProtectControlGroups", "RestrictNamespaces", "RestrictSUIDSGID", "LockPersonality")) {
                assertEquals("yes", one(unit, key), part + " " + key);
            }
            assertEquals("strict", one(unit, "ProtectSystem"), part);
            assertEquals(Set.of("AF_UNIX", "AF_INET", "AF_INET6"), Set.of(one(unit, "RestrictAddressFamilies").split(" ")), part);
            assertTrue(unit.get("SystemCallFilter").contains("@system-service"), part);
            assertFalse(unit.containsKey("MemoryDenyWriteExecute"), part + ": the JIT needs memory that is written, then run");
            assertEquals("/etc/fleetrec/" + part + ".env", one(unit, "EnvironmentFile"), part);
            assertEquals("/opt/fleetrec/" + part + "/bin/fleetrec-" + part, one(unit, "ExecStart").split(" ")[0], part);
        }
        assertEquals("serve", one(unit("ingest"), "ExecStart").split(" ")[1]);
    }

    @Test
    void theAgentIsRootWithTheCaptureCapabilitiesAndSeesTheHostsFiles() throws Exception {
        Map<String, List<String>> unit = unit("agent");
        assertFalse(unit.containsKey("User") || unit.containsKey("DynamicUser"), "the agent runs as root");
        assertEquals(new TreeSet<>(List.of("CAP_AUDIT_CONTROL", "CAP_AUDIT_READ", "CAP_NET_ADMIN", "CAP_SYS_PTRACE",
                "CAP_DAC_READ_SEARCH", "CAP_SYS_NICE")), agentCapabilities());
        assertTrue(List.of(one(unit, "RestrictAddressFamilies").split(" ")).contains("AF_NETLINK"), "audit speaks netlink");
        assertEquals("strict", one(unit, "ProtectSystem"));
        // Watches are resolved in the agent's view of the files: private copies of these would be watched instead.
        assertEquals("no", one(unit, "PrivateTmp"));
        assertEquals("no", one(unit, "PrivateDevices"));
        assertEquals("read-only", one(unit, "ProtectHome"));
        assertFalse(unit.containsKey("ProtectProc") || unit.containsKey("ProcSubset"), "it reads every process in /proc");
        assertFalse(unit.containsKey("MemoryDenyWriteExecute"));
        // Its state lives where systemd keeps it writable, and is where the agent looks by default.
        assertEquals("fleetrec-agent", one(unit, "StateDirectory"));
        assertTrue(unit.get("Environment").contains("FLEETREC_AGENT_STATE=/var/lib/fleetrec-agent"), unit.get("Environment").toString());
        assertEquals("/opt/fleetrec/agent/bin/fleetrec-agent run", one(unit, "ExecStart"));
        assertEquals("/opt/fleetrec/agent/bin/fleetrec-agent cleanup", one(unit, "ExecStopPost"));
    }

    /**
     * Every FLEETREC_ variable the settings samples and the compose file name is one the project reads, so a
     * misspelt name cannot sit there silently doing nothing.
     */
    @Test
    void theSettingsNameOnlyVariablesTheProjectReads() throws Exception {
        Set<String> named = new TreeSet<>();
        Pattern variable = Pattern.compile("(?m)^\\s*#?\\s*(FLEETREC_[A-Z0-9_]+)=");
        for (String part : PARTS) {
            Matcher m = variable.matcher(Repository.read("deploy/env/" + part + ".env"));
            while (m.find()) named.add(m.group(1));
        }
        Matcher m = Pattern.compile("(?m)^\\s+(FLEETREC_[A-Z0-9_]+):").matcher(Repository.read("docker/docker-compose.yml"));
        while (m.find()) named.add(m.group(1));
        assertTrue(named.size() > 15, named.toString());
        StringBuilder sources = new StringBuilder(Repository.read("deploy/package.sh"));
        try (Stream<Path> files = Files.walk(Repository.root())) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/")).toList()) {
                sources.append(Files.readString(file));
            }
        }
        for (String name : named) assertTrue(readIn(sources, name), name + " is read nowhere in the project");
    }

    /** As a string literal, a shell expansion, or a literal prefix completed by a literal suffix ({@code prefix + "_CA"}). */
    private static boolean readIn(CharSequence sources, String name) {
        String text = sources.toString();
        if (text.contains("\"" + name + "\"") || text.contains("${" + name)) return true;
        for (int at = name.indexOf('_'); at > 0; at = name.indexOf('_', at + 1)) {
            if (text.contains("\"" + name.substring(0, at) + "\"") && text.contains("+ \"" + name.substring(at) + "\"")) return true;
        }
        return false;
    }

    private static String unitName(String part) {
        return "fleetrec-" + part + ".service";
    }

    /**
     * A root for systemd-analyze: the system's own units (targets the ours are ordered after), ours in
     * /etc/systemd/system, and an executable where each unit's commands live.
     */
    private static Path systemRoot(Path root) throws Exception {
        Path systemUnits = Path.of("/usr/lib/systemd/system");
        if (!Files.isDirectory(systemUnits)) systemUnits = Path.of("/lib/systemd/system");
        assumeTrue(Files.isDirectory(systemUnits), "no systemd unit folder on this machine");
        Files.createDirectories(root.resolve("usr/lib/systemd"));
        Repository.Result copied = Repository.run(root, 60, "cp", "-a", systemUnits.toString(), root.resolve("usr/lib/systemd/system").toString());
        assertEquals(0, copied.status(), copied.output());
        // Masked units link to /dev/null, outside this root; ours need none of them.
        try (Stream<Path> files = Files.list(root.resolve("usr/lib/systemd/system"))) {
            for (Path file : files.toList()) {
                if (Files.isSymbolicLink(file) && Files.readSymbolicLink(file).isAbsolute()) Files.delete(file);
            }
        }
        Path units = Files.createDirectories(root.resolve("etc/systemd/system"));
        for (String part : PARTS) {
            Files.copy(Repository.root().resolve("deploy/systemd").resolve(unitName(part)), units.resolve(unitName(part)));
            Map<String, List<String>> unit = unit(part);
            for (String key : List.of("ExecStart", "ExecStopPost")) {
                for (String command : unit.getOrDefault(key, List.of())) {
                    Path executable = root.resolve(command.split(" ")[0].substring(1));
                    Files.createDirectories(executable.getParent());
                    Files.writeString(executable, "#!/bin/sh\n");
                    Files.setPosixFilePermissions(executable, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
        }
        return root;
    }
}
