package io.gnetj.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A channel for the byte stores' contract tests: each read returns the next scripted chunk (as
 * much of it as fits; the rest stays for the next read), or 0 when the script is empty, or -1
 * after {@link #end()}; each write takes at most {@link #accept} bytes and records them.
 *
 * <p>Threading: one thread.
 */
final class ScriptedChannel implements ReadableByteChannel, GatheringByteChannel {
    private final Deque<ByteBuffer> script = new ArrayDeque<>();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private boolean ended;
    /** Most bytes one write call takes. */
    int accept = Integer.MAX_VALUE;
    int reads;

    ScriptedChannel arrive(byte[] bytes) {
        script.add(ByteBuffer.wrap(bytes));
        return this;
    }

    void end() {
        ended = true;
    }

    byte[] written() {
        return written.toByteArray();
    }

    int writtenCount() {
        return written.size();
    }

    @Override
    public int read(ByteBuffer dst) {
        reads++;
        ByteBuffer next = script.peek();
        if (next == null) {
            return ended ? -1 : 0;
        }
        int n = Math.min(next.remaining(), dst.remaining());
        ByteBuffer part = next.duplicate();
        part.limit(part.position() + n);
        dst.put(part);
        next.position(next.position() + n);
        if (!next.hasRemaining()) {
            script.poll();
        }
        return n;
    }

    @Override
    public int write(ByteBuffer src) {
        int n = Math.min(src.remaining(), accept);
        for (int i = 0; i < n; i++) {
            written.write(src.get());
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        long total = 0;
        for (int i = offset; i < offset + length && total < accept; i++) {
            int budget = (int) Math.min(Integer.MAX_VALUE, accept - total);
            ByteBuffer src = srcs[i];
            int before = src.remaining();
            ByteBuffer limited = src.duplicate();
            limited.limit(limited.position() + Math.min(before, budget));
            total += write(limited);
            src.position(limited.position());
        }
        return total;
    }

    @Override
    public long write(ByteBuffer[] srcs) {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() {
    }
}
