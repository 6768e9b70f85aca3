package org.fleetrec.agent.audit;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A socket address from a SOCKADDR record ({@code saddr=} hex of the kernel's sockaddr).
 * IPv4-mapped IPv6 addresses are reported as IPv4, so a dual-stack server and an IPv4 client
 * describe one connection with the same addresses (and the same community id).
 */
public record SockAddr(int family, InetAddress address, int port, String path) {
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    public boolean isInet() {
        return address != null;
    }

    public static Optional<SockAddr> decode(String hex) {
        if (hex == null || hex.length() < 4 || (hex.length() & 1) != 0) return Optional.empty();
        byte[] raw;
        try {
            raw = HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int family = (raw[0] & 0xff) | (raw[1] & 0xff) << 8; // sa_family is host order (little-endian here)
        try {
            return switch (family) {
                case AF_INET -> raw.length < 8 ? Optional.empty()
                        : Optional.of(new SockAddr(family, InetAddress.getByAddress(slice(raw, 4, 4)), port(raw), null));
                case AF_INET6 -> raw.length < 24 ? Optional.empty()
                        : Optional.of(new SockAddr(family, unmapped(InetAddress.getByAddress(slice(raw, 8, 16))), port(raw), null));
                case AF_UNIX -> Optional.of(new SockAddr(family, null, 0, unixPath(raw)));
                default -> Optional.of(new SockAddr(family, null, 0, null));
            };
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** ::ffff:a.b.c.d as a.b.c.d; any other address unchanged. */
    public static InetAddress unmapped(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length != 16) return address;
        for (int i = 0; i < 10; i++) if (b[i] != 0) return address;
        if (b[10] != (byte) 0xff || b[11] != (byte) 0xff) return address;
        try {
            return InetAddress.getByAddress(slice(b, 12, 4));
        } catch (UnknownHostException e) {
            return address;
        }
    }

    private static int port(byte[] raw) {
        return (raw[2] & 0xff) << 8 | (raw[3] & 0xff); // network order
    }

    private static byte[] slice(byte[] raw, int from, int length) {
        return java.util.Arrays.copyOfRange(raw, from, from + length);
    }

    private static String unixPath(byte[] raw) {
        if (raw.length <= 2) return "";
        if (raw[2] == 0) { // abstract socket: name after a leading NUL
            int end = raw.length;
            while (end > 3 && raw[end - 1] == 0) end--;
            return "@" + new String(raw, 3, end - 3, StandardCharsets.UTF_8);
        }
        int end = 2;
        while (end < raw.length && raw[end] != 0) end++;
        return new String(raw, 2, end - 2, StandardCharsets.UTF_8);
    }
}
