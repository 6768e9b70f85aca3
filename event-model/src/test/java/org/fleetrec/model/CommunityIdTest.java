package org.fleetrec.model;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class CommunityIdTest {
    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void matchesPublishedVectors() throws Exception {
        // Vectors published with the Community ID reference implementations.
        assertEquals("1:wCb3OG7yAFWelaUydu0D+125CLM=",
                CommunityId.v1(CommunityId.TCP, ip("1.2.3.4"), 1122, ip("5.6.7.8"), 3344));
        assertEquals("1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=",
                CommunityId.v1(CommunityId.UDP, ip("1.2.3.4"), 1122, ip("5.6.7.8"), 3344));
    }

    @Test
    void bothEndsOfAConnectionAgree() throws Exception {
        String egress = CommunityId.v1(CommunityId.TCP, ip("172.18.39.5"), 55275, ip("172.18.39.6"), 52419);
        String ingress = CommunityId.v1(CommunityId.TCP, ip("172.18.39.6"), 52419, ip("172.18.39.5"), 55275);
        assertEquals(egress, ingress);
        String ipv6 = CommunityId.v1(CommunityId.TCP, ip("fe80::1"), 1, ip("fe80::2"), 2);
        assertEquals(ipv6, CommunityId.v1(CommunityId.TCP, ip("fe80::2"), 2, ip("fe80::1"), 1));
        assertNotEquals(egress, CommunityId.v1(CommunityId.TCP, ip("172.18.39.5"), 55276, ip("172.18.39.6"), 52419));
    }

    @Test
    void samePortsOrderByPortWhenAddressesAreEqual() throws Exception {
        assertEquals(CommunityId.v1(CommunityId.TCP, ip("127.0.0.1"), 9000, ip("127.0.0.1"), 40000),
                CommunityId.v1(CommunityId.TCP, ip("127.0.0.1"), 40000, ip("127.0.0.1"), 9000));
    }
}
