package org.fleetrec.stack.deploy;

import org.fleetrec.stack.Part;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** deploy/package.sh against the rest of the project (the package it makes is tested by ingest-server's PackageIT). */
class PackageScriptTest {
    @Test
    void packagedLaunchersStartEachPartWithTheJvmOptionsTheLocalStackUses() throws Exception {
        String script = Repository.read("deploy/package.sh");
        Matcher function = Pattern.compile("(?s)jvm_options_of\\(\\) \\{(.*?)\n}").matcher(script);
        assertTrue(function.find(), "jvm_options_of in deploy/package.sh");
        String options = function.group(1);
        for (Part part : List.of(Part.AGENT, Part.INGEST, Part.WEB)) {
            Matcher m = Pattern.compile("(?m)^\\s+" + (part == Part.AGENT ? "agent\\)" : "\\*\\)") + " echo \"([^\"]+)\"").matcher(options);
            assertTrue(m.find(), part.id());
            assertEquals(String.join(" ", part.jvmOptions()), m.group(1), part.id());
        }
    }

    @Test
    void everyPartHasAUnitASettingsSampleAndAModule() throws Exception {
        String script = Repository.read("deploy/package.sh");
        for (String part : SystemdUnitsTest.PARTS) {
            assertTrue(java.nio.file.Files.isRegularFile(Repository.root().resolve("deploy/systemd/fleetrec-" + part + ".service")), part);
            assertTrue(java.nio.file.Files.isRegularFile(Repository.root().resolve("deploy/env/" + part + ".env")), part);
            Matcher module = Pattern.compile(part + "\\) echo ([a-z-]+) ;;").matcher(script);
            assertTrue(module.find(), part);
            assertTrue(java.nio.file.Files.isRegularFile(Repository.root().resolve(module.group(1)).resolve("pom.xml")), module.group(1));
        }
    }
}
