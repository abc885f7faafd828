package io.gnetj.bench.buffer;

import io.gnetj.buffer.BufferPool;
import io.gnetj.buffer.LeakDetector;

/** The gnetj pool every buffer benchmark uses: defaults, leak detection off (the fast path). */
final class BenchPools {

    private BenchPools() {
    }

    static BufferPool gnetjPool() {
        return BufferPool.builder().leakDetection(LeakDetector.Level.DISABLED).build();
    }
}
