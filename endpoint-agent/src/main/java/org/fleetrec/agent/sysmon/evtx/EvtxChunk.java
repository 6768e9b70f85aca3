package org.fleetrec.agent.sysmon.evtx;

import java.nio.charset.StandardCharsets;

/**
 * One 64 KiB chunk: its records in order, each decoded alone so a corrupt one costs only itself.
 * A record whose header does not hold together (signature, size, copy of the size) is reported,
 * and reading resumes at the next place a whole record starts.
 */
final class EvtxChunk {
    static final int SIZE = 1 << 16;
    static final int HEADER_SIZE = 512;
    private static final byte[] MAGIC = "ElfChnk\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RECORD_MAGIC = {0x2a, 0x2a, 0x00, 0x00};
    private static final int RECORD_HEADER = 24;
    /** The record header and the trailing copy of the size. */
    private static final int MIN_RECORD = RECORD_HEADER + 4;

    private final ChunkBytes bytes;
    private final int index;
    private final long fileOffset;
    private final boolean dirty;
    private final BinXmlParser parser;
    private final int freeSpace;
    private int end;
    private int pos = HEADER_SIZE;
    private long lastId = Long.MIN_VALUE;
    private boolean checksumChecked;
    private long recordsSeen;

    EvtxChunk(ChunkBytes bytes, int index, long fileOffset, boolean dirty) {
        this.bytes = bytes;
        this.index = index;
        this.fileOffset = fileOffset;
        this.dirty = dirty;
        this.parser = new BinXmlParser(bytes);
        this.freeSpace = (int) Math.max(HEADER_SIZE, Math.min(bytes.u32(48), bytes.length()));
        this.end = freeSpace;
    }

    static boolean hasMagic(ChunkBytes bytes) {
        return bytes.startsWith(0, MAGIC);
    }

    /** The header checksum covers bytes 0-120 and 128-512 (the string and template offset tables). */
    static boolean headerValid(ChunkBytes bytes) {
        return bytes.length() >= HEADER_SIZE && bytes.crc32(0, 120, 128, HEADER_SIZE) == bytes.u32(124);
    }

    /** Records the header announces, from its first and last record numbers; -1 when they make no sense. */
    static long expectedRecords(ChunkBytes bytes) {
        long first = bytes.u64(8);
        long last = bytes.u64(16);
        long count = last - first + 1;
        return first >= 0 && count >= 0 && count <= SIZE / MIN_RECORD ? count : EvtxProblem.UNKNOWN;
    }

    /** Records that can be walked from the first one while each holds together: what a skipped chunk cost, at least. */
    static long walkableRecords(ChunkBytes bytes) {
        long count = 0;
        for (int at = HEADER_SIZE, size; (size = recordAt(bytes, at, bytes.length())) > 0; at += size) count++;
        return count;
    }

    /** The size of a whole, consistent record starting at {@code at} and ending by {@code limit}, else 0. */
    private static int recordAt(ChunkBytes bytes, int at, int limit) {
        if (at < 0 || at > limit - MIN_RECORD || !bytes.startsWith(at, RECORD_MAGIC)) return 0;
        long size = bytes.u32(at + 4);
        if (size < MIN_RECORD || size > limit - at) return 0;
        return bytes.u32(at + (int) size - 4) == size ? (int) size : 0;
    }

    /** Records and failed records met so far. */
    long recordsSeen() {
        return recordsSeen;
    }

    /** The next record or problem, or null after the last record. */
    EvtxEntry next() {
        if (!checksumChecked) {
            checksumChecked = true;
            // A chunk the end of the file cuts cannot be checked; the file reader reports the cut instead.
            boolean whole = bytes.u32(48) <= bytes.length();
            if (whole && bytes.crc32(HEADER_SIZE, freeSpace) != bytes.u32(52)) {
                return new EvtxProblem(where() + ": event records checksum mismatch; its records are read but may hold damaged values",
                        fileOffset, 0);
            }
        }
        if (pos > end - MIN_RECORD && !continuesPastFreeSpace()) return null;
        int size = recordAt(bytes, pos, end);
        if (size == 0) {
            if (cutByFileEnd()) {
                pos = end;
                return null;
            }
            return skipCorrupt();
        }
        int at = pos;
        pos += size;
        recordsSeen++;
        long id = bytes.u64(at + 8);
        lastId = id;
        try {
            String xml = XmlRenderer.render(bytes, parser, parser.document(at + RECORD_HEADER, at + size - 4));
            return new EvtxRecord(id, ValueText.fileTimeInstant(bytes.u64(at + 16)), xml);
        } catch (EvtxFormatException e) {
            return undecodable(id, at, e.getMessage());
        } catch (RuntimeException e) {
            // Whatever a hostile record provokes, it costs that record only.
            return undecodable(id, at, e.toString());
        }
    }

    private EvtxProblem undecodable(long id, int at, String reason) {
        return new EvtxProblem("record " + id + " (" + where() + ", record at file offset 0x" + Long.toHexString(fileOffset + at)
                + ") cannot be decoded: " + reason, fileOffset + at, 1);
    }

    /**
     * In a dirty file the chunk header may predate the last records written: a whole record that
     * continues the numbering right after the free space offset is read too.
     */
    private boolean continuesPastFreeSpace() {
        if (!dirty || pos != end) return false;
        int size = recordAt(bytes, pos, bytes.length());
        if (size == 0 || lastId == Long.MIN_VALUE || bytes.u64(pos + 8) != lastId + 1) return false;
        end = pos + size;
        return true;
    }

    /** The file ends inside this record: the file reader reports what the cut cost. */
    private boolean cutByFileEnd() {
        return bytes.length() < SIZE && bytes.startsWith(pos, RECORD_MAGIC) && pos + 8 <= bytes.length()
                && bytes.u32(pos + 4) > bytes.length() - pos;
    }

    private EvtxEntry skipCorrupt() {
        int from = pos;
        int next = from + 1;
        while (next <= end - MIN_RECORD && recordAt(bytes, next, end) == 0) next++;
        pos = Math.min(next, end);
        recordsSeen++;
        return new EvtxProblem(where() + ": no whole record at file offset 0x" + Long.toHexString(fileOffset + from) + "; "
                + (pos - from) + " bytes skipped", fileOffset + from, EvtxProblem.UNKNOWN);
    }

    private String where() {
        return "chunk " + index + " at file offset 0x" + Long.toHexString(fileOffset);
    }
}
