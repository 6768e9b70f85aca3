package org.fleetrec.agent.sysmon.evtx;

/**
 * The file header's first 128 bytes. The reader trusts little of it: chunks are found by
 * scanning, as a dirty file's header may count fewer chunks than it holds.
 */
public record EvtxHeader(long firstChunk, long lastChunk, long nextRecordId, int majorVersion, int minorVersion,
                         int chunkCount, int flags, boolean checksumValid) {
    static final int SIZE = 4096;
    private static final int FLAG_DIRTY = 0x1;

    static EvtxHeader parse(ChunkBytes header) {
        long stored = header.u32(124);
        return new EvtxHeader(header.u64(8), header.u64(16), header.u64(24), header.u16(38), header.u16(36),
                header.u16(42), (int) header.u32(120), stored == header.crc32(0, 120));
    }

    /** The log was not closed cleanly: the header's counts, and the last chunk's header, may be stale. */
    public boolean dirty() {
        return (flags & FLAG_DIRTY) != 0;
    }
}
