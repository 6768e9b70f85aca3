package org.fleetrec.agent.process;

import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditRecord;
import org.fleetrec.agent.audit.RecordTypes;
import org.fleetrec.agent.audit.SockAddr;
import org.fleetrec.model.CommunityId;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventDocument;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;

/**
 * connect, accept, bind and listen as network documents. Both ends are filled wherever they
 * can be known, and TCP/UDP flows get their community id, so the egress event on one host and
 * the ingress event on another join on one term.
 */
public final class NetworkMapper {
    private static final long EINPROGRESS = -115;

    private final ProcessFields fields;
    private final SocketTable sockets;

    public NetworkMapper(ProcessFields fields, SocketTable sockets) {
        this.fields = fields;
        this.sockets = sockets;
    }

    /** Returns empty for sockets that are not IP (AF_UNIX and the like): local IPC, not network. */
    public Optional<EventDocument> map(AuditEvent event, String syscallName) {
        AuditRecord syscall = event.first(RecordTypes.SYSCALL);
        AuditRecord sockaddrRecord = event.first(RecordTypes.SOCKADDR);
        Optional<SockAddr> address = sockaddrRecord == null ? Optional.empty() : SockAddr.decode(sockaddrRecord.field("saddr"));
        if (address.isPresent() && !address.get().isInet()) return Optional.empty();

        long pid = ProcessFields.number(syscall.field("pid"));
        long exit = exitValue(syscall);
        boolean success = "yes".equals(syscall.field("success")) || ("connect".equals(syscallName) && exit == EINPROGRESS);
        Instant time = Instant.ofEpochMilli(event.epochMillis());
        EventDocument doc;
        switch (syscallName) {
            case "connect" -> {
                doc = Documents.event(time, Dataset.NETWORK, "connected-to", "event", "network", "connection");
                doc.put("network.direction", "egress");
                address.ifPresent(a -> endpoint(doc, "destination", a.address(), a.port()));
                sockets.byFd(pid, ProcessFields.argument(syscall, 0))
                        .or(() -> address.flatMap(a -> sockets.byRemote(pid, a.address(), a.port())))
                        .ifPresent(local -> {
                            endpoint(doc, "source", local.address(), local.port());
                            doc.put("network.transport", local.transport());
                        });
            }
            case "accept", "accept4" -> {
                doc = Documents.event(time, Dataset.NETWORK, "accepted-connection-from", "event", "network", "connection");
                doc.put("network.direction", "ingress");
                address.ifPresent(a -> endpoint(doc, "source", a.address(), a.port()));
                if (success) {
                    // The accepted socket is the syscall's return value.
                    sockets.byFd(pid, exit)
                            .or(() -> address.flatMap(a -> sockets.byRemote(pid, a.address(), a.port())))
                            .or(() -> listeningEnd(pid, ProcessFields.argument(syscall, 0), address))
                            .ifPresent(local -> {
                        endpoint(doc, "destination", local.address(), local.port());
                        doc.put("network.transport", local.transport());
                        if (address.isEmpty() && local.remoteAddress() != null) {
                            endpoint(doc, "source", local.remoteAddress(), local.remotePort());
                        }
                    });
                }
            }
            case "bind" -> {
                doc = Documents.event(time, Dataset.NETWORK, "bound-socket", "event", "network", "info");
                address.ifPresent(a -> endpoint(doc, "source", a.address(), a.port()));
                sockets.byFd(pid, ProcessFields.argument(syscall, 0)).ifPresent(s -> doc.put("network.transport", s.transport()));
            }
            case "listen" -> {
                doc = Documents.event(time, Dataset.NETWORK, "listen-on-socket", "event", "network", "start");
                doc.put("network.direction", "listening");
                Optional<SocketTable.Endpoint> local = sockets.byFd(pid, ProcessFields.argument(syscall, 0));
                if (local.isEmpty()) {
                    doc.put("network.transport", "tcp");
                } else {
                    endpoint(doc, "source", local.get().address(), local.get().port());
                    doc.put("network.transport", local.get().transport());
                }
            }
            default -> {
                return Optional.empty();
            }
        }
        doc.put(Ecs.EVENT_OUTCOME, success ? "success" : "failure");
        if (address.isPresent()) doc.put("network.type", address.get().family() == SockAddr.AF_INET6 ? "ipv6" : "ipv4");
        communityId(doc);
        fields.fill(doc, event, syscall);
        return Optional.of(doc);
    }

    /**
     * For an accepted socket already closed: the listening socket (a0) gives the port, and its
     * address unless it is bound to the wildcard, in which case a loopback peer means a loopback end.
     */
    private Optional<SocketTable.Endpoint> listeningEnd(long pid, long listeningFd, Optional<SockAddr> peer) {
        return sockets.byFd(pid, listeningFd).flatMap(listening -> {
            InetAddress local = listening.address();
            if (local.isAnyLocalAddress()) {
                if (peer.isEmpty() || !peer.get().address().isLoopbackAddress()) return Optional.empty();
                local = peer.get().address();
            }
            return Optional.of(new SocketTable.Endpoint(listening.transport(), local, listening.port(),
                    peer.map(SockAddr::address).orElse(null), peer.map(SockAddr::port).orElse(0)));
        });
    }

    private static void endpoint(EventDocument doc, String side, InetAddress address, int port) {
        doc.put(side + ".ip", address.getHostAddress()).put(side + ".port", port);
    }

    /** Only for flows whose both ends and transport are known; anything less would not match the peer's. */
    private static void communityId(EventDocument doc) {
        String transport = doc.text("network.transport");
        if (transport == null || !doc.has("source.ip") || !doc.has("destination.ip")) return;
        try {
            int protocol = "tcp".equals(transport) ? CommunityId.TCP : CommunityId.UDP;
            doc.put("network.community_id", CommunityId.v1(protocol,
                    InetAddress.getByName(doc.text("source.ip")), doc.get("source.port").asInt(),
                    InetAddress.getByName(doc.text("destination.ip")), doc.get("destination.port").asInt()));
            doc.put("network.iana_number", Integer.toString(protocol));
        } catch (java.net.UnknownHostException e) {
            // literal addresses never need a lookup
        }
    }

    private static long exitValue(AuditRecord syscall) {
        try {
            return Long.parseLong(syscall.field("exit"));
        } catch (NumberFormatException | NullPointerException e) {
            return Long.MIN_VALUE;
        }
    }
}
