package io.gnetj.buffer;

import java.nio.ByteBuffer;

/**
 * One chunk of pooled direct memory and its bookkeeping: the unit a {@link BufferPool} lends.
 *
 * <p>Ownership: whoever took it from a {@link BufferAllocator} owns it until it passes it to
 * {@link BufferAllocator#release}, exactly once; after that neither the handle nor its
 * {@link #buffer()} or {@link #view()} may be touched. A pool recycles the handle together with
 * its memory, so holding on to a released handle is a use-after-free bug that may read another
 * owner's bytes.
 *
 * <p>Threading: the owner's thread; release is safe from any thread through {@link BufferPool}.
 */
public final class PooledBuffer {
    // Implemented in gnetj-buffer; fields are the pool's business.

    /** The memory: a direct buffer of {@link #capacity()} bytes. Position and limit are the owner's to use. */
    public ByteBuffer buffer() { throw new UnsupportedOperationException("TODO"); }

    /**
     * A second {@link ByteBuffer} over the same memory (independent position and limit), created on
     * first use and kept for the chunk's life, for owners that need two windows at once (a ring
     * buffer's wrapped segments) without allocating.
     */
    public ByteBuffer view() { throw new UnsupportedOperationException("TODO"); }

    /** Size of the chunk in bytes (a power of two for pooled sizes). */
    public int capacity() { throw new UnsupportedOperationException("TODO"); }

    /** The pool this chunk belongs to. */
    public BufferPool pool() { throw new UnsupportedOperationException("TODO"); }
}
