package org.fleetrec.web.bench;

import org.fleetrec.web.bench.EcsEvents.AuthFacts;
import org.fleetrec.web.bench.EcsEvents.AuthKind;
import org.fleetrec.web.bench.SyntheticHost.Role;
import org.fleetrec.web.bench.SyntheticHost.Service;

import java.util.ArrayList;
import java.util.List;

/**
 * What happens on the hosts of the fleet, one activity at a time: the daemons found at agent
 * start, cron and timer jobs, name and time lookups, web requests that travel web → app → db,
 * build jobs, admins hopping over ssh from the bastion, developers at work, and password guessing
 * from the internet. Activities end within {@link #LONGEST} of their start.
 */
final class HostActivities {
    static final int SSH = 22;
    static final int HTTP = 80;
    static final int HTTPS = 443;
    static final int APP_PORT = 8080;
    static final int DB_PORT = 5432;
    static final int CACHE_PORT = 6379;
    /** Activities (sessions included) end this long after they start, at the latest. */
    static final long LONGEST = 20 * 60_000L;

    private static final String RESOLVER = "10.0.0.2";
    private static final String NTP = "162.159.200.1";
    private static final String GIT = "10.50.0.10";
    private static final String ARTIFACTS = "10.50.0.20";
    private static final List<String> MIRRORS = List.of("151.101.2.132", "151.101.66.132", "91.189.91.81");
    private static final List<String> APIS = List.of("52.94.236.248", "13.32.99.12", "34.117.59.81");
    private static final List<String> GUESSED = List.of("admin", "oracle", "test", "ubuntu", "pi", "root", "postgres");
    private static final List<String> PROJECTS = List.of("billing", "frontend", "inventory", "auth-service", "reports");

    private final Planner plan;
    private final FleetLayout fleet;
    private final List<SyntheticHost> servers;

    HostActivities(Planner plan, FleetLayout fleet) {
        this.plan = plan;
        this.fleet = fleet;
        this.servers = fleet.servers();
    }

    /** The processes the agent finds running when it starts at {@code agentStart}. */
    void startServices(SyntheticHost h, long agentStart) {
        long boot = h.bootMillis;
        Who root = Who.system(SyntheticUser.ROOT);
        SyntheticProcess systemd = plan.snapshot(h, null, 1, boot + 900, agentStart, root, "/", "/usr/lib/systemd/systemd",
                "/sbin/init");
        h.services.put(Service.SYSTEMD, systemd);
        h.services.put(Service.JOURNALD, plan.snapshot(h, systemd, 300 + plan.random.nextInt(80), boot + 2_100, agentStart, root, "/",
                "/usr/lib/systemd/systemd-journald", "/lib/systemd/systemd-journald"));
        h.services.put(Service.RESOLVED, plan.snapshot(h, systemd, 520 + plan.random.nextInt(40), boot + 3_900, agentStart,
                Who.system(SyntheticUser.RESOLVE), "/", "/usr/lib/systemd/systemd-resolved", "/lib/systemd/systemd-resolved"));
        h.services.put(Service.CHRONYD, plan.snapshot(h, systemd, 580 + plan.random.nextInt(40), boot + 4_300, agentStart,
                Who.system(SyntheticUser.CHRONY), "/", "/usr/sbin/chronyd", "/usr/sbin/chronyd", "-F", "1"));
        h.services.put(Service.CRON, plan.snapshot(h, systemd, 640 + plan.random.nextInt(40), boot + 4_700, agentStart, root, "/",
                "/usr/sbin/cron", "/usr/sbin/cron", "-f"));
        h.services.put(Service.RSYSLOGD, plan.snapshot(h, systemd, 700 + plan.random.nextInt(40), boot + 4_800, agentStart, root, "/",
                "/usr/sbin/rsyslogd", "/usr/sbin/rsyslogd", "-n", "-iNONE"));
        h.services.put(Service.SSHD, plan.snapshot(h, systemd, 760 + plan.random.nextInt(40), boot + 5_200, agentStart, root, "/",
                "/usr/sbin/sshd", "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"));
        long pid = 900 + plan.random.nextInt(100);
        switch (h.role) {
            case DB -> h.services.put(Service.MAIN, plan.snapshot(h, systemd, pid, boot + 6_000, agentStart,
                    Who.system(SyntheticUser.POSTGRES), "/var/lib/postgresql/15/main", "/usr/lib/postgresql/15/bin/postgres",
                    "/usr/lib/postgresql/15/bin/postgres", "-D", "/var/lib/postgresql/15/main", "-c",
                    "config_file=/etc/postgresql/15/main/postgresql.conf"));
            case WEB -> {
                SyntheticProcess master = plan.snapshot(h, systemd, pid, boot + 6_000, agentStart, root, "/", "/usr/sbin/nginx",
                        "nginx: master process /usr/sbin/nginx -g daemon on; master_process on;");
                h.services.put(Service.MAIN, master);
                h.services.put(Service.WORKER, plan.snapshot(h, master, pid + 1, boot + 6_010, agentStart,
                        Who.system(SyntheticUser.WWW_DATA), "/", "/usr/sbin/nginx", "nginx: worker process"));
            }
            case APP -> h.services.put(Service.MAIN, plan.snapshot(h, systemd, pid, boot + 6_000, agentStart,
                    Who.system(SyntheticUser.APP), "/opt/app", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
                    "/usr/bin/java", "-Xmx2g", "-jar", "/opt/app/app.jar", "--server.port=8080"));
            case CACHE -> h.services.put(Service.MAIN, plan.snapshot(h, systemd, pid, boot + 6_000, agentStart,
                    Who.system(SyntheticUser.REDIS), "/var/lib/redis", "/usr/bin/redis-server", "/usr/bin/redis-server *:6379"));
            case BUILD -> h.services.put(Service.MAIN, plan.snapshot(h, systemd, pid, boot + 6_000, agentStart, root, "/",
                    "/usr/local/bin/ci-runner", "/usr/local/bin/ci-runner", "run", "--working-directory", "/home/ci",
                    "--config", "/etc/ci-runner/config.toml", "--user", "ci"));
            default -> {
            }
        }
    }

