package io.gnetj.bench.e2e;

/**
 * A log-linear histogram of non-negative longs (nanoseconds here): exact below 128, then 64
 * equal buckets per power of two, so any recorded value is reported within 1/64 (1.6 %) of
 * itself. Recording is one array increment, with no allocation.
 *
 * <pre>
 * value:   0 .. 127 | 128 .. 255 (step 2) | 256 .. 511 (step 4) | ... | 2^k .. 2^(k+1)-1 (step 2^(k-6))
 * index:   0 .. 127 | 128 .. 191          | 192 .. 255          | ... | 64 (k-5) .. 64 (k-5) + 63
 * </pre>
 *
 * <p>Threading: one thread records; read it after recording stops.
 */
final class LatencyHistogram {

    private static final int SUB_BITS = 6;
    private static final int SUB_COUNT = 1 << SUB_BITS;

    private final long[] counts = new long[SUB_COUNT * 60];
    private long total;
    private long max;

    void record(long value) {
        if (value < 0) {
            value = 0;
        }
        counts[index(value)]++;
        total++;
        if (value > max) {
            max = value;
        }
    }

    long count() {
        return total;
    }

    long max() {
        return max;
    }

    /** The value at quantile {@code q} (0..1): the upper edge of the bucket holding it. */
    long quantile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        if (rank < 1) {
            rank = 1;
        }
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(upperEdge(i), max);
            }
        }
        return max;
    }

    static int index(long value) {
        if (value < 2 * SUB_COUNT) {
            return (int) value;
        }
        int shift = 63 - Long.numberOfLeadingZeros(value) - SUB_BITS;
        return shift * SUB_COUNT + (int) (value >>> shift);
    }

    static long upperEdge(int index) {
        if (index < 2 * SUB_COUNT) {
            return index;
        }
        int shift = index / SUB_COUNT - 1;
        long sub = index % SUB_COUNT + SUB_COUNT;
        return ((sub + 1) << shift) - 1;
    }
}
