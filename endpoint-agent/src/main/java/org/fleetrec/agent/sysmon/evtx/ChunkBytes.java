package org.fleetrec.agent.sysmon.evtx;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * One chunk's bytes, read little-endian. Every offset inside a chunk comes from the file itself,
 * so every read is checked against the chunk's end: a bad offset fails its record, never the reader.
 */
final class ChunkBytes {
    private final byte[] data;
    private final int length;

    ChunkBytes(byte[] data, int length) {
        this.data = data;
        this.length = length;
    }

    int length() {
        return length;
    }

    void check(long at, long count) {
        if (at < 0 || count < 0 || at > length - count) {
            throw new EvtxFormatException("offset 0x" + Long.toHexString(at) + " (+" + count + " bytes) lies outside the chunk");
        }
    }

    int u8(long at) {
        check(at, 1);
        return data[(int) at] & 0xff;
    }

    int u16(long at) {
        check(at, 2);
        int i = (int) at;
        return (data[i] & 0xff) | (data[i + 1] & 0xff) << 8;
    }

    long u32(long at) {
        check(at, 4);
        int i = (int) at;
        return ((data[i] & 0xffL) | (data[i + 1] & 0xffL) << 8 | (data[i + 2] & 0xffL) << 16 | (data[i + 3] & 0xffL) << 24);
    }

    long u64(long at) {
        return u32(at) | u32(at + 4) << 32;
    }

    String utf16(long at, int chars) {
        check(at, 2L * chars);
        return new String(data, (int) at, 2 * chars, StandardCharsets.UTF_16LE);
    }

    String text(long at, int count, Charset charset) {
        check(at, count);
        return new String(data, (int) at, count, charset);
    }

    boolean startsWith(long at, byte[] magic) {
        if (at < 0 || at > length - magic.length) return false;
        for (int i = 0; i < magic.length; i++) if (data[(int) at + i] != magic[i]) return false;
        return true;
    }

    /** CRC-32 (RFC 1952) of the given ranges, one after the other: {@code from, to, from, to, ...}. */
    long crc32(int... ranges) {
        CRC32 crc = new CRC32();
        for (int i = 0; i + 1 < ranges.length; i += 2) {
            check(ranges[i], ranges[i + 1] - ranges[i]);
            crc.update(data, ranges[i], ranges[i + 1] - ranges[i]);
        }
        return crc.getValue();
    }
}
