package org.fleetrec.agent.source.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Netlink framing without a kernel: the audit nlmsg_len quirk, multi-message datagrams, garbage. */
class NetlinkFramingTest {

    private record Msg(int type, int seq, String payload) {
    }

    private static List<Msg> split(ByteBuffer b) {
        List<Msg> out = new ArrayList<>();
        NetlinkSocket.dispatch(b, b.limit(), (type, flags, seq, pid, payload) -> {
            byte[] x = new byte[payload.remaining()];
            payload.get(x);
            out.add(new Msg(type, seq, new String(x, StandardCharsets.ISO_8859_1)));
        });
        return out;
    }

    private static ByteBuffer buf(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    @Test
    void auditRecordWithPayloadOnlyLength() {
        String text = "audit(1700000000.123:9): argc=1 a0=\"x\"";
        ByteBuffer b = buf(16 + text.length());
        b.putInt(text.length()).putShort((short) 1309).putShort((short) 0).putInt(0).putInt(0);
        b.put(text.getBytes(StandardCharsets.US_ASCII)).flip();
        assertEquals(List.of(new Msg(1309, 0, text)), split(b));
        assertEquals(text, AuditNetlink.text(ByteBuffer.wrap((text + "\0\0").getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void multipleControlMessagesInOneDatagram() {
        ByteBuffer b = buf(64);
        b.putInt(20).putShort((short) 1013).putShort((short) 2).putInt(7).putInt(0).putInt(0xABCD); // 20 bytes
        b.putInt(16).putShort((short) 3).putShort((short) 2).putInt(7).putInt(0);                 // DONE
        b.flip();
        List<Msg> m = split(b);
        assertEquals(2, m.size());
        assertEquals(1013, m.get(0).type());
        assertEquals(4, m.get(0).payload().length());
        assertEquals(new Msg(3, 7, ""), m.get(1));
    }

    @Test
    void bogusLengthsDoNotOverrun() {
        ByteBuffer b = buf(24);
        b.putInt(9999).putShort((short) 2).putShort((short) 0).putInt(1).putInt(0).putInt(-17).putInt(0).flip();
        List<Msg> m = split(b);
        assertEquals(1, m.size());
        assertEquals(8, m.get(0).payload().length());
        ByteBuffer tiny = buf(10);
        tiny.position(10).flip();
        assertEquals(List.of(), split(tiny));
    }

    @Test
    void statusParsesShortStructsFromOldKernels() {
        ByteBuffer b = buf(32);
        for (int i = 1; i <= 8; i++) {
            b.putInt(i);
        }
        b.flip();
        AuditStatus s = AuditStatus.parse(b);
        assertEquals(new AuditStatus(1, 2, 3, 4, 5, 6, 7, 8, 0, 0), s);
        assertEquals(44, AuditStatusUpdate.none().pid(5).toBytes().length);
        assertEquals(0x4 | 0x1, AuditStatusUpdate.none().pid(5).enabled(1).mask());
    }

    @Test
    void errnoNames() {
        assertEquals("EEXIST (17)", Errno.describe(-17));
        assertEquals("ENOENT (2)", Errno.describe(2));
        assertEquals("errno 4242", Errno.describe(4242));
        assertEquals("AUDIT_ADD_RULE failed: EEXIST (17)", new NetlinkErrorException("AUDIT_ADD_RULE", -17).getMessage());
    }
}
