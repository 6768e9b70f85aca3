package org.fleetrec.model;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * Community ID v1 flow hash. Both ends of a connection compute the same value, which is
 * how an egress event on one host joins the ingress event on another.
 */
public final class CommunityId {
    public static final int TCP = 6;
    public static final int UDP = 17;

    private CommunityId() {
    }

    public static String v1(int protocol, InetAddress source, int sourcePort, InetAddress destination, int destinationPort) {
        return v1(protocol, source, sourcePort, destination, destinationPort, 0);
    }

    public static String v1(int protocol, InetAddress source, int sourcePort,
                            InetAddress destination, int destinationPort, int seed) {
        byte[] a = source.getAddress();
        byte[] b = destination.getAddress();
        int pa = sourcePort;
        int pb = destinationPort;
        // The flow is ordered so both directions hash alike: smaller address first, then smaller port.
        int order = compareUnsigned(a, b);
        if (order > 0 || (order == 0 && pa > pb)) {
            byte[] t = a; a = b; b = t;
            int tp = pa; pa = pb; pb = tp;
        }
        ByteBuffer buffer = ByteBuffer.allocate(2 + a.length + b.length + 2 + 4);
        buffer.putShort((short) seed).put(a).put(b).put((byte) protocol).put((byte) 0)
                .putShort((short) pa).putShort((short) pb);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(buffer.array());
            return "1:" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by the JDK", e);
        }
    }

    private static int compareUnsigned(byte[] a, byte[] b) {
        return a.length != b.length ? Integer.compare(a.length, b.length) : Arrays.compareUnsigned(a, b);
    }
}