    /** One activity of {@code h} starting at {@code t}, chosen by the host's role. */
    void plan(SyntheticHost h, long t) {
        double r = plan.random.nextDouble();
        double roleShare = switch (h.role) {
            case WEB -> 0.75;
            case APP, BASTION -> 0.6;
            case WORKSTATION -> 0.55;
            case BUILD -> 0.4;
            case CACHE -> 0.3;
            case DB -> 0.2;
        };
        if (r < roleShare) {
            switch (h.role) {
                case WEB -> webRequests(h, t);
                case APP -> appWork(h, t);
                case BASTION -> {
                    if (plan.chance(0.55)) adminSession(h, t); else passwordGuessing(h, t);
                }
                case WORKSTATION -> {
                    if (plan.chance(0.85)) developerSession(h, t); else passwordGuessing(h, t);
                }
                case BUILD -> buildJob(h, t);
                case CACHE -> snapshotSave(h, t);
                case DB -> walArchive(h, t);
            }
            return;
        }
        double u = (r - roleShare) / (1 - roleShare);
        if (u < 0.35) cronJob(h, t);
        else if (u < 0.6) timerJob(h, t);
        else if (u < 0.98) lookups(h, t);
        else moduleLoad(h, t);
    }

    // --- housekeeping every host does ---

