package org.fleetrec.agent.source.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.ptr.IntByReference;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A raw AF_NETLINK socket speaking the audit protocol's framing. One thread may receive (the receive buffer
 * is reused); sending is thread-safe.
 *
 * <p>Audit quirk handled here: for event records (types 1100-2999) the kernel sets {@code nlmsg_len} to the
 * payload length without the 16-byte header, so for those types the payload is taken as the rest of the
 * datagram instead of trusting {@code nlmsg_len}. Records are never batched, one per datagram.
 */
public final class NetlinkSocket implements Closeable {
    public static final int NETLINK_AUDIT = 9;
    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLM_F_MULTI = 0x2;
    public static final int NLM_F_ACK = 0x4;

    static final int HEADER = 16;
    private static final int SOCKADDR_NL = 12;
    // Biggest audit record is MAX_AUDIT_MESSAGE_LENGTH (8970); list replies are ~1 KiB each.
    private static final int RECEIVE_BUFFER = 64 * 1024;
    private static final int FIRST_RECORD_TYPE = 1100;
    private static final int LAST_RECORD_TYPE = 2999;

    /** Receives each netlink message of a datagram. {@code payload} is only valid during the call. */
    @FunctionalInterface
    public interface Handler {
        void onMessage(int type, int flags, int seq, int pid, ByteBuffer payload);
    }

    private final LibC libc;
    private final int fd;
    private final int portId;
    private final Memory receiveMemory = new Memory(RECEIVE_BUFFER);
    private final ByteBuffer receiveBuffer;
    private final Memory sourceAddress = new Memory(SOCKADDR_NL);
    private final IntByReference sourceLength = new IntByReference();
    private final AtomicInteger sequence = new AtomicInteger((int) (System.nanoTime() & 0x3FFFFFFF));
    private final AtomicLong overruns = new AtomicLong();
    private final AtomicLong foreignDropped = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object sendLock = new Object();

    private NetlinkSocket(LibC libc, int fd, int portId) {
        this.libc = libc;
        this.fd = fd;
        this.portId = portId;
        this.receiveBuffer = receiveMemory.getByteBuffer(0, RECEIVE_BUFFER).order(ByteOrder.nativeOrder());
    }

    /**
     * Opens and binds a netlink socket. {@code groups} is the multicast group bitmask to join at bind time
     * (audit: 1 = AUDIT_NLGRP_READLOG, needs CAP_AUDIT_READ), 0 for unicast only.
     */
    public static NetlinkSocket open(int protocol, int groups) throws IOException {
        LibC libc = LibC.INSTANCE;
        int fd;
        try {
            fd = libc.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        } catch (LastErrorException e) {
            throw new NetlinkErrorException("socket(AF_NETLINK, " + protocol + ")", e.getErrorCode());
        }
        try {
            Memory addr = sockaddr(0, groups);
            libc.bind(fd, addr, SOCKADDR_NL);
            Memory out = new Memory(SOCKADDR_NL);
            out.clear();
            IntByReference len = new IntByReference(SOCKADDR_NL);
            libc.getsockname(fd, out, len);
            return new NetlinkSocket(libc, fd, out.getInt(4));
        } catch (LastErrorException e) {
            closeQuietly(libc, fd);
            throw new NetlinkErrorException("bind netlink socket (groups=" + groups + ")", e.getErrorCode());
        } catch (RuntimeException e) {
            closeQuietly(libc, fd);
            throw e;
        }
    }

    private static Memory sockaddr(int pid, int groups) {
        Memory m = new Memory(SOCKADDR_NL);
        m.clear();
        m.setShort(0, (short) LibC.AF_NETLINK);
        m.setInt(4, pid);
        m.setInt(8, groups);
        return m;
    }

    private static void closeQuietly(LibC libc, int fd) {
        try {
            libc.close(fd);
        } catch (LastErrorException ignored) {
            // nothing useful to do: the fd is gone either way
        }
    }

    /** The kernel-assigned port id (equals our pid for the first socket of the process). */
    public int portId() {
        return portId;
    }

