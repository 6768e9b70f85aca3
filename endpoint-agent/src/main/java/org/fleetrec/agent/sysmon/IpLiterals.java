package org.fleetrec.agent.sysmon;

import org.fleetrec.model.IpLiteral;

import java.net.InetAddress;
import java.util.Optional;

/**
 * Addresses from event data, parsed only when literal: a host name must never trigger a lookup.
 * Sysmon may write an IPv6 address in brackets or with its zone; the {@code ip} field takes neither.
 */
final class IpLiterals {
    private IpLiterals() {
    }

    static Optional<InetAddress> parse(String text) {
        if (text == null) return Optional.empty();
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) t = t.substring(1, t.length() - 1);
        int zone = t.indexOf('%');
        if (zone > 0 && t.indexOf(':') >= 0) t = t.substring(0, zone);
        return IpLiteral.address(t);
    }
}
