package io.gnetj.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;

/**
 * A ring buffer over one pooled chunk that grows (to the next power of two, copying the bytes
 * into a bigger chunk in order) when a write does not fit, and holds no memory when empty and
 * trimmed. A connection's inbound buffer.
 *
 * <pre>
 *   wrapped:      [ ###tail###  .......free.......  ####head#### ]
 *                   ^0          ^w                   ^r          ^capacity
 *   peek(n) gives up to two views: head = [r, capacity), tail = [0, w)
 * </pre>
 *
 * <p>Threading: one thread at a time. Views follow {@link ElasticBuffer}'s rules, plus
 * {@link #peekContiguous(int)} invalidates earlier views.
 */
public final class ElasticRingBuffer implements ElasticBuffer {

    /** An empty ring that takes memory from {@code allocator} on first write. */
    public ElasticRingBuffer(BufferAllocator allocator) { throw new UnsupportedOperationException("TODO"); }

    /**
     * A view of the first {@code min(n, buffered())} bytes as one contiguous span (a negative
     * {@code n} means all), straightening the ring in place (or into a larger chunk) if those bytes
     * wrap. The view is valid as {@link ElasticBuffer} describes for peek views; it is empty, not
     * null, when nothing is buffered.
     */
    public ByteBuffer peekContiguous(int n) { throw new UnsupportedOperationException("TODO"); }

    /** Capacity of the chunk held now (0 when none). */
    public int capacity() { throw new UnsupportedOperationException("TODO"); }

    @Override public int buffered() { throw new UnsupportedOperationException("TODO"); }
    @Override public boolean isEmpty() { throw new UnsupportedOperationException("TODO"); }
    @Override public void write(ByteBuffer src) { throw new UnsupportedOperationException("TODO"); }
    @Override public void write(byte[] src, int off, int len) { throw new UnsupportedOperationException("TODO"); }
    @Override public int readFrom(ReadableByteChannel ch, int maxBytes) throws IOException { throw new UnsupportedOperationException("TODO"); }
    @Override public long writeTo(GatheringByteChannel ch) throws IOException { throw new UnsupportedOperationException("TODO"); }
    @Override public int peek(int n, ByteBuffer[] views) { throw new UnsupportedOperationException("TODO"); }
    @Override public int discard(int n) { throw new UnsupportedOperationException("TODO"); }
    @Override public int read(ByteBuffer dst) { throw new UnsupportedOperationException("TODO"); }
    @Override public void trim() { throw new UnsupportedOperationException("TODO"); }
    @Override public void release() { throw new UnsupportedOperationException("TODO"); }
}
