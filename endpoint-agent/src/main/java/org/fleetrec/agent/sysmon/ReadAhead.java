package org.fleetrec.agent.sysmon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * An iterator over a stream that only knows whether there is a next item by reading it: the item
 * is read ahead once and kept until taken. A read error surfaces as {@link UncheckedIOException},
 * as an iterator cannot throw a checked one.
 */
public abstract class ReadAhead<T> implements Iterator<T> {
    private T next;
    private boolean ended;

    /** The next item, or null at the end. */
    protected abstract T readNext() throws IOException;

    @Override
    public final boolean hasNext() {
        if (next == null && !ended) {
            try {
                next = readNext();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (next == null) ended = true;
        }
        return next != null;
    }

    @Override
    public final T next() {
        if (!hasNext()) throw new NoSuchElementException();
        T item = next;
        next = null;
        return item;
    }
}
