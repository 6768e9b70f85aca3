package org.fleetrec.detection.rules;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Audit records as a Linux kernel writes them for the events the shipped rules look at: an exec,
 * an open, a connect and an accept. Tests turn them into documents with the agent's own mappers,
 * so the rules are checked against what the agent really produces.
 */
final class AuditLines {
    private final List<String> lines = new ArrayList<>();
    private int serial = 100;

    /** An execve by {@code pid} (child of {@code ppid}) of {@code exe} with {@code argv}, as {@code uid}. */
    AuditLines exec(long pid, long ppid, int uid, String exe, String... argv) {
        String head = head();
        StringBuilder args = new StringBuilder("argc=" + argv.length);
        for (int i = 0; i < argv.length; i++) args.append(" a").append(i).append('=').append(hex(argv[i]));
        lines.add("type=SYSCALL " + head + "arch=c000003e syscall=59 success=yes exit=0 a0=55d0c1 a1=55d0c2 a2=55d0c3 a3=0 items=2 "
                + ids(pid, ppid, uid) + " comm=\"" + comm(exe) + "\" exe=\"" + exe + "\" key=\"fleetrec\"");
        lines.add("type=EXECVE " + head + args);
        lines.add("type=CWD " + head + "cwd=\"/root\"");
        lines.add("type=PATH " + head + "item=0 name=\"" + exe + "\" inode=1311 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 "
                + "nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0");
        lines.add("type=PROCTITLE " + head + "proctitle=" + hex(String.join("\0", argv)));
        lines.add("type=EOE " + head);
        return this;
    }

    /** An openat of {@code path} for reading (O_RDONLY|O_CLOEXEC); {@code allowed} false is the EACCES of an unprivileged reader. */
    AuditLines read(long pid, long ppid, int uid, String exe, String path, boolean allowed) {
        return open(pid, ppid, uid, exe, path, "80000", allowed);
    }

    /** An openat of {@code path} for writing (O_WRONLY|O_CREAT|O_TRUNC). */
    AuditLines write(long pid, long ppid, int uid, String exe, String path) {
        return open(pid, ppid, uid, exe, path, "241", true);
    }

    private AuditLines open(long pid, long ppid, int uid, String exe, String path, String flags, boolean allowed) {
        String head = head();
        lines.add("type=SYSCALL " + head + "arch=c000003e syscall=257 success=" + (allowed ? "yes exit=3" : "no exit=-13")
                + " a0=ffffff9c a1=7ffd2c1e a2=" + flags + " a3=0 items=1 " + ids(pid, ppid, uid) + " comm=\"" + comm(exe)
                + "\" exe=\"" + exe + "\" key=\"fleetrec\"");
        lines.add("type=CWD " + head + "cwd=\"/\"");
        lines.add("type=PATH " + head + "item=0 name=\"" + path + "\" inode=2051 dev=08:01 mode=0100640 ouid=0 ogid=42 rdev=00:00 "
                + "nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0");
        lines.add("type=PROCTITLE " + head + "proctitle=" + hex(comm(exe)));
        lines.add("type=EOE " + head);
        return this;
    }

    /** A connect by {@code pid} to {@code address} (IPv4 or IPv6 literal) on {@code port}. */
    AuditLines connect(long pid, String exe, String address, int port) {
        return socket(42, "-115", pid, exe, address, port);
    }

    /** An accept4 by {@code pid} of a connection from {@code address}:{@code port}. */
    AuditLines accept(long pid, String exe, String address, int port) {
        return socket(288, "5", pid, exe, address, port);
    }

    private AuditLines socket(int syscall, String exit, long pid, String exe, String address, int port) {
        String head = head();
        lines.add("type=SYSCALL " + head + "arch=c000003e syscall=" + syscall + " success=" + (exit.startsWith("-") ? "no" : "yes")
                + " exit=" + exit + " a0=3 a1=7ffd2c1e a2=10 a3=0 items=0 " + ids(pid, 1, 0) + " comm=\"" + comm(exe) + "\" exe=\""
                + exe + "\" key=\"fleetrec\"");
        lines.add("type=SOCKADDR " + head + "saddr=" + sockaddr(address, port));
        lines.add("type=EOE " + head);
        return this;
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    private String head() {
        serial++;
        return "msg=audit(1700000000." + (serial % 1000) + ":" + serial + "): ";
    }

    private static String ids(long pid, long ppid, int uid) {
        return "ppid=" + ppid + " pid=" + pid + " auid=1000 uid=" + uid + " gid=" + uid + " euid=" + uid + " suid=" + uid
                + " fsuid=" + uid + " egid=" + uid + " sgid=" + uid + " fsgid=" + uid + " tty=pts0 ses=3";
    }

    private static String comm(String exe) {
        String name = exe.substring(exe.lastIndexOf('/') + 1);
        return name.length() > 15 ? name.substring(0, 15) : name;
    }

    private static String hex(String s) {
        return HexFormat.of().withUpperCase().formatHex(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** struct sockaddr_in / sockaddr_in6 as the SOCKADDR record gives it, in hex. */
    private static String sockaddr(String address, int port) {
        String p = String.format("%04X", port);
        if (address.contains(":")) {
            try {
                byte[] a = java.net.InetAddress.getByName(address).getAddress();
                return "0A00" + p + "00000000" + HexFormat.of().withUpperCase().formatHex(a) + "00000000";
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException(address, e);
            }
        }
        StringBuilder out = new StringBuilder("0200" + p);
        for (String octet : address.split("\\.")) out.append(String.format("%02X", Integer.parseInt(octet)));
        return out.append("0000000000000000").toString();
    }
}
