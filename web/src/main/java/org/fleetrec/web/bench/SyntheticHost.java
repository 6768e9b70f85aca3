package org.fleetrec.web.bench;

import java.net.InetAddress;
import java.util.EnumMap;
import java.util.Map;

/**
 * One host of the synthetic fleet: its identity as the agent and the ingest server would give it,
 * and the counters its agent and kernel keep (event sequence, audit serial, pids, ports, sessions).
 */
final class SyntheticHost {
    enum Role { DB, BASTION, BUILD, APP, WEB, CACHE, WORKSTATION }

    /** The long-lived processes each host has, found running when its agent started. */
    enum Service { SYSTEMD, JOURNALD, RESOLVED, CHRONYD, CRON, SSHD, RSYSLOGD, MAIN, WORKER }

    record Os(String name, String family, String platform, String version, String kernel) {
    }

    private static final int FIRST_EPHEMERAL = 32_768;
    private static final int LAST_EPHEMERAL = 60_999;

    final int index;
    final Role role;
    final String name;
    final String hostname;
    final String id;
    final String agentId;
    final String bootId;
    final String ip;
    final InetAddress address;
    final Os os;
    final long bootMillis;
    final Map<Service, SyntheticProcess> services = new EnumMap<>(Service.class);

    private long sequence;
    private long auditSerial;
    private long nextPid;
    private int nextPort = FIRST_EPHEMERAL;
    private int nextSession = 1;
    private int nextTty;
    /** Pacing: documents this host's activities may plan in all, and have planned. */
    long budget;
    long planned;
    int activities;

    SyntheticHost(int index, Role role, String name, String id, String agentId, String bootId, String ip, Os os,
                  long bootMillis, long firstPid) {
        this.index = index;
        this.role = role;
        this.name = name;
        this.hostname = name + ".corp.example";
        this.id = id;
        this.agentId = agentId;
        this.bootId = bootId;
        this.ip = ip;
        this.address = Addresses.parse(ip);
        this.os = os;
        this.bootMillis = bootMillis;
        this.nextPid = firstPid;
    }

    SyntheticProcess service(Service service) {
        return services.get(service);
    }

    long nextSequence() {
        return ++sequence;
    }

    long nextAuditSerial(java.util.Random random) {
        auditSerial += 1 + random.nextInt(40);
        return auditSerial;
    }

    long nextPid(java.util.Random random) {
        nextPid += 1 + random.nextInt(3);
        if (nextPid > 4_194_000) nextPid = 1_000;
        return nextPid;
    }

    /** Local ports as the kernel hands them out; distinct for a whole run of normal size, so flows never repeat. */
    int nextPort() {
        int port = nextPort;
        nextPort = port == LAST_EPHEMERAL ? FIRST_EPHEMERAL : port + 1;
        return port;
    }

    String nextSession() {
        return Integer.toString(nextSession++);
    }

    String nextTty() {
        return "pts/" + (nextTty++ % 8);
    }
}
