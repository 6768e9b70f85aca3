package org.fleetrec.agent.sysmon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.fleetrec.model.EventDocument;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

/**
 * README B2's oracle: both ends of the same TCP connection, recorded on two hosts, carry one
 * community id, with egress on the client and ingress on the server.
 */
class SysmonCrossHostTest {
    @Test
    void covenantGruntToWorkstation6() {
        List<EventDocument> docs = SysmonTestData.mapped(SysmonTestData.shared(
                "windows-sysmon/otrf-security-datasets/covenant_sharpwmi_create_dcerpc_wmi_2020-08-06035621.json.gz"));
        EventDocument client = end(docs, "WORKSTATION5", 55275, 52419);
        EventDocument server = end(docs, "WORKSTATION6", 55275, 52419);
        assertEquals("GruntHTTP.exe", client.text("process.name"));
        assertEquals("svchost.exe", server.text("process.name"));
        sameConnection(client, server);
        sameConnection(end(docs, "WORKSTATION5", 55274, 135), end(docs, "WORKSTATION6", 55274, 135));
    }

    @Test
    void schtaskCreateRpcAndDynamicPort() {
        List<EventDocument> docs = SysmonTestData.mapped(SysmonTestData.shared(
                "windows-sysmon/otrf-security-datasets/schtask_create_2020-12-1907003032.json.gz"));
        sameConnection(end(docs, "WORKSTATION5", 56587, 135), end(docs, "WORKSTATION6", 56587, 135));
        sameConnection(end(docs, "WORKSTATION5", 56588, 49671), end(docs, "WORKSTATION6", 56588, 49671));
    }

    private static void sameConnection(EventDocument client, EventDocument server) {
        assertNotNull(client.text("network.community_id"));
        assertEquals(client.text("network.community_id"), server.text("network.community_id"));
        assertEquals("egress", client.text("network.direction"));
        assertEquals("connected-to", client.text("event.action"));
        assertEquals("ingress", server.text("network.direction"));
        assertEquals("accepted-connection-from", server.text("event.action"));
        assertEquals("tcp", client.text("network.transport"));
    }

    private static EventDocument end(List<EventDocument> docs, String host, int sourcePort, int destinationPort) {
        Optional<EventDocument> found = docs.stream()
                .filter(d -> "3".equals(d.text("event.code")))
                .filter(d -> d.text("host.name").toUpperCase().startsWith(host))
                .filter(d -> d.get("source.port").asInt() == sourcePort && d.get("destination.port").asInt() == destinationPort)
                .findFirst();
        return found.orElseThrow(() -> new AssertionError("no event 3 on " + host + " for " + sourcePort + " -> " + destinationPort));
    }
}
