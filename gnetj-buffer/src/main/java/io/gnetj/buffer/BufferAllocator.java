package io.gnetj.buffer;

/**
 * Where elastic buffers get their memory from and give it back to.
 *
 * <p>Two implementations exist: {@link BufferPool} (any thread) and {@link BufferCache} (one owner
 * thread, in front of a pool). Elastic buffers take an allocator at construction so that a buffer
 * living on an event loop goes through that loop's cache without knowing it.
 *
 * <p>Threading: as the implementation says; {@link BufferPool} is safe from any thread,
 * {@link BufferCache} only from its owner.
 */
public interface BufferAllocator {

    /**
     * Takes a direct buffer of at least {@code minCapacity} bytes.
     *
     * <p>The returned buffer's {@link PooledBuffer#buffer()} is cleared (position 0, limit =
     * capacity); its content is whatever the previous user left. The caller owns it until it
     * hands it to {@link #release(PooledBuffer)}, exactly once.
     * Any thread for a {@link BufferPool}; the owner thread only for a {@link BufferCache}.
     *
     * @param minCapacity bytes wanted, at least 1
     * @return a buffer whose capacity is {@code minCapacity} rounded up to the pool's size class
     * @throws IllegalArgumentException if {@code minCapacity} is not positive
     */
    PooledBuffer take(int minCapacity);

    /**
     * Gives a buffer back. After this call the caller must not touch the buffer or any view of it.
     * Any thread for a {@link BufferPool} (not only the taker's); the owner thread only for a
     * {@link BufferCache}.
     *
     * @param buffer a buffer taken from the same pool (directly or through one of its caches)
     * @throws IllegalStateException if the buffer was already released, or belongs to another pool
     */
    void release(PooledBuffer buffer);

    /** {@return the pool behind this allocator (itself, for a {@link BufferPool})} Any thread. */
    BufferPool pool();
}