    private void cronJob(SyntheticHost h, long t) {
        SyntheticProcess cron = h.service(Service.CRON);
        Who root = Who.system(SyntheticUser.ROOT);
        int variant = plan.random.nextInt(h.role == Role.DB ? 3 : 2);
        if (variant == 0) {
            SyntheticProcess sh = plan.exec(cron, t, root, "/root", "/usr/bin/dash", "/bin/sh", "-c",
                    "test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }");
            SyntheticProcess parts = plan.exec(sh, t + 4, root, "/", "/usr/bin/run-parts", "run-parts", "--report", "/etc/cron.daily");
            SyntheticProcess script = plan.exec(parts, t + 9, "/usr/bin/dash", "/bin/sh", "/etc/cron.daily/logrotate");
            SyntheticProcess rotate = plan.exec(script, t + 14, "/usr/sbin/logrotate", "/usr/sbin/logrotate", "/etc/logrotate.conf");
            plan.file(rotate, t + 60, "renamed", "/var/log/syslog", "/var/log/syslog.1");
            plan.file(rotate, t + 61, "created", "/var/log/syslog");
            SyntheticProcess gzip = plan.exec(rotate, t + 70, "/usr/bin/gzip", "/bin/gzip", "-f", "/var/log/syslog.2");
            plan.file(gzip, t + 75, "created", "/var/log/syslog.2.gz");
            plan.file(gzip, t + 420, "deleted", "/var/log/syslog.2");
            plan.exit(gzip, t + 425, 0);
            plan.run(rotate, t + 440, 30, "/usr/bin/systemctl", "systemctl", "kill", "-s", "HUP", "rsyslog.service");
            plan.exit(rotate, t + 520, 0);
            plan.exit(script, t + 523, 0);
            plan.exit(parts, t + 530, 0);
            plan.exit(sh, t + 532, 0);
        } else if (variant == 1) {
            SyntheticProcess sh = plan.exec(cron, t, root, "/root", "/usr/bin/dash", "/bin/sh", "-c",
                    "command -v debian-sa1 > /dev/null && debian-sa1 1 1");
            SyntheticProcess sa1 = plan.exec(sh, t + 5, "/usr/bin/dash", "/bin/sh", "/usr/lib/sysstat/debian-sa1", "1", "1");
            SyntheticProcess sadc = plan.exec(sa1, t + 12, "/usr/lib/sysstat/sadc", "/usr/lib/sysstat/sadc", "-F", "-L", "-S", "DISK",
                    "1", "1", "/var/log/sysstat");
            plan.file(sadc, t + 1_030, "modified", "/var/log/sysstat/sa" + String.format("%02d", 1 + (int) ((t / 86_400_000L) % 28)));
            plan.exit(sadc, t + 1_040, 0);
            plan.exit(sa1, t + 1_045, 0);
            plan.exit(sh, t + 1_047, 0);
        } else {
            Who postgres = Who.system(SyntheticUser.POSTGRES);
            String dump = "/var/backups/pg/appdb-" + java.time.Instant.ofEpochMilli(t).toString().substring(0, 10) + ".dump";
            SyntheticProcess sh = plan.exec(cron, t, postgres, "/var/lib/postgresql", "/usr/bin/dash", "/bin/sh", "-c",
                    "/usr/local/bin/pg-backup.sh appdb");
            SyntheticProcess script = plan.exec(sh, t + 4, "/usr/bin/bash", "/bin/bash", "/usr/local/bin/pg-backup.sh", "appdb");
            SyntheticProcess dumper = plan.exec(script, t + 10, "/usr/lib/postgresql/15/bin/pg_dump",
                    "/usr/bin/pg_dump", "-Fc", "appdb", "-f", dump);
            plan.file(dumper, t + 20, "created", dump);
            plan.exit(dumper, t + 95_000, 0);
            SyntheticProcess find = plan.exec(script, t + 95_010, "/usr/bin/find", "find", "/var/backups/pg", "-mtime", "+7", "-delete");
            plan.file(find, t + 95_030, "deleted", "/var/backups/pg/appdb-old.dump");
            plan.exit(find, t + 95_040, 0);
            plan.exit(script, t + 95_050, 0);
            plan.exit(sh, t + 95_052, 0);
        }
    }

    private void timerJob(SyntheticHost h, long t) {
        SyntheticProcess systemd = h.service(Service.SYSTEMD);
        Who root = Who.system(SyntheticUser.ROOT);
        switch (plan.random.nextInt(4)) {
            case 0 -> {
                SyntheticProcess clean = plan.exec(systemd, t, root, "/", "/usr/bin/systemd-tmpfiles", "systemd-tmpfiles", "--clean");
                int files = plan.random.nextInt(4);
                for (int i = 0; i < files; i++) {
                    plan.file(clean, t + 20 + i, "deleted", "/tmp/tmp." + Long.toString(plan.random.nextLong() >>> 20, 36));
                }
                plan.exit(clean, t + 80, 0);
            }
            case 1 -> {
                String mirror = plan.pick(MIRRORS);
                SyntheticProcess daily = plan.exec(systemd, t, root, "/", "/usr/bin/dash", "/bin/sh",
                        "/usr/lib/apt/apt.systemd.daily", "update");
                SyntheticProcess apt = plan.exec(daily, t + 300, "/usr/bin/apt-get", "apt-get", "-qq", "-y", "update");
                SyntheticProcess http = plan.exec(apt, t + 340, "/usr/lib/apt/methods/http", "/usr/lib/apt/methods/http");
                plan.connect(http, t + 360, "tcp", mirror, HTTP);
                String lists = "/var/lib/apt/lists/" + (h.os.platform().equals("ubuntu") ? "archive.ubuntu.com_ubuntu_dists_jammy"
                        : "deb.debian.org_debian_dists_bookworm");
                plan.file(http, t + 900, "modified", lists + "_InRelease");
                plan.file(apt, t + 1_400, "modified", lists + "_main_binary-amd64_Packages");
                plan.exit(http, t + 1_500, 0);
                plan.exit(apt, t + 2_100, 0);
                plan.exit(daily, t + 2_200, 0);
            }
            case 2 -> plan.run(systemd, t, 2_300, "/usr/sbin/fstrim", "/sbin/fstrim", "--listed-in",
                    "/etc/fstab:/proc/self/mountinfo", "--verbose", "--quiet-unsupported");
            default -> {
                SyntheticProcess mandb = plan.exec(systemd, t, Who.system(new SyntheticUser("6", "man", "12", "man")), "/",
                        "/usr/bin/mandb", "/usr/bin/mandb", "--quiet");
                plan.file(mandb, t + 3_000, "modified", "/var/cache/man/index.db");
                plan.exit(mandb, t + 3_100, 0);
            }
        }
    }

