package org.fleetrec.web.bench;

import java.util.Arrays;

/** Latencies of one kind of request, in milliseconds, and their nearest-rank percentiles. */
final class LatencyStats {
    private double[] millis = new double[256];
    private int count;

    void add(double value) {
        if (count == millis.length) millis = Arrays.copyOf(millis, count * 2);
        millis[count++] = value;
    }

    void addAll(LatencyStats other) {
        for (int i = 0; i < other.count; i++) add(other.millis[i]);
    }

    int count() {
        return count;
    }

    /** The smallest value with at least {@code fraction} of all values at or below it; NaN when empty. */
    double percentile(double fraction) {
        if (count == 0) return Double.NaN;
        double[] sorted = Arrays.copyOf(millis, count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(fraction * count);
        return sorted[Math.max(0, Math.min(count, rank) - 1)];
    }

    double max() {
        return percentile(1.0);
    }
}
