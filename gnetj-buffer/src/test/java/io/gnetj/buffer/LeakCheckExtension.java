package io.gnetj.buffer;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class whose tests leaked pooled buffers: taken from a {@link BufferPool} and
 * garbage-collected without release.
 *
 * <p>Registered for JUnit's extension auto-detection through
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension} in gnetj-buffer's test-jar,
 * so every module whose tests depend on that test-jar (and run with
 * {@code junit.jupiter.extensions.autodetection.enabled=true}, as the parent pom sets) gets it
 * without annotations. The parent pom also runs tests with {@code -Dio.gnetj.leakDetection=paranoid},
 * so every take is tracked.
 *
 * <p>Before a class it notes {@link LeakDetector#totalLeaks()}; after all the class's tests it
 * nudges the garbage collector ({@value #GC_ROUNDS} rounds of {@link System#gc()} with a
 * {@value #GC_PAUSE_MILLIS} ms pause each, so the reference handler can enqueue cleared
 * references), calls {@link LeakDetector#collect()}, and fails the class if the count rose by
 * more than the leaks the class announced with {@link #expectLeaks(long)}. The leaks themselves
 * are logged at ERROR by {@link LeakDetector} with the stack of each take.
 *
 * <p>A leak is only found once the collector cleared the buffer, so a leak may go unnoticed when
 * the collector keeps it; the check never reports a leak that did not happen.
 *
 * <p>Threading: test classes are assumed to run one at a time (JUnit's default); the leak and
 * expected counts are JVM-wide, and a class is judged on how much each rose while it ran (nested
 * classes included).
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback {

    static final int GC_ROUNDS = 3;
    static final long GC_PAUSE_MILLIS = 20;

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(LeakCheckExtension.class);
    private static final String BASELINE = "totalLeaksBefore";
    private static final String EXPECTED_BASELINE = "expectedLeaksBefore";
    private static final AtomicLong EXPECTED = new AtomicLong();

    /**
     * Tells the check that the running test class leaked {@code leaks} buffers on purpose (a test
     * of the leak detector) and saw them reported, so they do not fail the class. Call it once
     * per leak batch, after {@link LeakDetector#collect()} reported them.
     */
    public static void expectLeaks(long leaks) {
        if (leaks < 0) {
            throw new IllegalArgumentException("leaks must not be negative: " + leaks);
        }
        EXPECTED.addAndGet(leaks);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put(EXPECTED_BASELINE, EXPECTED.get());
        context.getStore(NAMESPACE).put(BASELINE, LeakDetector.totalLeaks());
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        Long before = context.getStore(NAMESPACE).get(BASELINE, Long.class);
        Long expectedBefore = context.getStore(NAMESPACE).get(EXPECTED_BASELINE, Long.class);
        if (before == null || expectedBefore == null) {
            return;
        }
        for (int i = 0; i < GC_ROUNDS; i++) {
            System.gc();
            Thread.sleep(GC_PAUSE_MILLIS);
            LeakDetector.collect();
        }
        long leaked = LeakDetector.totalLeaks() - before;
        long expected = EXPECTED.get() - expectedBefore;
        if (leaked > expected) {
            throw new AssertionError(context.getDisplayName() + " leaked " + (leaked - expected)
                    + " pooled buffer(s): taken and dropped without release (see the LEAK errors logged"
                    + " by io.gnetj.buffer.LeakDetector for where they were taken)");
        }
    }
}