    private void lookups(SyntheticHost h, long t) {
        int queries = 1 + plan.random.nextInt(3);
        for (int i = 0; i < queries; i++) plan.connect(h.service(Service.RESOLVED), t + i * 150L, "udp", RESOLVER, 53);
        if (plan.chance(0.3)) plan.connect(h.service(Service.CHRONYD), t + 500, "udp", NTP, 123);
    }

    private void moduleLoad(SyntheticHost h, long t) {
        String module = plan.pick(List.of("netfilter/nf_conntrack", "netfilter/xt_conntrack", "bridge/br_netfilter", "ipv4/netfilter/iptable_nat"));
        SyntheticProcess modprobe = plan.exec(h.service(Service.SYSTEMD), t, Who.system(SyntheticUser.ROOT), "/",
                "/usr/bin/kmod", "/sbin/modprobe", "-q", "--", module.substring(module.lastIndexOf('/') + 1));
        plan.kernelModule(modprobe, t + 15, module);
        plan.exit(modprobe, t + 40, 0);
    }

    // --- what each role does ---

    /** Requests from the internet that nginx passes to an app server, which asks the database. */
    private void webRequests(SyntheticHost h, long t) {
        SyntheticProcess worker = h.service(Service.WORKER);
        List<SyntheticHost> apps = fleet.of(Role.APP);
        int requests = 1 + plan.random.nextInt(3);
        long at = t;
        for (int i = 0; i < requests; i++) {
            plan.accept(worker, at, externalClient(), 1_024 + plan.random.nextInt(60_000), HTTPS);
            if (!apps.isEmpty() && plan.chance(0.8)) {
                SyntheticHost app = plan.pick(apps);
                plan.connect(worker, at + 3, app.service(Service.MAIN), APP_PORT);
                backend(app, at + 8);
            }
            at += plan.pick(200, 3_000);
        }
    }

    private void backend(SyntheticHost app, long t) {
        SyntheticProcess java = app.service(Service.MAIN);
        plan.connect(java, t, fleet.hotServer().service(Service.MAIN), DB_PORT);
        List<SyntheticHost> caches = fleet.of(Role.CACHE);
        if (!caches.isEmpty() && plan.chance(0.4)) plan.connect(java, t + 2, plan.pick(caches).service(Service.MAIN), CACHE_PORT);
    }

    private void appWork(SyntheticHost h, long t) {
        SyntheticProcess java = h.service(Service.MAIN);
        double u = plan.random.nextDouble();
        if (u < 0.5) {
            int calls = 1 + plan.random.nextInt(3);
            for (int i = 0; i < calls; i++) backend(h, t + i * 700L);
        } else if (u < 0.75) {
            plan.connect(java, t, "tcp", plan.pick(APIS), HTTPS);
        } else if (u < 0.92) {
            int image = plan.random.nextInt(1_000_000);
            String source = "/var/app/uploads/" + image + ".png";
            String thumb = "/var/app/thumbs/" + image + ".png";
            SyntheticProcess sh = plan.exec(java, t, "/usr/bin/dash", "/bin/sh", "-c",
                    "/usr/bin/convert " + source + " -resize 800x " + thumb);
            SyntheticProcess convert = plan.exec(sh, t + 4, "/usr/bin/convert-im6.q16", "/usr/bin/convert", source, "-resize", "800x", thumb);
            plan.sharedLibrary(convert, t + 9, "/usr/lib/x86_64-linux-gnu/libMagickCore-6.Q16.so.6");
            plan.file(convert, t + 300, "created", thumb);
            plan.exit(convert, t + 320, 0);
            plan.exit(sh, t + 322, 0);
        } else {
            plan.sharedLibrary(java, t, plan.pick(List.of("/usr/lib/jvm/java-17-openjdk-amd64/lib/libnet.so",
                    "/usr/lib/jvm/java-17-openjdk-amd64/lib/libnio.so", "/usr/lib/x86_64-linux-gnu/libssl.so.3")));
        }
    }

    private void snapshotSave(SyntheticHost h, long t) {
        SyntheticProcess redis = h.service(Service.MAIN);
        String temp = "/var/lib/redis/temp-" + (redis.pid() + 1 + plan.random.nextInt(30_000)) + ".rdb";
        plan.file(redis, t, "created", temp);
        plan.file(redis, t + plan.pick(200, 4_000), "renamed", temp, "/var/lib/redis/dump.rdb");
    }

    private void walArchive(SyntheticHost h, long t) {
        SyntheticProcess postgres = h.service(Service.MAIN);
        String segment = String.format("00000001%08X%08X", plan.random.nextInt(0x100), plan.random.nextInt(0x100));
        String target = "/var/lib/postgresql/wal_archive/" + segment;
        SyntheticProcess sh = plan.exec(postgres, t, "/usr/bin/dash", "sh", "-c",
                "test ! -f " + target + " && cp pg_wal/" + segment + " " + target);
        SyntheticProcess cp = plan.exec(sh, t + 3, "/usr/bin/cp", "cp", "pg_wal/" + segment, target);
        plan.file(cp, t + 40, "created", target);
        plan.exit(cp, t + 60, 0);
        plan.exit(sh, t + 62, 0);
    }

