package io.gnetj.examples.client;

import java.util.Arrays;
import java.util.Locale;

/**
 * Round-trip times collected by one thread, summarised as min, median, 99th percentile and max
 * (nearest-rank percentiles: the value below which that share of the samples lie, no
 * interpolation).
 *
 * <p>Threading: not thread-safe; one thread records and summarises.
 */
public final class Latencies {

    private long[] nanos = new long[16];
    private int size;

    /** Adds one round trip of {@code nanos}. */
    public void add(long nanos) {
        if (size == this.nanos.length) {
            this.nanos = Arrays.copyOf(this.nanos, size * 2);
        }
        this.nanos[size++] = nanos;
    }

    /** Round trips recorded. */
    public int count() {
        return size;
    }

    /**
     * The nearest-rank percentile {@code p} (0 < p <= 100) in nanoseconds: the smallest sample
     * with at least {@code p}% of the samples at or below it.
     *
     * @throws IllegalStateException if nothing was recorded
     */
    public long percentile(double p) {
        if (size == 0) {
            throw new IllegalStateException("no round trips recorded");
        }
        long[] sorted = Arrays.copyOf(nanos, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(rank, 1) - 1];
    }

    /** {@code min 41.2 us, median 57.9 us, p99 160.3 us, max 160.3 us}. */
    public String summary() {
        return "min " + micros(percentile(0)) + ", median " + micros(percentile(50)) + ", p99 "
                + micros(percentile(99)) + ", max " + micros(percentile(100));
    }

    /** {@code nanos} as microseconds with one decimal: {@code 57.9 us}. */
    public static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.1f us", nanos / 1000.0);
    }
}
