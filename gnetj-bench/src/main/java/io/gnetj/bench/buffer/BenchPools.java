package io.gnetj.bench.buffer;

import io.gnetj.buffer.BufferPool;
import io.gnetj.buffer.LeakDetector;

/** The gnetj pools the buffer benchmarks use: defaults, leak detection off (the fast path) unless a benchmark asks. */
final class BenchPools {

    private BenchPools() {
    }

    static BufferPool gnetjPool() {
        return BufferPool.builder().leakDetection(LeakDetector.Level.DISABLED).build();
    }

    /**
     * A pool with the defaults at a leak detection level named as in a JMH parameter:
     * {@code default} is the level a pool gets with nothing configured
     * ({@link LeakDetector#defaultLevel()}), any other name is parsed ({@code disabled}, ...).
     */
    static BufferPool gnetjPool(String leak) {
        LeakDetector.Level level = "default".equals(leak) ? LeakDetector.defaultLevel() : LeakDetector.Level.parse(leak);
        return BufferPool.builder().leakDetection(level).build();
    }
}
