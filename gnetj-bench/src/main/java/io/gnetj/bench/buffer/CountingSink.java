package io.gnetj.bench.buffer;

import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

/**
 * A gathering channel that stands in for a socket in the buffer benchmarks: it takes up to
 * {@code maxPerWrite} bytes per call (everything, by default), moves the buffers' positions as a
 * real channel would, and only counts the bytes, so that the benchmarks measure the buffers and
 * not the kernel.
 *
 * <p>Threading: one thread at a time.
 */
final class CountingSink implements GatheringByteChannel {

    private final long maxPerWrite;
    private long total;

    /** A sink that takes everything offered. */
    CountingSink() {
        this(Long.MAX_VALUE);
    }

    /** A sink that takes at most {@code maxPerWrite} bytes per call, like a socket with a full send buffer. */
    CountingSink(long maxPerWrite) {
        this.maxPerWrite = maxPerWrite;
    }

    /** Bytes taken since creation. */
    long total() {
        return total;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        long left = maxPerWrite;
        long n = 0;
        for (int i = offset; i < offset + length && left > 0; i++) {
            ByteBuffer b = srcs[i];
            int k = (int) Math.min(b.remaining(), left);
            b.position(b.position() + k);
            n += k;
            left -= k;
        }
        total += n;
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs) {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public int write(ByteBuffer src) {
        int k = (int) Math.min(src.remaining(), maxPerWrite);
        src.position(src.position() + k);
        total += k;
        return k;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() {
    }
}
