package io.gnetj.buffer;

import java.util.List;

/**
 * A snapshot of a {@link BufferPool}'s figures ({@link BufferPool#metrics()}): the direct memory
 * it lends and keeps, what it has allocated, and how often the per-thread caches in front of it
 * (one per gnetj event loop) served a take without touching the shared free lists.
 *
 * <p>Threading: immutable; any thread.
 *
 * @param usedBytes       bytes lent out now (taken, not yet released)
 * @param usedBuffers     buffers lent out now
 * @param retainedBytes   idle bytes kept for reuse now: shared free lists and every cache's stacks
 * @param maxRetainedBytes the cap on {@code retainedBytes}
 * @param allocatedBytes  direct memory ever allocated (monotonic)
 * @param allocations     chunks ever allocated (monotonic): a take the pool could not serve from memory it kept
 * @param cacheHits       takes through a cache served from its own stacks (monotonic)
 * @param cacheMisses     takes through a cache that went to the pool (monotonic)
 * @param openCaches      caches open now (a gnetj event loop keeps one)
 * @param sizeClasses     each pooled size class, smallest first, with its shared free list now
 */
public record BufferPoolMetrics(long usedBytes, long usedBuffers, long retainedBytes, long maxRetainedBytes,
                                long allocatedBytes, long allocations, long cacheHits, long cacheMisses,
                                int openCaches, List<SizeClass> sizeClasses) {

    /** {@return the share of cache takes served from the cache, 0 to 1 (0 before any take)} Any thread. */
    public double cacheHitRatio() {
        long takes = cacheHits + cacheMisses;
        return takes == 0 ? 0 : (double) cacheHits / takes;
    }

    /**
     * One size class and the chunks its shared free list holds (chunks on caches' stacks are in
     * {@link BufferPoolMetrics#retainedBytes()} only).
     *
     * <p>Threading: immutable; any thread.
     *
     * @param capacity   the class's chunk size in bytes
     * @param freeChunks chunks on the class's shared free list now
     */
    public record SizeClass(int capacity, int freeChunks) {

        /** {@return the bytes on the class's shared free list} Any thread. */
        public long freeBytes() {
            return (long) capacity * freeChunks;
        }
    }
}