    /**
     * Asks for a big receive buffer so bursts don't overflow the socket: SO_RCVBUFFORCE first (root /
     * CAP_NET_ADMIN can exceed rmem_max), else SO_RCVBUF (silently capped at rmem_max).
     *
     * @return true if the forced size was accepted
     */
    public boolean setReceiveBufferSize(int bytes) throws IOException {
        Memory v = new Memory(4);
        v.setInt(0, bytes);
        try {
            libc.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, v, 4);
            return true;
        } catch (LastErrorException forced) {
            try {
                libc.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, v, 4);
                return false;
            } catch (LastErrorException e) {
                throw new NetlinkErrorException("setsockopt(SO_RCVBUF)", e.getErrorCode());
            }
        }
    }

    /** SO_RCVTIMEO, so a receive loop wakes up regularly to notice it should stop. */
    public void setReceiveTimeout(Duration timeout) throws IOException {
        Memory tv = new Memory(16);
        tv.setLong(0, timeout.toSeconds());
        tv.setLong(8, timeout.toNanosPart() / 1000L);
        try {
            libc.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv, 16);
        } catch (LastErrorException e) {
            throw new NetlinkErrorException("setsockopt(SO_RCVTIMEO)", e.getErrorCode());
        }
    }

    /** Sends one message to the kernel; returns the sequence number used. */
    public int send(int type, int flags, byte[] payload) throws IOException {
        int len = HEADER + payload.length;
        int seq = sequence.incrementAndGet() & 0x7FFFFFFF;
        synchronized (sendLock) {
            ensureOpen();
            Memory m = new Memory(align4(len));
            m.clear();
            m.setInt(0, len);
            m.setShort(4, (short) type);
            m.setShort(6, (short) flags);
            m.setInt(8, seq);
            m.setInt(12, portId);
            m.write(HEADER, payload, 0, payload.length);
            Memory dest = sockaddr(0, 0);
            while (true) {
                try {
                    libc.sendto(fd, m, len, 0, dest, SOCKADDR_NL);
                    return seq;
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != LibC.EINTR) {
                        throw new NetlinkErrorException("netlink send of type " + type, e.getErrorCode());
                    }
                }
            }
        }
    }

    /**
     * Receives one datagram and hands each message in it to {@code handler}. Returns the number of messages,
     * or 0 when the receive timed out, was interrupted (EINTR), overran (ENOBUFS: counted in
     * {@link #overruns()}, the socket stays usable) or came from a non-kernel sender (dropped).
     */
    public int receive(Handler handler) throws IOException {
        ensureOpen();
        long n;
        sourceLength.setValue(SOCKADDR_NL);
        try {
            n = libc.recvfrom(fd, receiveMemory, RECEIVE_BUFFER, 0, sourceAddress, sourceLength);
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            if (errno == LibC.ENOBUFS) {
                overruns.incrementAndGet();
                return 0;
            }
            if (errno == LibC.EINTR || errno == LibC.EAGAIN) {
                return 0;
            }
            throw new NetlinkErrorException("netlink receive", errno);
        }
        if (sourceAddress.getInt(4) != 0) {
            // Only the kernel (port 0) may talk to us; another root process could otherwise inject records.
            foreignDropped.incrementAndGet();
            return 0;
        }
        return dispatch(receiveBuffer, (int) Math.min(n, RECEIVE_BUFFER), handler);
    }

    /** Splits a datagram into messages. Package-private for tests. */
    static int dispatch(ByteBuffer buf, int length, Handler handler) {
        int off = 0;
        int count = 0;
        while (length - off >= HEADER) {
            int remaining = length - off;
            int len = buf.getInt(off);
            int type = buf.getShort(off + 4) & 0xFFFF;
            int flags = buf.getShort(off + 6) & 0xFFFF;
            int seq = buf.getInt(off + 8);
            int pid = buf.getInt(off + 12);
            int payloadLen;
            int advance;
            if (type >= FIRST_RECORD_TYPE && type <= LAST_RECORD_TYPE) {
                payloadLen = remaining - HEADER;
                advance = remaining;
            } else if (len < HEADER || len > remaining) {
                payloadLen = remaining - HEADER; // truncated or bogus length: take what is there, stop
                advance = remaining;
            } else {
                payloadLen = len - HEADER;
                advance = Math.min(align4(len), remaining);
            }
            ByteBuffer payload = buf.duplicate().order(buf.order());
            payload.limit(off + HEADER + payloadLen).position(off + HEADER);
            handler.onMessage(type, flags, seq, pid, payload.slice().order(buf.order()));
            count++;
            off += advance;
        }
        return count;
    }

    static int align4(int n) {
        return (n + 3) & ~3;
    }

    /** Datagrams lost because the socket buffer was full (ENOBUFS), since open. */
    public long overruns() {
        return overruns.get();
    }

    /** Datagrams dropped because they did not come from the kernel. */
    public long foreignDropped() {
        return foreignDropped.get();
    }

    private void ensureOpen() throws IOException {
        if (closed.get()) {
            throw new IOException("netlink socket closed");
        }
    }

    /** Closes the fd once. Must not race with a {@link #receive} in another thread: stop that thread first. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly(libc, fd);
        }
    }
}
