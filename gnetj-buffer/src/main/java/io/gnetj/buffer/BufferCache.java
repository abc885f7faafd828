package io.gnetj.buffer;

/**
 * A small per-thread cache of free chunks in front of a {@link BufferPool}, owned by one thread
 * (in gnetj, one event loop) that creates it with {@link BufferPool#newCache()}. Not a
 * {@code ThreadLocal}: the owner holds it explicitly.
 *
 * <p>Threading: {@link #take} and {@link #release} from the owner thread only; {@link #close()}
 * from the owner, or from any thread once the owner has stopped.
 */
public final class BufferCache implements BufferAllocator, AutoCloseable {

    @Override
    public PooledBuffer take(int minCapacity) { throw new UnsupportedOperationException("TODO"); }

    @Override
    public void release(PooledBuffer buffer) { throw new UnsupportedOperationException("TODO"); }

    @Override
    public BufferPool pool() { throw new UnsupportedOperationException("TODO"); }

    /** Moves every cached chunk back to the pool's shared free lists. The cache stays usable. */
    @Override
    public void close() { throw new UnsupportedOperationException("TODO"); }
}
