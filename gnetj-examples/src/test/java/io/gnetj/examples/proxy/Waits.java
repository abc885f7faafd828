package io.gnetj.examples.proxy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Bounded waits of the proxy tests: poll a condition, fail naming what was awaited.
 *
 * <p>Threading: stateless; any thread.
 */
final class Waits {

    /** The most any single step of a proxy test may take. */
    static final Duration BOUND = Duration.ofSeconds(60);

    private Waits() {
    }

    /** Polls {@code condition} until true, or fails after {@link #BOUND} with {@code what}. */
    static void until(String what, BooleanSupplier condition) {
        until(what, BOUND, condition);
    }

    /** Polls {@code condition} until true, or fails after {@code bound} with {@code what}. */
    static void until(String what, Duration bound, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + bound.toMillis() + " ms waiting for: " + what);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
        }
    }
}
