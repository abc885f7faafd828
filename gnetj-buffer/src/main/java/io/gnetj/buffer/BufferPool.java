package io.gnetj.buffer;

/**
 * A pool of direct {@link java.nio.ByteBuffer}s in power-of-two size classes.
 *
 * <pre>
 *   owner thread ──► BufferCache (small, per class, no atomics) ──┐
 *   any thread   ──────────────────────────────────────────────────┴─► shared free list per class
 *                                                                        (JCTools MPMC queue)
 * </pre>
 *
 * <p>Requests above {@code maxPooledCapacity} are served with unpooled direct buffers that are
 * dropped on release. The pool retains at most {@code maxRetainedBytes} of idle memory; a release
 * beyond that drops the chunk for the garbage collector.
 *
 * <p>Threading: every method is safe from any thread and lock-free.
 */
public final class BufferPool implements BufferAllocator {

    /** A new builder with the defaults. */
    public static Builder builder() { throw new UnsupportedOperationException("TODO"); }

    /** A pool with every default. */
    public static BufferPool create() { throw new UnsupportedOperationException("TODO"); }

    @Override
    public PooledBuffer take(int minCapacity) { throw new UnsupportedOperationException("TODO"); }

    @Override
    public void release(PooledBuffer buffer) { throw new UnsupportedOperationException("TODO"); }

    @Override
    public BufferPool pool() { throw new UnsupportedOperationException("TODO"); }

    /** A cache for the calling thread to own; see {@link BufferCache}. */
    public BufferCache newCache() { throw new UnsupportedOperationException("TODO"); }

    /** The capacity a request of {@code minCapacity} bytes is rounded up to. */
    public int sizeClassOf(int minCapacity) { throw new UnsupportedOperationException("TODO"); }

    /** Bytes of direct memory currently lent out (taken and not yet released). */
    public long inUseBytes() { throw new UnsupportedOperationException("TODO"); }

    /** Buffers currently lent out. */
    public long inUseCount() { throw new UnsupportedOperationException("TODO"); }

    /** Bytes of idle memory held for reuse (shared free lists plus caches). */
    public long retainedBytes() { throw new UnsupportedOperationException("TODO"); }

    /** Total bytes of direct memory this pool has ever allocated (monotonic). */
    public long allocatedBytes() { throw new UnsupportedOperationException("TODO"); }

    /** This pool's leak detector. */
    public LeakDetector leakDetector() { throw new UnsupportedOperationException("TODO"); }

    /** Builds a {@link BufferPool}. Not thread-safe. */
    public static final class Builder {
        /** Smallest size class (power of two); default 256 bytes. */
        public Builder minCapacity(int bytes) { throw new UnsupportedOperationException("TODO"); }
        /** Largest pooled size class (power of two); larger requests are unpooled. Default 4 MiB. */
        public Builder maxPooledCapacity(int bytes) { throw new UnsupportedOperationException("TODO"); }
        /** Cap on idle bytes the pool keeps; default 64 MiB. */
        public Builder maxRetainedBytes(long bytes) { throw new UnsupportedOperationException("TODO"); }
        /** Chunks each {@link BufferCache} keeps per size class; default 16. */
        public Builder cacheSizePerClass(int chunks) { throw new UnsupportedOperationException("TODO"); }
        /** Leak detection level; default from the system property {@code io.gnetj.leakDetection}, else SAMPLED. */
        public Builder leakDetection(LeakDetector.Level level) { throw new UnsupportedOperationException("TODO"); }
        /** The pool. */
        public BufferPool build() { throw new UnsupportedOperationException("TODO"); }
    }
}
