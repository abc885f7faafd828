package io.gnetj.buffer;

/**
 * Finds pooled buffers that became unreachable without being released, and reports where they
 * were taken.
 *
 * <p>Tracked buffers (every one at {@link Level#PARANOID}, about one in 128 at
 * {@link Level#SAMPLED}) carry a weak reference and the stack trace of their {@code take}. When
 * the garbage collector clears one that was never released, the next {@link #collect()} (run by
 * the pools on take, or by anyone) logs it through {@link System.Logger} at ERROR and counts it.
 *
 * <p>Threading: any thread.
 */
public final class LeakDetector {

    /** How many buffers are tracked. */
    public enum Level {
        /** None: no cost. */
        DISABLED,
        /** About one buffer in 128: the production default. */
        SAMPLED,
        /** Every buffer: for tests. */
        PARANOID;

        /** Parses {@code disabled}, {@code sampled} or {@code paranoid}, ignoring case. */
        public static Level parse(String name) { throw new UnsupportedOperationException("TODO"); }
    }

    /** The level a pool gets by default: system property {@code io.gnetj.leakDetection}, else SAMPLED. */
    public static Level defaultLevel() { throw new UnsupportedOperationException("TODO"); }

    /** Reports every leak found since the last call (in any pool); returns how many were found now. */
    public static int collect() { throw new UnsupportedOperationException("TODO"); }

    /** Leaks reported so far in this JVM, by every pool. */
    public static long totalLeaks() { throw new UnsupportedOperationException("TODO"); }

    /** This detector's level. */
    public Level level() { throw new UnsupportedOperationException("TODO"); }
}