    /** A pipeline: clone, compile a few files, link, pack and upload the artifact. */
    private void buildJob(SyntheticHost h, long t) {
        String project = plan.pick(PROJECTS);
        String dir = "/home/ci/builds/" + project;
        int job = plan.random.nextInt(1_000_000);
        SyntheticProcess bash = plan.exec(h.service(Service.MAIN), t, Who.system(SyntheticUser.CI), "/home/ci", "/usr/bin/bash",
                "bash", "-e", "/home/ci/builds/tmp/job-" + job + ".sh");
        SyntheticProcess git = plan.exec(bash, t + 50, "/usr/bin/git", "git", "clone", "--depth", "1",
                "https://git.corp.example/" + project + ".git", dir);
        SyntheticProcess remote = plan.exec(git, t + 80, "/usr/lib/git-core/git-remote-https", "git-remote-https", "origin",
                "https://git.corp.example/" + project + ".git");
        plan.connect(remote, t + 100, "tcp", GIT, HTTPS);
        plan.exit(remote, t + 2_500, 0);
        plan.file(git, t + 2_600, "created", dir + "/Makefile");
        plan.exit(git, t + 2_700, 0);
        SyntheticProcess make = plan.exec(bash, t + 2_800, "/usr/bin/make", "make", "-C", dir, "-j2", "all");
        int sources = 3 + plan.random.nextInt(6);
        long at = t + 2_900;
        for (int i = 0; i < sources; i++) {
            String source = "src/module" + i + ".c";
            String object = "build/module" + i + ".o";
            SyntheticProcess cc = plan.exec(make, at, "/usr/bin/x86_64-linux-gnu-gcc-12", "cc", "-O2", "-c", source, "-o", object);
            SyntheticProcess cc1 = plan.exec(cc, at + 5, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1",
                    "-quiet", source, "-O2", "-o", "/tmp/cc" + Integer.toString(plan.random.nextInt(1 << 30), 36) + ".s");
            plan.exit(cc1, at + 400, 0);
            plan.run(cc, at + 410, 60, "/usr/bin/x86_64-linux-gnu-as", "as", "--64", "-o", object);
            plan.file(cc, at + 480, "created", dir + "/" + object);
            plan.exit(cc, at + 490, 0);
            at += 500;
        }
        SyntheticProcess ld = plan.exec(make, at, "/usr/bin/x86_64-linux-gnu-ld.bfd", "ld", "-o", "build/" + project, "build/*.o");
        plan.file(ld, at + 200, "created", dir + "/build/" + project);
        plan.exit(ld, at + 260, 0);
        plan.exit(make, at + 300, 0);
        SyntheticProcess tar = plan.exec(bash, at + 400, "/usr/bin/tar", "tar", "czf", project + ".tar.gz", "-C", dir + "/build", ".");
        plan.file(tar, at + 900, "created", dir + "/" + project + ".tar.gz");
        plan.exit(tar, at + 950, 0);
        SyntheticProcess curl = plan.exec(bash, at + 1_000, "/usr/bin/curl", "curl", "-fsS", "-T", project + ".tar.gz",
                "https://artifacts.corp.example/" + project + "/" + job + "/");
        plan.connect(curl, at + 1_050, "tcp", ARTIFACTS, HTTPS);
        plan.exit(curl, at + 3_000, 0);
        plan.exit(bash, at + 3_100, 0);
    }

    /** An admin comes in over the VPN and hops to one server or two. */
    private void adminSession(SyntheticHost h, long t) {
        SyntheticUser user = plan.pick(SyntheticUser.PEOPLE);
        String vpn = vpnAddress();
        plan.accept(h.service(Service.SSHD), t, vpn, 1_024 + plan.random.nextInt(60_000), SSH);
        Session s = login(h, t + 2, user, vpn);
        long at = adminCommands(s, s.ready(), 1 + plan.random.nextInt(2));
        at = hop(s, at, pickOther(servers, h), plan.chance(0.25) ? 1 : 0);
        logout(s, at + plan.pick(1_000, 30_000));
    }

