package io.gnetj.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;

/**
 * An {@link ElasticRingBuffer} up to {@code ringCap} bytes that spills into a
 * {@link LinkedListBuffer} past it: small backlogs stay in one contiguous chunk, big ones grow
 * without copying. Bytes keep their order: once the list holds anything, new bytes go to the list
 * until both drain. A connection's outbound buffer.
 *
 * <p>Threading: one thread at a time.
 */
public final class ElasticMixedBuffer implements ElasticBuffer {

    /** An empty buffer: a ring of at most {@code ringCap} bytes, then list nodes of {@code nodeCapacity}. */
    public ElasticMixedBuffer(BufferAllocator allocator, int ringCap, int nodeCapacity) { throw new UnsupportedOperationException("TODO"); }

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
