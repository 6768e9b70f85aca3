package org.fleetrec.agent.sysmon;

import org.fleetrec.model.CommunityId;
import org.fleetrec.model.EventDocument;

import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Event 3 as the agent's own network documents: both ends, transport, direction from
 * {@code Initiated} (true on the side that connected), and the community id, which is what joins
 * the client's egress event to the server's ingress event across hosts.
 */
final class NetworkFields {
    private NetworkFields() {
    }

    /** Returns the action: the project's connect or accept vocabulary, by who initiated. */
    static String fill(EventDocument doc, EventData data) {
        String transport = data.take("Protocol");
        if (transport != null) doc.put("network.transport", transport.toLowerCase(Locale.ROOT));
        String initiated = data.take("Initiated");
        boolean egress = "true".equalsIgnoreCase(initiated);
        if (initiated != null) doc.put("network.direction", egress ? "egress" : "ingress");
        String ipv6 = data.take("SourceIsIpv6");
        data.take("DestinationIsIpv6");
        if (ipv6 != null) doc.put("network.type", "true".equalsIgnoreCase(ipv6) ? "ipv6" : "ipv4");
        Optional<InetAddress> source = endpoint(doc, data, "source", "Source");
        Optional<InetAddress> destination = endpoint(doc, data, "destination", "Destination");
        String protocol = data.take("DestinationPortName");
        String sourceProtocol = data.take("SourcePortName");
        doc.put("network.protocol", protocol != null ? protocol : sourceProtocol);
        Set<String> related = new LinkedHashSet<>();
        if (doc.has("source.ip")) related.add(doc.text("source.ip"));
        if (doc.has("destination.ip")) related.add(doc.text("destination.ip"));
        if (!related.isEmpty()) doc.putAll("related.ip", related);
        communityId(doc, source, destination);
        return egress || initiated == null ? "connected-to" : "accepted-connection-from";
    }

    private static Optional<InetAddress> endpoint(EventDocument doc, EventData data, String side, String prefix) {
        // An address that does not parse is not taken: it stays under winlog.event_data as written.
        String ip = data.peek(prefix + "Ip");
        Optional<InetAddress> address = IpLiterals.parse(ip);
        if (address.isPresent()) doc.put(side + ".ip", data.take(prefix + "Ip").trim());
        String port = data.peek(prefix + "Port");
        if (port != null && port.trim().matches("\\d{1,5}")) {
            data.take(prefix + "Port");
            doc.put(side + ".port", Integer.parseInt(port.trim()));
        }
        doc.put(side + ".domain", data.take(prefix + "Hostname"));
        return address;
    }

    private static void communityId(EventDocument doc, Optional<InetAddress> source, Optional<InetAddress> destination) {
        String transport = doc.text("network.transport");
        int protocol = "tcp".equals(transport) ? CommunityId.TCP : "udp".equals(transport) ? CommunityId.UDP : -1;
        if (protocol < 0 || source.isEmpty() || destination.isEmpty() || !doc.has("source.port") || !doc.has("destination.port")) {
            return;
        }
        doc.put("network.community_id", CommunityId.v1(protocol, source.get(), doc.get("source.port").asInt(),
                destination.get(), doc.get("destination.port").asInt()));
        doc.put("network.iana_number", Integer.toString(protocol));
    }
}
