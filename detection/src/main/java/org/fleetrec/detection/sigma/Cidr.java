package org.fleetrec.detection.sigma;

import org.fleetrec.model.IpLiteral;

import java.net.InetAddress;

/** IPv4 and IPv6 networks ({@code cidr}) and the literal addresses they are tested against. */
final class Cidr {

    private Cidr() {
    }

    static ValueTest.Cidr parse(String text) throws RuleException {
        String t = text.trim();
        int slash = t.indexOf('/');
        byte[] address = literal(slash < 0 ? t : t.substring(0, slash));
        if (address == null) throw RuleException.invalid("'" + text + "' is not a CIDR network");
        int prefix = address.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw RuleException.invalid("'" + text + "' has no valid prefix length");
            }
            if (prefix < 0 || prefix > address.length * 8) throw RuleException.invalid("'" + text + "' has a prefix out of range");
        }
        return new ValueTest.Cidr(t, address, prefix);
    }

    /**
     * The bytes of a literal address (IPv4-mapped IPv6 given as IPv4), or null for anything else.
     * Only literals are parsed: a host name must never cause a DNS lookup.
     */
    static byte[] literal(String text) {
        if (text == null) return null;
        String t = text;
        if (t.startsWith("[") && t.endsWith("]")) t = t.substring(1, t.length() - 1);
        int zone = t.indexOf('%');
        if (zone > 0) t = t.substring(0, zone);
        return IpLiteral.address(t).map(InetAddress::getAddress).orElse(null);
    }

    /** The address with every bit after the first {@code prefix} cleared. */
    static byte[] masked(byte[] address, int prefix) {
        byte[] out = new byte[address.length];
        int full = prefix / 8;
        System.arraycopy(address, 0, out, 0, full);
        int bits = prefix % 8;
        if (bits > 0) out[full] = (byte) (address[full] & (0xFF << (8 - bits)));
        return out;
    }

    static boolean contains(ValueTest.Cidr net, String value) {
        byte[] a = literal(value.trim());
        if (a == null) return false;
        if (a.length != net.network().length) return false;
        int full = net.prefix() / 8;
        for (int i = 0; i < full; i++) if (a[i] != net.network()[i]) return false;
        int bits = net.prefix() % 8;
        if (bits == 0) return true;
        int mask = (0xFF << (8 - bits)) & 0xFF;
        return (a[full] & mask) == (net.network()[full] & mask);
    }
}
