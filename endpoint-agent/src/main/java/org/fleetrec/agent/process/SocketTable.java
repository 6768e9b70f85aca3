package org.fleetrec.agent.process;

import org.fleetrec.agent.audit.SockAddr;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The local end of a socket, which connect records do not carry: the fd leads to the socket
 * inode, and the process's view of /proc/net lists the inode with its local address. Best
 * effort: the process or the fd may already be gone when the event is read.
 */
public final class SocketTable {
    /** One end of a socket as /proc/net shows it. */
    public record Endpoint(String transport, InetAddress address, int port, InetAddress remoteAddress, int remotePort) {
    }

    private static final List<String> TABLES = List.of("tcp", "tcp6", "udp", "udp6");

    private final Path proc;

    public SocketTable(Path proc) {
        this.proc = proc;
    }

    public Optional<Endpoint> byFd(long pid, long fd) {
        Optional<String> inode = ProcStat.link(proc, pid, "fd/" + fd)
                .filter(target -> target.startsWith("socket:["))
                .map(target -> target.substring(8, target.length() - 1));
        return inode.flatMap(i -> byInode(pid, i));
    }

    Optional<Endpoint> byInode(long pid, String inode) {
        return endpoints(pid).stream().filter(e -> inode.equals(e.inode())).map(Row::endpoint).findFirst();
    }

    /**
     * The socket whose far end is {@code remote}, for when the fd is already closed: a finished
     * connection stays listed (TIME_WAIT) for a while. Only an unambiguous match is trusted.
     */
    public Optional<Endpoint> byRemote(long pid, InetAddress remote, int remotePort) {
        List<Endpoint> matches = endpoints(pid).stream().map(Row::endpoint)
                .filter(e -> e.remotePort() == remotePort && e.remoteAddress().equals(remote)).toList();
        return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
    }

    private record Row(Endpoint endpoint, String inode) {
    }

    /** The sockets of the process's network namespace; the agent's own when the process is gone. */
    private List<Row> endpoints(long pid) {
        Path net = proc.resolve(Long.toString(pid)).resolve("net");
        if (!Files.isDirectory(net)) net = proc.resolve("self").resolve("net");
        List<Row> rows = new java.util.ArrayList<>();
        for (String table : TABLES) {
            try {
                for (String line : Files.readAllLines(net.resolve(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length <= 9 || !f[1].contains(":") || f[0].equals("sl")) continue;
                    String[] local = f[1].split(":");
                    String[] remote = f[2].split(":");
                    rows.add(new Row(new Endpoint(table.startsWith("tcp") ? "tcp" : "udp", address(local[0]),
                            Integer.parseInt(local[1], 16), address(remote[0]), Integer.parseInt(remote[1], 16)), f[9]));
                }
            } catch (IOException | RuntimeException e) {
                // table missing or the process gone: the other tables may still answer
            }
        }
        return rows;
    }

    /** /proc/net prints addresses as 32-bit words in host (little-endian) order. */
    static InetAddress address(String hex) throws UnknownHostException {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                int at = word * 8 + (3 - b) * 2;
                bytes[word * 4 + b] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        return SockAddr.unmapped(InetAddress.getByAddress(bytes));
    }
}
