package io.gnetj.buffer;

import java.lang.ref.Reference;

/**
 * A small per-thread cache of free chunks in front of a {@link BufferPool}, owned by one thread
 * (in gnetj, one event loop) that creates it with {@link BufferPool#newCache()}. Not a
 * {@code ThreadLocal}: the owner holds it explicitly.
 *
 * <p>One bounded stack per size class ({@code cacheSizePerClass} chunks, default 16), plain
 * arrays and no atomics on the stacks. A take pops from the stack of its class, else falls back to
 * the pool's shared free list; a release pushes onto the stack if it has room (and the pool's
 * retained cap allows), else goes to the shared list. Cached chunks count as the pool's retained
 * bytes. Popped slots are nulled, so a lent handle is never referenced from here.
 *
 * <pre>
 *   stacks[class]: [ h0 | h1 | h2 | null | ... ]   sizes[class] = 3, pop/push at index sizes[class]
 * </pre>
 *
 * <p>A buffer taken through a cache may be released to the pool (from any thread), and a buffer
 * taken from the pool may be released to the cache of the same pool.
 *
 * <p>Threading: {@link #take} and {@link #release} from the owner thread only; {@link #close()}
 * from the owner, or from any thread once the owner has stopped (and that stop happened-before).
 */
public final class BufferCache implements BufferAllocator, AutoCloseable {

    private final BufferPool pool;
    private final PooledBuffer[][] stacks;
    private final int[] sizes;
    private final int perClass;
    /** Bytes taken through this cache and not yet released through it; written by the owner only. */
    private long inUseBytes;

    BufferCache(BufferPool pool) {
        this.pool = pool;
        this.perClass = pool.cacheSizePerClass();
        this.stacks = new PooledBuffer[pool.classCount()][perClass];
        this.sizes = new int[pool.classCount()];
    }

    /**
     * {@inheritDoc}
     *
     * <p>Owner thread only.
     */
    @Override
    public PooledBuffer take(int minCapacity) {
        int sizeClass = pool.classIndex(minCapacity);
        if (sizeClass >= 0) {
            int size = sizes[sizeClass];
            if (size > 0) {
                PooledBuffer[] stack = stacks[sizeClass];
                PooledBuffer buffer = stack[--size];
                stack[size] = null;
                sizes[sizeClass] = size;
                pool.addRetained(-buffer.capacity());
                inUseBytes += buffer.capacity();
                return pool.lend(buffer);
            }
        }
        PooledBuffer buffer = pool.take(minCapacity);
        inUseBytes += buffer.capacity();
        return buffer;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Owner thread only. To release from another thread, use {@link BufferPool#release}.
     */
    @Override
    public void release(PooledBuffer buffer) {
        pool.markReleased(buffer, this);
        inUseBytes -= buffer.capacity();
        if (buffer.isPooled()) {
            int sizeClass = buffer.sizeClass;
            int size = sizes[sizeClass];
            int capacity = buffer.capacity();
            if (size < perClass && pool.hasRoomFor(capacity)) {
                stacks[sizeClass][size] = buffer;
                sizes[sizeClass] = size + 1;
                pool.addRetained(capacity);
            } else {
                pool.offerShared(buffer);
            }
        }
        Reference.reachabilityFence(buffer);
    }

    @Override
    public BufferPool pool() {
        return pool;
    }

    /**
     * Bytes taken through this cache and not yet released through it: what the owner (in gnetj,
     * an event loop's connections) holds. Exact on the owner thread; a racy but safe reading on
     * others. A buffer taken here and released through the pool, or the other way round, skews it.
     */
    public long inUseBytes() {
        return inUseBytes;
    }

    /** Chunks held by this cache now (owner thread, or at quiescence). */
    public int cachedCount() {
        int total = 0;
        for (int size : sizes) {
            total += size;
        }
        return total;
    }

    /** Moves every cached chunk back to the pool's shared free lists. The cache stays usable. */
    @Override
    public void close() {
        for (int c = 0; c < stacks.length; c++) {
            PooledBuffer[] stack = stacks[c];
            for (int i = sizes[c] - 1; i >= 0; i--) {
                PooledBuffer buffer = stack[i];
                stack[i] = null;
                pool.addRetained(-buffer.capacity());
                pool.offerShared(buffer);
            }
            sizes[c] = 0;
        }
    }

    @Override
    public String toString() {
        return "BufferCache[" + cachedCount() + " chunks, " + pool + "]";
    }
}
