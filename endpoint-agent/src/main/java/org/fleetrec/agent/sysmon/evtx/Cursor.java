package org.fleetrec.agent.sysmon.evtx;

/** A read position in a chunk that must stay below {@code limit} (the end of a record, template or value). */
final class Cursor {
    final ChunkBytes bytes;
    final int limit;
    int pos;

    Cursor(ChunkBytes bytes, int pos, int limit) {
        if (limit > bytes.length() || pos < 0 || pos > limit) {
            throw new EvtxFormatException("data range 0x" + Integer.toHexString(pos) + "-0x" + Integer.toHexString(limit) + " lies outside the chunk");
        }
        this.bytes = bytes;
        this.pos = pos;
        this.limit = limit;
    }

    boolean more() {
        return pos < limit;
    }

    int remaining() {
        return limit - pos;
    }

    private void need(long count) {
        if (count < 0 || count > limit - pos) {
            throw new EvtxFormatException("data ends at 0x" + Integer.toHexString(limit) + ", " + count + " bytes needed at 0x" + Integer.toHexString(pos));
        }
    }

    int peek() {
        need(1);
        return bytes.u8(pos);
    }

    int u8() {
        need(1);
        return bytes.u8(pos++);
    }

    int u16() {
        need(2);
        int v = bytes.u16(pos);
        pos += 2;
        return v;
    }

    long u32() {
        need(4);
        long v = bytes.u32(pos);
        pos += 4;
        return v;
    }

    void skip(long count) {
        need(count);
        pos += (int) count;
    }

    String utf16(int chars) {
        need(2L * chars);
        String s = bytes.utf16(pos, chars);
        pos += 2 * chars;
        return s;
    }
}