    /** A developer at their workstation, over the VPN: git, editor, tests, the database, now and then a server. */
    private void developerSession(SyntheticHost h, long t) {
        SyntheticUser user = SyntheticUser.PEOPLE.get(h.index % SyntheticUser.PEOPLE.size());
        String vpn = vpnAddress();
        plan.accept(h.service(Service.SSHD), t, vpn, 1_024 + plan.random.nextInt(60_000), SSH);
        Session s = login(h, t + 2, user, vpn);
        SyntheticProcess shell = s.shell();
        String project = plan.pick(PROJECTS);
        String dir = "/home/" + user.name() + "/src/" + project;
        long at = s.ready();
        int steps = 2 + plan.random.nextInt(4);
        for (int i = 0; i < steps; i++) {
            switch (plan.random.nextInt(6)) {
                case 0 -> {
                    SyntheticProcess git = plan.exec(shell, at, "/usr/bin/git", "git", "-C", dir, "pull", "--ff-only");
                    SyntheticProcess remote = plan.exec(git, at + 30, "/usr/lib/git-core/git-remote-https", "git-remote-https",
                            "origin", "https://git.corp.example/" + project + ".git");
                    plan.connect(remote, at + 50, "tcp", GIT, HTTPS);
                    plan.exit(remote, at + 1_500, 0);
                    plan.exit(git, at + 1_700, 0);
                    at += 1_700;
                }
                case 1 -> {
                    String file = dir + "/src/" + plan.pick(List.of("main.py", "handlers.py", "models.py", "README.md"));
                    SyntheticProcess vim = plan.exec(shell, at, "/usr/bin/vim.basic", "vim", file);
                    long saved = at + plan.pick(20_000, 240_000);
                    plan.file(vim, at + 200, "created", swapFile(file));
                    plan.file(vim, saved, "modified", file);
                    plan.file(vim, saved + 300, "deleted", swapFile(file));
                    plan.exit(vim, saved + 310, 0);
                    at = saved + 310;
                }
                case 2 -> {
                    SyntheticProcess python = plan.exec(shell, at, "/usr/bin/python3.11", "python3", "-m", "pytest", "-q", "tests");
                    plan.sharedLibrary(python, at + 80, "/usr/lib/x86_64-linux-gnu/libsqlite3.so.0");
                    plan.file(python, at + 2_000, "created", dir + "/.pytest_cache/v/cache/lastfailed");
                    plan.exit(python, at + plan.pick(3_000, 40_000), plan.chance(0.2) ? 1 : 0);
                    at += 40_000;
                }
                case 3 -> {
                    SyntheticProcess curl = plan.exec(shell, at, "/usr/bin/curl", "curl", "-sS", "https://api.example.com/v1/status");
                    plan.connect(curl, at + 40, "tcp", plan.pick(APIS), HTTPS);
                    plan.exit(curl, at + 400, 0);
                    at += 400;
                }
                case 4 -> at = psql(shell, at);
                default -> at = hop(s, at, pickOther(servers, h), 0);
            }
            at += plan.pick(1_000, 60_000);
        }
        logout(s, at);
    }

    /** Password guessing against sshd from the internet: accepted, then refused. */
    private void passwordGuessing(SyntheticHost h, long t) {
        String ip = (45 + plan.random.nextInt(150)) + "." + plan.random.nextInt(256) + "." + plan.random.nextInt(256) + "."
                + (1 + plan.random.nextInt(254));
        int tries = 1 + plan.random.nextInt(4);
        for (int i = 0; i < tries; i++) {
            long at = t + i * 2_500L;
            plan.accept(h.service(Service.SSHD), at, ip, 1_024 + plan.random.nextInt(60_000), SSH);
            plan.auth(h, null, at + 1_900, new AuthFacts(AuthKind.AUTHENTICATED, false, SyntheticUser.ROOT, plan.pick(GUESSED),
                    ip, "ssh", "PAM:authentication"));
        }
    }

    // --- sessions, shared with the fixtures ---

    /** A login over ssh: the privileged sshd child, its shell, where it came from. */
    record Session(SyntheticProcess sshd, SyntheticProcess shell, SyntheticUser user, String from, long ready) {
    }

    /** sshd authenticates {@code user} from {@code from} and starts a login shell. */
    Session login(SyntheticHost h, long t, SyntheticUser user, String from) {
        SyntheticProcess priv = plan.exec(h.service(Service.SSHD), t, Who.system(SyntheticUser.ROOT), "/", "/usr/sbin/sshd",
                "sshd: " + user.name() + " [priv]");
        String tty = h.nextTty();
        authBy(priv, t + 20, AuthKind.AUTHENTICATED, user, from, "ssh", "PAM:authentication");
        authBy(priv, t + 22, AuthKind.AUTHORIZED, user, from, "ssh", "PAM:accounting");
        authBy(priv, t + 25, AuthKind.CREDENTIALS_ACQUIRED, user, from, "ssh", "PAM:setcred");
        authBy(priv, t + 30, AuthKind.LOGGED_IN, user, from, "/dev/" + tty, "login");
        authBy(priv, t + 32, AuthKind.SESSION_STARTED, user, from, "ssh", "PAM:session_open");
        SyntheticProcess shell = plan.exec(priv, t + 60, Who.login(user, h.nextSession(), tty), "/home/" + user.name(),
                "/usr/bin/bash", "-bash");
        return new Session(priv, shell, user, from, t + 80);
    }

