package org.fleetrec.detection.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.fleetrec.agent.host.HostIdentity;
import org.fleetrec.agent.host.UserNames;
import org.fleetrec.agent.process.EventMapper;
import org.fleetrec.agent.process.ProcessTable;
import org.fleetrec.detection.sigma.AuditDocuments;
import org.fleetrec.detection.sigma.CompiledRule;
import org.fleetrec.detection.sigma.RuleSet;
import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project's own rules on documents made by the agent's mappers from audit records: each fires
 * on the attack it describes and stays quiet on the legitimate event that looks most like it.
 */
class OwnRulesTest {
    private static final String RECON = "Network Reconnaissance Tool Launched";
    private static final String CREDENTIALS = "Credential File Read by an Unexpected Program";
    private static final String SUDOERS = "Sudo Policy Read by an Unexpected Program";
    private static final String CONTAINER = "Container Runtime Client Run Inside a Container";
    private static final String DOCKER_ID = "8b0e6f1d2c3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c";

    private static RuleSet rules;

    @BeforeAll
    static void load() {
        RuleSet.Builder b = RuleSet.builder();
        for (RuleSource s : OwnRules.sources()) b.add(s.name(), s.yaml());
        rules = b.build();
        assertEquals(List.of(), rules.rejected(), "every own rule loads");
    }

    private static Set<String> fired(List<EventDocument> docs) {
        Set<String> titles = new TreeSet<>();
        for (EventDocument d : docs) rules.evaluate(d).forEach(m -> titles.add(m.title()));
        return titles;
    }

    private static Set<String> fired(AuditLines lines) {
        return fired(AuditDocuments.of(lines.lines()));
    }

