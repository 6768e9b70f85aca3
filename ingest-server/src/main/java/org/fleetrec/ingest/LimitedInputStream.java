package org.fleetrec.ingest;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Stops a small gzip body from inflating into gigabytes. */
final class LimitedInputStream extends FilterInputStream {
    private final long limit;
    private long count;

    LimitedInputStream(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) check(1);
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) check(n);
        return n;
    }

    private void check(int n) throws IOException {
        count += n;
        if (count > limit) throw new LimitExceeded(limit);
    }

    static final class LimitExceeded extends IOException {
        LimitExceeded(long limit) {
            super("the batch inflates to more than " + limit + " bytes");
        }
    }
}
