package org.fleetrec.agent.source.netlink;

import java.util.Map;

/** Names for the errno values netlink/audit return, so errors read {@code EEXIST (17)}, not {@code -17}. */
public final class Errno {
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(3, "ESRCH"), Map.entry(4, "EINTR"),
            Map.entry(5, "EIO"), Map.entry(9, "EBADF"), Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"),
            Map.entry(13, "EACCES"), Map.entry(14, "EFAULT"), Map.entry(16, "EBUSY"), Map.entry(17, "EEXIST"),
            Map.entry(19, "ENODEV"), Map.entry(22, "EINVAL"), Map.entry(24, "EMFILE"), Map.entry(28, "ENOSPC"),
            Map.entry(34, "ERANGE"), Map.entry(38, "ENOSYS"), Map.entry(61, "ENODATA"),
            Map.entry(93, "EPROTONOSUPPORT"), Map.entry(95, "EOPNOTSUPP"), Map.entry(97, "EAFNOSUPPORT"),
            Map.entry(105, "ENOBUFS"), Map.entry(110, "ETIMEDOUT"), Map.entry(111, "ECONNREFUSED"));

    private Errno() {
    }

    /** {@code "EEXIST (17)"}; unknown numbers as {@code "errno 123"}. Sign is ignored. */
    public static String describe(int errno) {
        int e = Math.abs(errno);
        String n = NAMES.get(e);
        return n != null ? n + " (" + e + ")" : "errno " + e;
    }
}
