package org.fleetrec.agent.source.netlink;

import org.fleetrec.agent.audit.RecordTypes;
import org.fleetrec.agent.audit.rule.AuditRuleData;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ObjIntConsumer;

/**
 * Request/reply control of the kernel audit subsystem over NETLINK_AUDIT. Every request asks for an ACK and
 * waits for it; a negative errno in the NLMSG_ERROR reply becomes a {@link NetlinkErrorException} naming it
 * (e.g. {@code EEXIST (17)}). The ACK may arrive before the data reply (the kernel sends AUDIT_GET and
 * AUDIT_LIST_RULES answers from a separate kernel thread), so both are awaited.
 *
 * <p>Methods are synchronized: one request in flight per socket.
 */
public final class AuditNetlink implements Closeable {
    static final Duration REPLY_TIMEOUT = Duration.ofSeconds(5);
    static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    private final NetlinkSocket socket;
    private final boolean ownsSocket;
    private final ObjIntConsumer<String> strayRecords;

    private AuditNetlink(NetlinkSocket socket, boolean ownsSocket, ObjIntConsumer<String> strayRecords) {
        this.socket = socket;
        this.ownsSocket = ownsSocket;
        this.strayRecords = strayRecords;
    }

    /** Opens a private control socket (unicast only, joins no group). Needs CAP_AUDIT_CONTROL for changes. */
    public static AuditNetlink open() throws IOException {
        NetlinkSocket s = NetlinkSocket.open(NetlinkSocket.NETLINK_AUDIT, 0);
        try {
            s.setReceiveTimeout(POLL_INTERVAL);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new AuditNetlink(s, true, null);
    }

    /**
     * Uses an existing socket (not closed by {@link #close()}). Audit records that arrive while waiting
     * for a reply go to {@code strayRecords} instead of being lost; used while registering the capture
     * socket, which starts receiving records the moment the kernel accepts it.
     */
    static AuditNetlink over(NetlinkSocket socket, ObjIntConsumer<String> strayRecords) {
        return new AuditNetlink(socket, false, strayRecords);
    }

    public synchronized AuditStatus status() throws IOException {
        AuditStatus[] reply = new AuditStatus[1];
        request(RecordTypes.GET, new byte[0], "AUDIT_GET", (type, payload) -> {
            if (type == RecordTypes.GET) {
                reply[0] = AuditStatus.parse(payload);
            }
        }, () -> reply[0] != null);
        return reply[0];
    }

    public synchronized void set(AuditStatusUpdate update) throws IOException {
        if (update.isEmpty()) {
            return;
        }
        request(RecordTypes.SET, update.toBytes(), "AUDIT_SET(mask=0x" + Integer.toHexString(update.mask()) + ")",
                (type, payload) -> { }, () -> true);
    }

    public synchronized List<AuditRuleData> listRules() throws IOException {
        List<AuditRuleData> rules = new ArrayList<>();
        boolean[] done = new boolean[1];
        request(RecordTypes.LIST_RULES, new byte[0], "AUDIT_LIST_RULES", (type, payload) -> {
            if (type == NetlinkSocket.NLMSG_DONE) {
                done[0] = true;
            } else if (type == RecordTypes.LIST_RULES) {
                byte[] b = new byte[payload.remaining()];
                payload.get(b);
                rules.add(AuditRuleData.fromBytes(b));
            }
        }, () -> done[0]);
        return rules;
    }

    public synchronized void addRule(AuditRuleData rule) throws IOException {
        request(RecordTypes.ADD_RULE, rule.toBytes(), "AUDIT_ADD_RULE " + rule, (t, p) -> { }, () -> true);
    }

    public synchronized void deleteRule(AuditRuleData rule) throws IOException {
        request(RecordTypes.DEL_RULE, rule.toBytes(), "AUDIT_DEL_RULE " + rule, (t, p) -> { }, () -> true);
    }

    private interface ReplyHandler {
        void onReply(int type, ByteBuffer payload);
    }

    private interface Completion {
        boolean complete();
    }

    private void request(int type, byte[] payload, String what, ReplyHandler onReply, Completion complete)
            throws IOException {
        int seq = socket.send(type, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK, payload);
        boolean[] acked = new boolean[1];
        int[] error = new int[1];
        RuntimeException[] replyFailure = new RuntimeException[1];
        long deadline = System.nanoTime() + REPLY_TIMEOUT.toNanos();
        while (!(acked[0] && complete.complete())) {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException(what + ": no " + (acked[0] ? "reply" : "ACK") + " from the kernel within "
                        + REPLY_TIMEOUT.toSeconds() + " s");
            }
            socket.receive((t, flags, s, pid, p) -> {
                if (RecordTypes.isRecord(t)) {
                    if (strayRecords != null) {
                        strayRecords.accept(text(p), t);
                    }
                    return;
                }
                if (s != seq) {
                    return; // a late answer to an earlier (timed-out) request
                }
                if (t == NetlinkSocket.NLMSG_ERROR) {
                    int err = p.remaining() >= 4 ? p.getInt(0) : -5 /* EIO: truncated error message */;
                    if (err == 0) {
                        acked[0] = true;
                    } else {
                        error[0] = err;
                    }
                } else {
                    try {
                        onReply.onReply(t, p);
                    } catch (RuntimeException e) {
                        replyFailure[0] = e;
                    }
                }
            });
            if (error[0] != 0) {
                throw new NetlinkErrorException(what, error[0]);
            }
            if (replyFailure[0] != null) {
                throw new IOException(what + ": malformed reply: " + replyFailure[0].getMessage(), replyFailure[0]);
            }
        }
    }

    /** Record payload as text: UTF-8, trailing NULs (padding) dropped. */
    static String text(ByteBuffer payload) {
        int end = payload.limit();
        while (end > payload.position() && payload.get(end - 1) == 0) {
            end--;
        }
        byte[] b = new byte[end - payload.position()];
        payload.duplicate().get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Datagrams the socket lost to ENOBUFS. */
    public long overruns() {
        return socket.overruns();
    }

    @Override
    public void close() {
        if (ownsSocket) {
            socket.close();
        }
    }
}
