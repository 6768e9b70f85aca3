package org.fleetrec.web.bench;

import org.fleetrec.model.Dataset;
import org.fleetrec.model.EventDocument;

import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * Everything planned for the fleet, taken out in time order. An activity planned at a time only
 * plans documents at that time or later, on its own host or another, so taking them out in time
 * order gives every host a sequence that grows with its events' time, as an agent's does.
 */
final class Timeline {
    /** Planning work to do when the clock reaches its time (the next activity of a host, a fixture). */
    interface Task {
        void run(long time);
    }

    /** A document (with {@code task} null) or a task, due at {@code time}. */
    record Due(long time, long order, SyntheticHost host, Dataset dataset, EventDocument doc, Task task) {
    }

    private final PriorityQueue<Due> queue = new PriorityQueue<>(
            Comparator.comparingLong(Due::time).thenComparingLong(Due::order));
    private long order;
    private long documents;

    void add(SyntheticHost host, long time, Dataset dataset, EventDocument doc) {
        queue.add(new Due(time, order++, host, dataset, doc, null));
        documents++;
    }

    void schedule(long time, Task task) {
        queue.add(new Due(time, order++, null, null, null, task));
    }

    Due next() {
        return queue.poll();
    }

    /** Documents planned so far. */
    long documents() {
        return documents;
    }
}
