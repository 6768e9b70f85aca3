package org.fleetrec.agent.source.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * The few libc socket calls the netlink code needs. Interface mapping with {@link LastErrorException}
 * so errno is captured atomically with the call. {@code size_t}/{@code ssize_t} are mapped to Java
 * {@code long}, which is correct on LP64 Linux (x86_64, aarch64) only.
 */
public interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int AF_NETLINK = 16;
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;
    int SOL_SOCKET = 1;
    int SO_RCVBUF = 8;
    int SO_RCVBUFFORCE = 33;
    int SO_RCVTIMEO = 20;

    int EINTR = 4;
    int EAGAIN = 11;
    int ENOBUFS = 105;

    int socket(int domain, int type, int protocol) throws LastErrorException;

    int bind(int fd, Pointer addr, int addrlen) throws LastErrorException;

    long sendto(int fd, Pointer buf, long len, int flags, Pointer destAddr, int addrlen) throws LastErrorException;

    long recvfrom(int fd, Pointer buf, long len, int flags, Pointer srcAddr, IntByReference addrlen)
            throws LastErrorException;

    int setsockopt(int fd, int level, int optname, Pointer optval, int optlen) throws LastErrorException;

    int getsockname(int fd, Pointer addr, IntByReference addrlen) throws LastErrorException;

    int close(int fd) throws LastErrorException;
}
