package org.fleetrec.agent.source.netlink;

import java.io.IOException;

/** An errno from a syscall or from a netlink NLMSG_ERROR reply; the message names it, e.g. EEXIST (17). */
public final class NetlinkErrorException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public NetlinkErrorException(String operation, int errno) {
        super(operation + " failed: " + Errno.describe(errno));
        this.errno = Math.abs(errno);
    }

    /** Positive errno value. */
    public int errno() {
        return errno;
    }
}