    void logout(Session s, long t) {
        plan.exit(s.shell(), t, 0);
        authBy(s.sshd(), t + 10, AuthKind.LOGGED_OUT, s.user(), s.from(), "/dev/" + s.shell().who().tty(), "login");
        authBy(s.sshd(), t + 12, AuthKind.SESSION_ENDED, s.user(), s.from(), "ssh", "PAM:session_close");
        authBy(s.sshd(), t + 14, AuthKind.CREDENTIALS_DISPOSED, s.user(), s.from(), "ssh", "PAM:setcred");
        plan.exit(s.sshd(), t + 30, 0);
    }

    /** ssh from the session's shell to {@code target}: the client, its connection, and the session there. */
    long hop(Session s, long at, SyntheticHost target, int furtherHops) {
        SyntheticProcess ssh = plan.exec(s.shell(), at, "/usr/bin/ssh", "ssh", target.name);
        plan.connect(ssh, at + 40, target.service(Service.SSHD), SSH);
        Session there = login(target, at + 45, s.user(), s.shell().host().ip);
        long end = adminCommands(there, there.ready(), 2 + plan.random.nextInt(4));
        if (furtherHops > 0) end = hop(there, end, pickOther(servers, target), furtherHops - 1);
        end += plan.pick(500, 10_000);
        logout(there, end);
        plan.exit(ssh, end + 40, 0);
        return end + 50;
    }

    /** sudo as the session's user; returns sudo, whose child the caller starts with {@link #sudoChild}. */
    SyntheticProcess sudo(SyntheticProcess shell, long at, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add("sudo");
        argv.addAll(List.of(args));
        SyntheticProcess sudo = plan.exec(shell, at, shell.who().setuid(SyntheticUser.ROOT), shell.workingDirectory(),
                "/usr/bin/sudo", argv);
        SyntheticUser user = shell.who().user();
        String terminal = "/dev/" + shell.who().tty();
        plan.auth(shell.host(), sudo, at + 5, new AuthFacts(AuthKind.AUTHENTICATED, true, user, user.name(), null, terminal, "PAM:authentication"));
        plan.auth(shell.host(), sudo, at + 6, new AuthFacts(AuthKind.AUTHORIZED, true, user, user.name(), null, terminal, "PAM:accounting"));
        plan.auth(shell.host(), sudo, at + 8, new AuthFacts(AuthKind.CREDENTIALS_REFRESHED, true, user, "root", null, terminal, "PAM:setcred"));
        plan.auth(shell.host(), sudo, at + 9, new AuthFacts(AuthKind.SESSION_STARTED, true, user, "root", null, terminal, "PAM:session_open"));
        return sudo;
    }

    SyntheticProcess sudoChild(SyntheticProcess sudo, long at, String executable, String... args) {
        return plan.exec(sudo, at, sudo.who().as(SyntheticUser.ROOT), sudo.workingDirectory(), executable, args);
    }

    void endSudo(SyntheticProcess sudo, long at) {
        SyntheticUser user = sudo.who().user();
        String terminal = "/dev/" + sudo.who().tty();
        plan.auth(sudo.host(), sudo, at, new AuthFacts(AuthKind.SESSION_ENDED, true, user, "root", null, terminal, "PAM:session_close"));
        plan.auth(sudo.host(), sudo, at + 1, new AuthFacts(AuthKind.CREDENTIALS_DISPOSED, true, user, "root", null, terminal, "PAM:setcred"));
        plan.exit(sudo, at + 3, 0);
    }

