package org.fleetrec.agent.sysmon.evtx;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads a Windows XML Event Log (.evtx) file front to back, one 64 KiB chunk in memory at a time,
 * yielding every record in file order as {@link EvtxRecord} and whatever could not be read as
 * {@link EvtxProblem}. Chunks are found by scanning every chunk slot to the end of the file, not
 * by the header's chunk count, which a dirty file may understate. A chunk whose header checksum
 * fails is skipped (its record offsets cannot be trusted); a bad record costs only itself.
 */
public final class EvtxFile extends org.fleetrec.agent.sysmon.ReadAhead<EvtxEntry> implements Closeable {
    private static final byte[] MAGIC = "ElfFile\0".getBytes(StandardCharsets.US_ASCII);

    private final InputStream in;
    private final EvtxHeader header;
    private final byte[] buffer = new byte[EvtxChunk.SIZE];
    private int slot;
    private EvtxChunk chunk;
    private ChunkBytes chunkBytes;
    private long chunkOffset;
    /** A file cut inside its header yields this one problem and nothing else. */
    private EvtxProblem cutHeader;

    private EvtxFile(InputStream in, byte[] head) {
        this.in = in;
        if (head.length < EvtxHeader.SIZE) {
            this.header = null;
            this.cutHeader = new EvtxProblem("file ends after " + head.length + " bytes, inside its " + EvtxHeader.SIZE
                    + "-byte header: it holds no chunks", head.length, EvtxProblem.UNKNOWN);
        } else {
            this.header = EvtxHeader.parse(new ChunkBytes(head, head.length));
        }
    }

    public static EvtxFile open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        try {
            return of(in);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Reads the header now; a stream that is not an evtx file is refused with an IOException. */
    public static EvtxFile of(InputStream in) throws IOException {
        byte[] head = in.readNBytes(EvtxHeader.SIZE);
        if (head.length < MAGIC.length || !Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException("not an evtx file: it does not start with the \"ElfFile\" signature");
        }
        return new EvtxFile(in, head);
    }

    /** Every entry of a file, read lazily; closing the stream closes the file. */
    public static Stream<EvtxEntry> entries(Path file) throws IOException {
        EvtxFile reader = open(file);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(reader, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(() -> {
                    try {
                        reader.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    /** Whether a stream (which must support mark/reset) starts like an evtx file; it is left where it was. */
    public static boolean startsLikeEvtx(InputStream in) throws IOException {
        in.mark(MAGIC.length);
        try {
            return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
        } finally {
            in.reset();
        }
    }

    /** The file header, or null when the file ends inside it. */
    public EvtxHeader header() {
        return header;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    @Override
    protected EvtxEntry readNext() throws IOException {
        if (header == null) {
            EvtxProblem problem = cutHeader;
            cutHeader = null;
            return problem;
        }
        while (true) {
            if (chunk != null) {
                EvtxEntry entry = chunk.next();
                if (entry != null) return entry;
                EvtxEntry cut = cutByFileEnd();
                chunk = null;
                if (cut != null) return cut;
            }
            int n = in.readNBytes(buffer, 0, buffer.length);
            if (n == 0) return null;
            int index = slot++;
            chunkOffset = EvtxHeader.SIZE + (long) index * EvtxChunk.SIZE;
            chunkBytes = new ChunkBytes(buffer, n);
            EvtxEntry problem = startSlot(index, n);
            if (problem != null) return problem;
        }
    }

    /** Starts reading slot {@code index}; a problem when it cannot be read, null when it is read or rightly empty. */
    private EvtxEntry startSlot(int index, int n) {
        String where = "chunk " + index + " at file offset 0x" + Long.toHexString(chunkOffset);
        if (!EvtxChunk.hasMagic(chunkBytes)) {
            // Slots past the header's count are preallocated space or left-overs; only the counted ones must be chunks.
            boolean counted = !header.checksumValid() || index < header.chunkCount();
            if (allZero(n) || !counted) return null;
            return new EvtxProblem(where + ": no chunk signature; the slot is skipped", chunkOffset, EvtxProblem.UNKNOWN);
        }
        if (n < EvtxChunk.HEADER_SIZE) {
            return new EvtxProblem("file ends inside the header of " + where + "; its records are lost", chunkOffset, EvtxProblem.UNKNOWN);
        }
        if (!EvtxChunk.headerValid(chunkBytes)) {
            long lost = EvtxChunk.walkableRecords(chunkBytes);
            return new EvtxProblem(where + ": chunk header checksum mismatch; the chunk is skipped, "
                    + (lost > 0 ? "at least " + lost + " records lost" : "an unknown number of records lost"),
                    chunkOffset, lost > 0 ? lost : EvtxProblem.UNKNOWN);
        }
        chunk = new EvtxChunk(chunkBytes, index, chunkOffset, header.dirty());
        return null;
    }

    /** After a chunk the file cut short: what the cut cost, by the chunk header's record numbers. */
    private EvtxEntry cutByFileEnd() {
        if (chunkBytes.length() == EvtxChunk.SIZE) return null;
        long expected = EvtxChunk.expectedRecords(chunkBytes);
        long lost = expected < 0 ? EvtxProblem.UNKNOWN : expected - chunk.recordsSeen();
        if (expected >= 0 && lost <= 0) return null;
        return new EvtxProblem("file ends " + chunkBytes.length() + " bytes into chunk " + (slot - 1) + " at file offset 0x"
                + Long.toHexString(chunkOffset) + "; " + (lost < 0 ? "an unknown number of" : Long.toString(lost)) + " records lost",
                chunkOffset + chunkBytes.length(), lost);
    }

    private boolean allZero(int n) {
        for (int i = 0; i < n; i++) if (buffer[i] != 0) return false;
        return true;
    }
}
