package org.fleetrec.agent.sysmon.evtx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Function;
import java.util.zip.CRC32;

/** Builds small evtx files for tests: a file header and chunks of records, with valid checksums unless told otherwise. */
final class EvtxTestFile {
    static final int HEADER = 4096;
    static final int CHUNK = 65536;
    static final Instant WRITTEN = Instant.parse("2019-04-30T20:32:50.9029620Z");

    private EvtxTestFile() {
    }

    static byte[] file(int declaredChunks, int flags, byte[]... chunks) {
        byte[] header = new byte[HEADER];
        put(header, 0, "ElfFile\0".getBytes(StandardCharsets.US_ASCII));
        le(header, 16, Math.max(declaredChunks - 1, 0), 8);
        le(header, 24, 1000, 8);
        le(header, 32, 128, 4);
        le(header, 36, 1, 2);
        le(header, 38, 3, 2);
        le(header, 40, HEADER, 2);
        le(header, 42, declaredChunks, 2);
        le(header, 120, flags, 4);
        CRC32 crc = new CRC32();
        crc.update(header, 0, 120);
        le(header, 124, crc.getValue(), 4);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header);
        for (byte[] chunk : chunks) out.writeBytes(chunk);
        return out.toByteArray();
    }

    static long fileTime(Instant t) {
        return (t.getEpochSecond() + 11_644_473_600L) * 10_000_000L + t.getNano() / 100;
    }

    /** One chunk being filled with records. */
    static final class Chunk {
        private final byte[] data = new byte[CHUNK];
        private int pos = 512;
        private int lastRecord = 512;
        private long firstId = -1;
        private long lastId = -1;

        /** Appends a record whose binary XML the function writes, given the chunk offset it starts at. */
        Chunk record(long id, Function<Integer, byte[]> binXmlAt) {
            byte[] body = binXmlAt.apply(pos + 24);
            int size = 24 + body.length + 4;
            size = (size + 7) & ~7;
            put(data, pos, new byte[] {0x2a, 0x2a, 0, 0});
            le(data, pos + 4, size, 4);
            le(data, pos + 8, id, 8);
            le(data, pos + 16, fileTime(WRITTEN), 8);
            put(data, pos + 24, body);
            le(data, pos + size - 4, size, 4);
            if (firstId < 0) firstId = id;
            lastId = id;
            lastRecord = pos;
            pos += size;
            return this;
        }

        int nextRecordOffset() {
            return pos;
        }

        byte[] build() {
            byte[] out = data.clone();
            put(out, 0, "ElfChnk\0".getBytes(StandardCharsets.US_ASCII));
            long first = firstId < 0 ? 1 : firstId;
            long last = firstId < 0 ? 0 : lastId;
            le(out, 8, first, 8);
            le(out, 16, last, 8);
            le(out, 24, first, 8);
            le(out, 32, last, 8);
            le(out, 40, 128, 4);
            le(out, 44, lastRecord, 4);
            le(out, 48, pos, 4);
            reseal(out, 0);
            return out;
        }
    }

    /** Recomputes the checksums of the chunk at {@code at} after a test changed it, so the change reaches the parser. */
    static void reseal(byte[] b, int at) {
        int freeSpace = (int) Math.min(Math.max(u32(b, at + 48), 512), CHUNK);
        CRC32 records = new CRC32();
        records.update(b, at + 512, freeSpace - 512);
        le(b, at + 52, records.getValue(), 4);
        CRC32 header = new CRC32();
        header.update(b, at, 120);
        header.update(b, at + 128, 512 - 128);
        le(b, at + 124, header.getValue(), 4);
    }

    static long u32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }

    static void le(byte[] b, int at, long v, int width) {
        for (int i = 0; i < width; i++) b[at + i] = (byte) (v >>> (8 * i));
    }

    private static void put(byte[] b, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, b, at, bytes.length);
    }
}