    /** What admins type on a server; returns when the last command ended. */
    private long adminCommands(Session s, long at, int count) {
        SyntheticProcess shell = s.shell();
        SyntheticHost h = shell.host();
        String service = switch (h.role) {
            case WEB -> "nginx";
            case APP -> "app";
            case DB -> "postgresql";
            case CACHE -> "redis-server";
            case BUILD -> "ci-runner";
            default -> "ssh";
        };
        for (int i = 0; i < count; i++) {
            at += plan.pick(1_000, 20_000);
            switch (plan.random.nextInt(12)) {
                case 0 -> plan.run(shell, at, 8, "/usr/bin/uptime", "uptime");
                case 1 -> plan.run(shell, at, 12, "/usr/bin/df", "df", "-h");
                case 2 -> plan.run(shell, at, 6, "/usr/bin/free", "free", "-m");
                case 3 -> plan.run(shell, at, 40, "/usr/bin/ps", "ps", "aux");
                case 4 -> plan.run(shell, at, 15, "/usr/bin/tail", "tail", "-n", "200", "/var/log/syslog");
                case 5 -> plan.run(shell, at, 300, "/usr/bin/journalctl", "journalctl", "-u", service, "--since", "1 hour ago");
                case 6 -> {
                    SyntheticProcess sudo = sudo(shell, at, "systemctl", "restart", service);
                    SyntheticProcess systemctl = sudoChild(sudo, at + 12, "/usr/bin/systemctl", "systemctl", "restart", service);
                    plan.exit(systemctl, at + 1_800, 0);
                    endSudo(sudo, at + 1_805);
                    at += 1_810;
                }
                case 7 -> {
                    String file = switch (h.role) {
                        case WEB -> "/etc/nginx/sites-available/default";
                        case DB -> "/etc/postgresql/15/main/pg_hba.conf";
                        case APP -> "/opt/app/application.yml";
                        default -> "/etc/ssh/sshd_config";
                    };
                    SyntheticProcess sudo = sudo(shell, at, "vi", file);
                    SyntheticProcess vi = sudoChild(sudo, at + 12, "/usr/bin/vim.basic", "vi", file);
                    long saved = at + plan.pick(15_000, 120_000);
                    plan.file(vi, at + 300, "created", swapFile(file));
                    plan.file(vi, saved, "modified", file);
                    plan.file(vi, saved + 200, "deleted", swapFile(file));
                    plan.exit(vi, saved + 210, 0);
                    endSudo(sudo, saved + 215);
                    at = saved + 220;
                }
                case 8 -> {
                    SyntheticProcess sudo = sudo(shell, at, "apt-get", "install", "-y", "htop");
                    SyntheticProcess apt = sudoChild(sudo, at + 12, "/usr/bin/apt-get", "apt-get", "install", "-y", "htop");
                    SyntheticProcess http = plan.exec(apt, at + 400, "/usr/lib/apt/methods/http", "/usr/lib/apt/methods/http");
                    plan.connect(http, at + 420, "tcp", plan.pick(MIRRORS), HTTP);
                    plan.exit(http, at + 1_200, 0);
                    SyntheticProcess dpkg = plan.exec(apt, at + 1_300, "/usr/bin/dpkg", "/usr/bin/dpkg", "--status-fd", "23",
                            "--no-triggers", "--unpack", "--auto-deconfigure", "/var/cache/apt/archives/htop_3.2.2-2_amd64.deb");
                    plan.file(dpkg, at + 1_500, "created", "/usr/bin/htop");
                    plan.exit(dpkg, at + 1_700, 0);
                    plan.exit(apt, at + 2_000, 0);
                    endSudo(sudo, at + 2_005);
                    at += 2_010;
                }
                case 9 -> plan.run(shell, at, 5, "/usr/bin/ls", "ls", "-la", "/var/log");
                case 10 -> at = psql(shell, at);
                default -> plan.run(shell, at, 3, "/usr/bin/cat", "cat", "/etc/os-release");
            }
        }
        return at + 100;
    }

    /** psql to the hot database from a shell: another client host for the correlation benchmark. */
    private long psql(SyntheticProcess shell, long at) {
        SyntheticHost db = fleet.hotServer();
        if (shell.host() == db) {
            plan.run(shell, at, 3_000, "/usr/lib/postgresql/15/bin/psql", "psql", "-U", "postgres", "appdb");
            return at + 3_000;
        }
        SyntheticProcess psql = plan.exec(shell, at, "/usr/lib/postgresql/15/bin/psql", "psql", "-h", db.name, "-U", "app", "appdb");
        plan.connect(psql, at + 30, db.service(Service.MAIN), DB_PORT);
        long end = at + plan.pick(5_000, 90_000);
        plan.exit(psql, end, 0);
        return end;
    }

    private void authBy(SyntheticProcess sshd, long t, AuthKind kind, SyntheticUser user, String from, String terminal, String method) {
        plan.auth(sshd.host(), sshd, t, new AuthFacts(kind, true, SyntheticUser.ROOT, user.name(), from, terminal, method));
    }

    private SyntheticHost pickOther(List<SyntheticHost> hosts, SyntheticHost not) {
        SyntheticHost host = plan.pick(hosts);
        return host != not || hosts.size() == 1 ? host : hosts.get((hosts.indexOf(host) + 1) % hosts.size());
    }

    private String externalClient() {
        return (plan.chance(0.5) ? "198.51.100." : "192.0.2.") + (1 + plan.random.nextInt(254));
    }

    private String vpnAddress() {
        return "172.16.8." + (10 + plan.random.nextInt(200));
    }

    private static String swapFile(String path) {
        int slash = path.lastIndexOf('/');
        return path.substring(0, slash + 1) + "." + path.substring(slash + 1) + ".swp";
    }
}
