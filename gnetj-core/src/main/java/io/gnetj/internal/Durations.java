package io.gnetj.internal;

import java.time.Duration;

/**
 * Durations as nanoseconds without overflow: a "forever" duration ({@code ChronoUnit.FOREVER},
 * {@code Duration.ofSeconds(Long.MAX_VALUE)}) saturates instead of throwing
 * {@link ArithmeticException}, and the cap leaves room to add it to {@code System.nanoTime()}.
 *
 * <p>Threading: stateless.
 */
public final class Durations {

    /** The longest duration counted: about 36,000 years, so {@code System.nanoTime() + it} cannot overflow in practice. */
    public static final long MAX_NANOS = Long.MAX_VALUE >> 2;

    private Durations() {
    }

    /** {@code d} in nanoseconds, at most {@link #MAX_NANOS}; negative durations count as zero. */
    public static long saturatedNanos(Duration d) {
        if (d.isNegative()) {
            return 0;
        }
        return d.compareTo(Duration.ofNanos(MAX_NANOS)) >= 0 ? MAX_NANOS : d.toNanos();
    }

    /** {@code d} in milliseconds, saturated as {@link #saturatedNanos}. */
    public static long saturatedMillis(Duration d) {
        return saturatedNanos(d) / 1_000_000L;
    }
}
