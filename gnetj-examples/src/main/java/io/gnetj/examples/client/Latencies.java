package io.gnetj.examples.client;

import java.util.Arrays;
import java.util.Locale;

/**
 * Round-trip times collected by one thread, summarised as min, median (p50), p90, p99, p99.9 and
 * max (nearest-rank percentiles: the smallest sample with at least that share of the samples at
 * or below it, no interpolation).
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
        return percentile(sorted(), p);
    }

    /** {@code min 41.2 us, p50 57.9 us, p90 70.1 us, p99 160.3 us, p99.9 170.0 us, max 170.0 us}. */
    public String summary() {
        long[] sorted = sorted();
        return "min " + micros(sorted[0]) + ", p50 " + micros(percentile(sorted, 50)) + ", p90 "
                + micros(percentile(sorted, 90)) + ", p99 " + micros(percentile(sorted, 99)) + ", p99.9 "
                + micros(percentile(sorted, 99.9)) + ", max " + micros(sorted[size - 1]);
    }

    private long[] sorted() {
        if (size == 0) {
            throw new IllegalStateException("no round trips recorded");
        }
        long[] sorted = Arrays.copyOf(nanos, size);
        Arrays.sort(sorted);
        return sorted;
    }

    private static long percentile(long[] sorted, double p) {
        // The tiny slack keeps p99.9 of 1,000 samples at rank 999: 99.9 / 100 * 1000 is 999.0000000000001.
        int rank = (int) Math.ceil(p / 100.0 * sorted.length - 1e-9);
        return sorted[Math.max(rank, 1) - 1];
    }

    /** {@code nanos} as microseconds with one decimal: {@code 57.9 us}. */
    public static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.1f us", nanos / 1000.0);
    }
}
