package org.fleetrec.agent.source.line;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/** A log file the follower holds open: which file it is and how far it has been read. */
final class OpenLog implements Closeable {
    /** Stands for "exists, but the file system has no inode identity" (all such files compare equal). */
    private static final Object NO_KEY = new Object();

    final FileChannel channel;
    /** The file's identity when opened, to notice the name moving to another file (rotation). */
    final Object key;
    /** Byte offset of the next read. */
    long position;
    private int headLength;
    private String headDigest;

    private OpenLog(FileChannel channel, Object key) {
        this.channel = channel;
        this.key = key;
    }

    /** The file now at {@code path}, at offset 0; null if there is none (or the name moved while opening). */
    static OpenLog open(Path path) throws IOException {
        Object before = keyOf(path);
        if (before == null) {
            return null;
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return null;
        }
        // The name may have been moved to another file between the stat and the open; then we cannot tell
        // which inode we hold, so try again on the next poll.
        if (!before.equals(keyOf(path))) {
            ch.close();
            return null;
        }
        return new OpenLog(ch, before);
    }

    /** The identity of the file at {@code path} now, or null if there is none. */
    static Object keyOf(Path path) {
        try {
            Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            return key != null ? key : NO_KEY;
        } catch (IOException e) {
            return null;
        }
    }

    /** The file was truncated: what it holds now is new, its first bytes included. */
    void restart() {
        position = 0;
        headDigest = null;
    }

    /**
     * The position at {@code offset} (just past a line, or where reading starts) while following
     * {@code log}; null if the file's first bytes cannot be read (truncated meanwhile), so that nothing
     * unverifiable is saved.
     */
    LogPosition after(Path log, long offset) {
        try {
            if (offset == 0) {
                // The start of whatever file the log is then; not kept as this file's head, which must be
                // real bytes for the positions of its lines.
                return new LogPosition(log, 0, 0, LogPosition.digestOfHead(channel, 0));
            }
            if (headDigest == null) {
                // Computed once per file, at the start position or the first delivered line, so that every
                // later position in the file has the same head.
                int length = (int) Math.min(offset, LogPosition.HEAD_BYTES);
                String digest = LogPosition.digestOfHead(channel, length);
                if (digest == null) return null;
                headLength = length;
                headDigest = digest;
            }
            return new LogPosition(log, offset, headLength, headDigest);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
