package io.gnetj.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;

/**
 * A queue of pooled chunks (nodes): writes fill the last node and append new ones, reads and
 * writes to a channel consume from the first, and {@link #writeTo} hands up to
 * {@link ElasticBuffer#MAX_GATHER} nodes to one gathering write. Never copies to grow.
 *
 * <p>Ownership: each node's chunk belongs to this buffer from the moment it is appended until it
 * is consumed and returned to the pool by {@link #writeTo}, {@link #trim} or {@link #release}.
 *
 * <p>Threading: one thread at a time.
 */
public final class LinkedListBuffer implements ElasticBuffer {

    /** An empty list whose nodes are chunks of {@code nodeCapacity} bytes from {@code allocator}. */
    public LinkedListBuffer(BufferAllocator allocator, int nodeCapacity) { throw new UnsupportedOperationException("TODO"); }

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
