package io.gnetj.buffer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;

/**
 * An in-memory channel for tests: writes land in {@link #written()}, at most {@link #writeLimit}
 * bytes per call (so partial writes happen); reads come from bytes fed with {@link #feed}, at most
 * {@link #readLimit} per call. Records the largest gather length seen.
 */
final class MemoryChannel implements GatheringByteChannel, ScatteringByteChannel {

    int writeLimit = Integer.MAX_VALUE;
    int readLimit = Integer.MAX_VALUE;
    int maxGatherSeen;
    int writeCalls;
    /** Calls of the single-buffer {@code write(ByteBuffer)}; they also count in {@link #writeCalls}. */
    int plainWriteCalls;
    /** Bytes offered by the buffers of the last gathering write. */
    long lastOffered;
    boolean endOfStream;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private byte[] in = new byte[0];
    private int inPos;

    byte[] written() {
        return out.toByteArray();
    }

    void clearWritten() {
        out.reset();
    }

    void feed(byte[] bytes) {
        byte[] rest = new byte[in.length - inPos + bytes.length];
        System.arraycopy(in, inPos, rest, 0, in.length - inPos);
        System.arraycopy(bytes, 0, rest, in.length - inPos, bytes.length);
        in = rest;
        inPos = 0;
    }

    int unread() {
        return in.length - inPos;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        writeCalls++;
        maxGatherSeen = Math.max(maxGatherSeen, length);
        lastOffered = 0;
        for (int i = offset; i < offset + length; i++) {
            lastOffered += srcs[i].remaining();
        }
        long budget = writeLimit;
        long total = 0;
        for (int i = offset; i < offset + length && budget > 0; i++) {
            ByteBuffer src = srcs[i];
            int k = (int) Math.min(budget, src.remaining());
            for (int j = 0; j < k; j++) {
                out.write(src.get());
            }
            budget -= k;
            total += k;
        }
        return total;
    }

    @Override
    public long write(ByteBuffer[] srcs) {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public int write(ByteBuffer src) {
        plainWriteCalls++;
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) {
        if (unread() == 0) {
            return endOfStream ? -1 : 0;
        }
        long budget = readLimit;
        long total = 0;
        for (int i = offset; i < offset + length && budget > 0 && unread() > 0; i++) {
            ByteBuffer dst = dsts[i];
            int k = (int) Math.min(Math.min(budget, dst.remaining()), unread());
            dst.put(in, inPos, k);
            inPos += k;
            budget -= k;
            total += k;
        }
        return total;
    }

    @Override
    public long read(ByteBuffer[] dsts) {
        return read(dsts, 0, dsts.length);
    }

    @Override
    public int read(ByteBuffer dst) {
        return (int) read(new ByteBuffer[] {dst}, 0, 1);
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() {
    }
}
