package org.fleetrec.model;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * IP addresses and CIDR blocks typed by a user, found in an indicator, a rule or an event, parsed
 * without ever asking a name server (InetAddress would look up anything that is not a literal), and written the way
 * Elasticsearch writes {@code ip} values, so a value read from one place matches the same address
 * read from another.
 */
public final class IpLiteral {
    private IpLiteral() {
    }

    /** The address in canonical text (dotted IPv4, compressed lower-case IPv6), or empty when not a literal. */
    public static Optional<String> canonical(String text) {
        return address(text).map(IpLiteral::format);
    }

    /** {@code address/prefix} with the address canonical, or empty when not a CIDR block. */
    public static Optional<String> cidr(String text) {
        if (text == null) return Optional.empty();
        int slash = text.indexOf('/');
        if (slash <= 0 || slash != text.lastIndexOf('/')) return Optional.empty();
        Optional<InetAddress> address = address(text.substring(0, slash));
        String prefixText = text.substring(slash + 1);
        if (address.isEmpty() || prefixText.isEmpty() || prefixText.length() > 3 || !digits(prefixText)) return Optional.empty();
        int prefix = Integer.parseInt(prefixText);
        int bits = address.get() instanceof Inet4Address ? 32 : 128;
        if (prefix > bits) return Optional.empty();
        return Optional.of(format(address.get()) + "/" + prefix);
    }

    /** An address or a CIDR block, canonical; empty when it is neither. */
    public static Optional<String> addressOrCidr(String text) {
        return text != null && text.indexOf('/') >= 0 ? cidr(text) : canonical(text);
    }

    /** Addresses that say nothing about which host is meant: every host has them. */
    public static boolean isHostLocal(String canonical) {
        return address(canonical).map(a -> a.isLoopbackAddress() || a.isAnyLocalAddress()).orElse(true);
    }

    public static Optional<InetAddress> address(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) return Optional.empty();
        if (text.indexOf(':') < 0) return ipv4(text);
        if (Character.digit(text.charAt(0), 16) < 0 && text.charAt(0) != ':') return Optional.empty();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean allowed = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
            if (!allowed) return Optional.empty();
        }
        try {
            // Only hex digits, colons and dots reach here, and a string with a colon is parsed as an
            // IPv6 literal (or refused) by the JDK: no lookup can happen.
            return Optional.of(InetAddress.getByName(text));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** Exactly four decimal octets: the JDK would also take {@code 10.1} or {@code 010.0.0.1}. */
    private static Optional<InetAddress> ipv4(String text) {
        byte[] bytes = new byte[4];
        int part = 0;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '.') {
                String octet = text.substring(start, i);
                if (part > 3 || octet.isEmpty() || octet.length() > 3 || !digits(octet)
                        || (octet.length() > 1 && octet.charAt(0) == '0')) {
                    return Optional.empty();
                }
                int value = Integer.parseInt(octet);
                if (value > 255) return Optional.empty();
                bytes[part++] = (byte) value;
                start = i + 1;
            }
        }
        if (part != 4) return Optional.empty();
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an address", e);
        }
    }

    private static boolean digits(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') return false;
        }
        return true;
    }

    /** RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups as {@code ::}. */
    public static String format(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length == 4) return address.getHostAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) j++;
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') text.append(':');
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