    @Test
    void everyOwnRuleIsCompleteAndTagged() {
        assertEquals(4, rules.rules().size());
        Set<String> ids = new TreeSet<>();
        for (CompiledRule r : rules.rules()) {
            assertTrue(ids.add(r.id()), "unique id " + r.id());
            assertTrue(r.id().matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), r.id());
            assertTrue(Set.of("medium", "high").contains(r.level()), r.title());
        }
        for (RuleSource s : OwnRules.sources()) {
            assertEquals("shipped", s.origin());
            assertTrue(s.yaml().contains("falsepositives:"), s.name());
            assertTrue(s.yaml().matches("(?s).*- attack\\.t\\d{4}.*"), s.name() + " names an ATT&CK technique");
        }
    }

    @Test
    void reconToolsFireAndLookAlikesDoNot() {
        assertEquals(Set.of(RECON), fired(new AuditLines().exec(500, 400, 1000, "/usr/bin/nmap", "nmap", "-sS", "10.0.0.0/24")));
        assertEquals(Set.of(RECON), fired(new AuditLines().exec(501, 400, 0, "/usr/local/bin/masscan", "masscan", "-p1-65535", "10.0.0.0/8")));
        assertEquals(Set.of(RECON), fired(new AuditLines().exec(502, 400, 0, "/tmp/.x/zmap", "zmap", "-p", "22")));
        // Names that start or end like a scanner's, and ncat, which ships with nmap but scans nothing.
        AuditLines alike = new AuditLines()
                .exec(510, 400, 1000, "/usr/bin/ncat", "ncat", "-l", "8080")
                .exec(511, 400, 1000, "/usr/local/bin/nmap-report", "nmap-report", "scan.xml")
                .exec(512, 400, 1000, "/opt/tools/unmap", "unmap")
                .exec(513, 400, 1000, "/usr/bin/nmapsi4", "nmapsi4")
                .exec(514, 400, 1000, "/usr/bin/zmap-json", "zmap-json");
        assertEquals(Set.of(), fired(alike));
    }

    @Test
    void shadowReadByAShellUserFires() {
        assertEquals(Set.of(CREDENTIALS), fired(new AuditLines().read(600, 400, 0, "/usr/bin/cat", "/etc/shadow", true)));
        assertEquals(Set.of(CREDENTIALS), fired(new AuditLines().read(601, 400, 0, "/usr/bin/python3.11", "/etc/gshadow", true)));
        // Refused by the kernel (an unprivileged user): the attempt is the finding.
        assertEquals(Set.of(CREDENTIALS), fired(new AuditLines().read(602, 400, 1000, "/usr/bin/cat", "/etc/shadow", false)));
        // A copy of cat named like a trusted program, outside its place.
        assertEquals(Set.of(CREDENTIALS), fired(new AuditLines().read(603, 400, 0, "/tmp/sshd", "/etc/shadow", true)));
        assertEquals(Set.of(CREDENTIALS), fired(new AuditLines().read(604, 400, 0, "/usr/bin/python3.11",
                "/etc/ssh/ssh_host_ed25519_key", true)));
    }

    @Test
    void shadowReadByTheProgramsThatAuthenticateIsQuiet() {
        AuditLines legit = new AuditLines()
                .read(700, 1, 0, "/usr/sbin/sshd", "/etc/shadow", true)
                .read(701, 700, 0, "/usr/lib/openssh/sshd-session", "/etc/shadow", true)
                .read(702, 400, 0, "/usr/bin/sudo", "/etc/shadow", true)
                .read(703, 400, 0, "/usr/sbin/unix_chkpwd", "/etc/shadow", true)
                .read(704, 1, 0, "/usr/sbin/cron", "/etc/shadow", true)
                .read(705, 400, 0, "/usr/bin/passwd", "/etc/shadow", true)
                .read(706, 1, 0, "/usr/sbin/sshd", "/etc/ssh/ssh_host_ed25519_key", true)
                .read(707, 400, 0, "/usr/bin/cat", "/etc/ssh/ssh_host_ed25519_key.pub", true)
                .read(708, 400, 0, "/usr/bin/cat", "/etc/passwd", true)
                // Writing is a change, not a read: the change watches and other rules see it.
                .write(709, 400, 0, "/usr/bin/vim.basic", "/etc/shadow");
        assertEquals(Set.of(), fired(legit));
    }

    @Test
    void debiansDailyBackupIsQuietButTheSameCopyByHandIsNot() {
        AuditLines backup = new AuditLines()
                .exec(800, 790, 0, "/usr/bin/dash", "/bin/sh", "/etc/cron.daily/passwd")
                .read(801, 800, 0, "/usr/bin/cmp", "/etc/shadow", true)
                .read(802, 800, 0, "/usr/bin/cp", "/etc/shadow", true);
        assertEquals(Set.of(), fired(backup));
        AuditLines byHand = new AuditLines()
                .exec(810, 790, 0, "/usr/bin/bash", "-bash")
                .read(811, 810, 0, "/usr/bin/cp", "/etc/shadow", true);
        assertEquals(Set.of(CREDENTIALS), fired(byHand));
    }

    /** Seen on this host: apt's debconf step, Perl as root, read /etc/shadow through getpwnam. */
    @Test
    void debconfsPerlIsQuietButPerlGivenAnythingElseIsNot() {
        AuditLines debconf = new AuditLines()
                .exec(900, 890, 0, "/usr/bin/perl", "/usr/bin/perl", "-w", "/usr/sbin/dpkg-preconfigure", "--apt")
                .read(900, 890, 0, "/usr/bin/perl", "/etc/shadow", true);
        assertEquals(Set.of(), fired(debconf));
        AuditLines oneLiner = new AuditLines()
                .exec(910, 890, 0, "/usr/bin/perl", "/usr/bin/perl", "-e", "print getpwnam('root')", "/usr/sbin/dpkg-preconfigure")
                .read(910, 890, 0, "/usr/bin/perl", "/etc/shadow", true);
        assertEquals(Set.of(CREDENTIALS), fired(oneLiner));
        AuditLines lookAlike = new AuditLines()
                .exec(920, 890, 0, "/usr/bin/perl", "/usr/bin/perl", "/tmp/usr/sbin/adduser")
                .read(920, 890, 0, "/usr/bin/perl", "/etc/shadow", true);
        assertEquals(Set.of(CREDENTIALS), fired(lookAlike));
    }

    @Test
    void sudoersReadBySomethingElseThanSudo() {
        assertEquals(Set.of(SUDOERS), fired(new AuditLines().read(900, 400, 0, "/usr/bin/less", "/etc/sudoers", true)));
        assertEquals(Set.of(SUDOERS), fired(new AuditLines().read(901, 400, 1000, "/usr/bin/python3.11",
                "/etc/sudoers.d/90-cloud-init-users", false)));
        AuditLines sudo = new AuditLines()
                .read(902, 400, 0, "/usr/bin/sudo", "/etc/sudoers", true)
                .read(902, 400, 0, "/usr/bin/sudo", "/etc/sudoers.d/README", true)
                .read(903, 400, 0, "/usr/sbin/visudo", "/etc/sudoers", true)
                .read(904, 400, 0, "/usr/bin/ls", "/etc/sudoers.d", true);
        assertEquals(Set.of(), fired(sudo));
    }

    /** Container context comes from /proc (a fake one here): the agent's live mapper reads it. */
    @Test
    void runtimeClientsInsideAContainerFireAndOnTheHostDoNot(@TempDir Path dir) throws Exception {
        Path proc = Files.createDirectories(dir.resolve("proc"));
        Files.writeString(proc.resolve("stat"), "btime 1700000000\n");
        Map<Long, String> cgroups = Map.of(
                1100L, "0::/system.slice/docker-" + DOCKER_ID + ".scope\n",
                1101L, "0::/system.slice/docker-" + DOCKER_ID + ".scope\n",
                1102L, "0::/system.slice/docker-" + DOCKER_ID + ".scope\n",
                1103L, "0::/system.slice/docker-" + DOCKER_ID + ".scope\n",
                1104L, "11:cpu,cpuacct:/kubepods/besteffort/pod8e9f0a1b/" + DOCKER_ID + "\n",
                1200L, "0::/user.slice/user-1000.slice/session-3.scope\n",
                1201L, "0::/user.slice/user-1000.slice/session-3.scope\n");
        for (Map.Entry<Long, String> e : cgroups.entrySet()) {
            Path p = Files.createDirectories(proc.resolve(Long.toString(e.getKey())));
            Files.writeString(p.resolve("stat"), e.getKey() + " (x) S 1 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 " + (5000 + e.getKey())
                    + " 1000 100\n");
            Files.writeString(p.resolve("cgroup"), e.getValue());
        }
        EventMapper live = new EventMapper(new ProcessTable(new HostIdentity("host-1", "lab", "boot-1", "Linux", "6.1", "amd64"), proc),
                UserNames.none(), proc);

        List<EventDocument> inside = AuditDocuments.of(new AuditLines()
                .exec(1100, 1099, 0, "/usr/bin/docker", "docker", "run", "--privileged", "-v", "/:/host", "alpine")
                .exec(1101, 1099, 0, "/usr/local/bin/kubectl", "kubectl", "get", "secrets", "-A")
                .lines(), live);
        assertEquals(2, inside.size());
        for (EventDocument d : inside) assertEquals(Set.of(CONTAINER), fired(List.of(d)), d.text("process.executable"));
        assertEquals(Set.of(CONTAINER), fired(AuditDocuments.of(new AuditLines()
                .exec(1104, 1099, 0, "/usr/bin/crictl", "crictl", "ps").lines(), live)));

        List<EventDocument> quiet = AuditDocuments.of(new AuditLines()
                // the runtime's own helper, in the container's cgroup while it sets it up
                .exec(1102, 1099, 0, "/usr/bin/runc", "runc", "init")
                // the daemon is not the client
                .exec(1103, 1099, 0, "/usr/bin/dockerd", "dockerd")
                // the same clients on the host
                .exec(1200, 1199, 1000, "/usr/bin/docker", "docker", "ps")
                .exec(1201, 1199, 1000, "/usr/local/bin/kubectl", "kubectl", "get", "pods")
                .lines(), live);
        assertEquals(4, quiet.size());
        assertEquals(DOCKER_ID, quiet.get(0).text("container.id"), "runc init is in the container, filtered by name");
        assertEquals(Set.of(), fired(quiet));
    }
}
