package org.fleetrec.web.bench;

import java.util.List;

/** One executed image on a synthetic host, with what every event of it repeats. */
record SyntheticProcess(SyntheticHost host, String entityId, long pid, SyntheticProcess parent, String executable,
                        List<String> args, String commandLine, long startMillis, Who who, String workingDirectory,
                        String sha256) {

    String name() {
        return executable.substring(executable.lastIndexOf('/') + 1);
    }
}
