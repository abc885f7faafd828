package io.gnetj.internal;

import io.gnetj.Options;

/**
 * How many sweep ticks each timeout of a connection lasts, worked out once per loop from the
 * {@link Options} and the loop's sweep interval.
 *
 * <p>A connection counts ticks instead of reading the clock, so the hot path never calls
 * {@code System.nanoTime()} and there is no timer object per connection. Each limit is one tick
 * more than the quotient, so a connection is never closed before its full timeout; a timeout too
 * long to count in ticks (a "forever" duration) saturates at {@link Integer#MAX_VALUE} ticks,
 * which at the longest interval (one second) is over 68 years.
 *
 * <p>Threading: immutable.
 *
 * @param idle      ticks without traffic before an open connection is idle ({@code idleTimeout})
 * @param readIdle  ticks without reads before it is read-idle ({@code readIdleTimeout})
 * @param writeIdle ticks without writes to the socket before it is write-idle ({@code writeIdleTimeout})
 * @param close     ticks a closing connection may take ({@code closeTimeout})
 * @param connect   ticks a dial may take ({@code connectTimeout})
 * @param handshake ticks a TLS handshake may take
 */
record SweepLimits(int idle, int readIdle, int writeIdle, int close, int connect, int handshake) {

    /** The longest sweep interval. */
    static final long MAX_INTERVAL_NANOS = 1_000_000_000L;
    /** The shortest sweep interval. */
    static final long MIN_INTERVAL_NANOS = 10_000_000L;

    /** A quarter of the shortest timeout, between {@link #MIN_INTERVAL_NANOS} and {@link #MAX_INTERVAL_NANOS}. */
    static long intervalNanos(Options options) {
        long interval = MAX_INTERVAL_NANOS;
        interval = quarterOf(options.idleTimeout(), interval);
        interval = quarterOf(options.readIdleTimeout(), interval);
        interval = quarterOf(options.writeIdleTimeout(), interval);
        interval = quarterOf(options.closeTimeout(), interval);
        interval = quarterOf(options.connectTimeout(), interval);
        if (options.tls() != null) {
            interval = quarterOf(options.tls().handshakeTimeout(), interval);
        }
        return Math.max(MIN_INTERVAL_NANOS, interval);
    }

    private static long quarterOf(java.time.Duration timeout, long interval) {
        long nanos = Durations.saturatedNanos(timeout);
        return nanos > 0 ? Math.min(interval, nanos / 4) : interval;
    }

    /** The limits for sweeps every {@code intervalNanos}. */
    static SweepLimits of(Options options, long intervalNanos) {
        int handshake = options.tls() == null ? Integer.MAX_VALUE : ticks(options.tls().handshakeTimeout(), intervalNanos);
        return new SweepLimits(ticks(options.idleTimeout(), intervalNanos), ticks(options.readIdleTimeout(), intervalNanos),
                ticks(options.writeIdleTimeout(), intervalNanos), ticks(options.closeTimeout(), intervalNanos),
                ticks(options.connectTimeout(), intervalNanos), handshake);
    }

    /** Ticks for {@code timeout}: zero (off) and anything too long to count mean never. */
    static int ticks(java.time.Duration timeout, long intervalNanos) {
        long nanos = Durations.saturatedNanos(timeout);
        if (nanos == 0) {
            return Integer.MAX_VALUE;
        }
        long whole = nanos / intervalNanos + (nanos % intervalNanos == 0 ? 0 : 1);
        return (int) Math.min(Integer.MAX_VALUE, whole + 1);
    }
}
