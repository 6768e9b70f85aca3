package org.fleetrec.web.bench;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Literal addresses to {@link InetAddress} without any lookup. */
final class Addresses {
    private Addresses() {
    }

    static InetAddress parse(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal is never looked up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address literal: " + literal, e);
        }
    }
}
