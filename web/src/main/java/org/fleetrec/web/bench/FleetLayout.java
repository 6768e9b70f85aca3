package org.fleetrec.web.bench;

import org.fleetrec.web.bench.SyntheticHost.Role;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Which hosts the fleet has: roles, names, ids, addresses and OS, all drawn from the seed. The
 * first five are always a database (the hot server every app talks to), a bastion, a build host,
 * an app server and a web server, so any fleet of five or more has every fixture and chain.
 */
final class FleetLayout {
    static final int MIN_HOSTS = 5;
    /** Fleet addresses: 10.40.0.0/16, 250 hosts a /24. */
    static final String PREFIX = "10.40.";

    private static final Role[] FIRST = {Role.DB, Role.BASTION, Role.BUILD, Role.APP, Role.WEB};
    /** The mix of the rest of the fleet, repeated. */
    private static final Role[] MIX = {
            Role.APP, Role.WORKSTATION, Role.WEB, Role.APP, Role.WORKSTATION, Role.APP, Role.WEB, Role.CACHE, Role.APP,
            Role.WORKSTATION, Role.APP, Role.WEB, Role.WORKSTATION, Role.DB, Role.APP, Role.WORKSTATION, Role.WEB, Role.APP,
            Role.BUILD, Role.BASTION};
    private static final SyntheticHost.Os[] OSES = {
            new SyntheticHost.Os("Debian GNU/Linux 12 (bookworm)", "debian", "debian", "12", "6.1.0-18-amd64"),
            new SyntheticHost.Os("Ubuntu 22.04.4 LTS", "debian", "ubuntu", "22.04.4 LTS (Jammy Jellyfish)", "5.15.0-105-generic"),
            new SyntheticHost.Os("Rocky Linux 9.3 (Blue Onyx)", "redhat", "rocky", "9.3", "5.14.0-362.24.1.el9_3.x86_64")};

    final List<SyntheticHost> hosts;
    private final Map<Role, List<SyntheticHost>> byRole = new EnumMap<>(Role.class);

    private FleetLayout(List<SyntheticHost> hosts) {
        this.hosts = hosts;
        for (SyntheticHost host : hosts) byRole.computeIfAbsent(host.role, r -> new ArrayList<>()).add(host);
    }

    static FleetLayout build(int count, Random random, long agentStart) {
        if (count < MIN_HOSTS) throw new IllegalArgumentException("a fleet needs at least " + MIN_HOSTS + " hosts");
        if (count > 250 * 250) throw new IllegalArgumentException("at most 62,500 hosts fit the fleet's address plan");
        Map<Role, Integer> numbers = new EnumMap<>(Role.class);
        List<SyntheticHost> hosts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Role role = i < FIRST.length ? FIRST[i] : MIX[(i - FIRST.length) % MIX.length];
            int number = numbers.merge(role, 1, Integer::sum);
            String name = prefix(role) + "-" + String.format("%03d", number);
            String hostId = new UUID(random.nextLong(), random.nextLong()).toString().replace("-", "");
            String agentId = uuid4(random);
            String bootId = uuid4(random);
            double r = random.nextDouble();
            SyntheticHost.Os os = OSES[r < 0.55 ? 0 : r < 0.9 ? 1 : 2];
            long bootMillis = agentStart - 3_600_000L * (2 + random.nextInt(24 * 40));
            hosts.add(new SyntheticHost(i, role, name, hostId, agentId, bootId, address(i), os, bootMillis, 2_000 + random.nextInt(6_000)));
        }
        return new FleetLayout(hosts);
    }

    static String address(int index) {
        return PREFIX + (index / 250) + "." + (index % 250 + 2);
    }

    List<SyntheticHost> of(Role role) {
        return byRole.getOrDefault(role, List.of());
    }

    /** The database every app server uses: the hot server of the correlation benchmark. */
    SyntheticHost hotServer() {
        return hosts.get(0);
    }

    /** Servers an admin may log into from the bastion. */
    List<SyntheticHost> servers() {
        return hosts.stream().filter(h -> h.role != Role.WORKSTATION && h.role != Role.BASTION).toList();
    }

    private static String prefix(Role role) {
        return switch (role) {
            case DB -> "db";
            case BASTION -> "bastion";
            case BUILD -> "build";
            case APP -> "app";
            case WEB -> "web";
            case CACHE -> "cache";
            case WORKSTATION -> "ws";
        };
    }

    private static String uuid4(Random random) {
        long high = (random.nextLong() & ~0xf000L) | 0x4000L;
        long low = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
