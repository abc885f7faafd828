package io.gnetj.internal;

import io.gnetj.buffer.ElasticRingBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * A stream connection's received bytes, from one of two places at a time: "fresh" bytes still in
 * the loop's shared read buffer (lent to the handler without a copy), or the connection's own
 * {@link ElasticRingBuffer} (for what a handler left unconsumed).
 *
 * <pre>
 *   ring empty:  socket ──read──► loop.readBuffer [freshPos, freshLimit) ──leftover──► ring
 *   ring busy:   socket ──read──► ring
 * </pre>
 *
 * <p>While the ring holds bytes, reads go straight into it, so the handler always reads from one
 * contiguous source; fresh bytes exist only between a read and the end of that callback, when
 * {@link #keepLeftover()} moves what is left into the ring. An idle connection holds no buffer
 * memory: an empty ring is trimmed back to the loop's cache.
 *
 * <p>Views follow {@link io.gnetj.Conn}'s rules: valid until the callback returns or the next
 * {@code next}/{@code peek}/{@code read}/{@code discard}. The ring never returns memory on
 * {@code discard}, so a view taken by {@code next} stays valid while the handler uses it.
 *
 * <p>Threading: the owning loop's thread only.
 */
final class InboundBytes {
    /** What {@link #peek} returns when nothing is buffered: zero capacity, so immutable and shareable. */
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);

    private final EventLoop loop;
    /** Made the first time a handler leaves bytes unconsumed; {@code null} until then. */
    private ElasticRingBuffer ring;
    private int freshPos;
    private int freshLimit;

    InboundBytes(EventLoop loop) {
        this.loop = loop;
    }

    /** Whether the connection's own ring holds bytes (reads then go into it). */
    boolean ringBusy() {
        return ring != null && !ring.isEmpty();
    }

    /** Bytes held in the ring (what counts towards the inbound cap). */
    int ringBuffered() {
        return ring == null ? 0 : ring.buffered();
    }

    /** Reads once from {@code channel} into the loop's read buffer and lends what came as fresh bytes. */
    int readFresh(ReadableByteChannel channel) throws IOException {
        ByteBuffer buffer = loop.readBuffer();
        buffer.clear();
        int n = channel.read(buffer);
        if (n > 0) {
            lendFresh(0, n);
        }
        return n;
    }

    /** Lends {@code [pos, limit)} of the loop's read buffer to the handler as fresh bytes. */
    void lendFresh(int pos, int limit) {
        freshPos = pos;
        freshLimit = limit;
    }

    /** Reads once from {@code channel} straight into the ring, at most {@code maxBytes}. */
    int readIntoRing(ReadableByteChannel channel, int maxBytes) throws IOException {
        return ring().readFrom(channel, maxBytes);
    }

    /** Appends bytes to the ring (TLS plaintext that cannot be lent from the read buffer). */
    void append(ByteBuffer bytes) {
        ring().write(bytes);
    }

    /** After a callback: copies unconsumed fresh bytes into the ring, or trims an empty ring. */
    void keepLeftover() {
        if (freshPos < freshLimit) {
            ByteBuffer buffer = loop.readBuffer();
            buffer.limit(freshLimit).position(freshPos);
            ring().write(buffer);
        } else if (ring != null && ring.isEmpty()) {
            ring.trim();
        }
        freshPos = 0;
        freshLimit = 0;
    }

    /** Drops everything and gives the ring's memory back. */
    void release() {
        if (ring != null) {
            ring.release();
        }
        freshPos = 0;
        freshLimit = 0;
    }

    int buffered() {
        return ringBuffered() + (freshLimit - freshPos);
    }

    ByteBuffer next(int n) {
        ByteBuffer view = peek(n);
        int len = view.remaining();
        if (freshLimit > freshPos) {
            freshPos += len;
        } else if (len > 0) {
            ring.discard(len);
        }
        return view;
    }

    ByteBuffer peek(int n) {
        int fresh = freshLimit - freshPos;
        if (fresh > 0) {
            int len = n < 0 ? fresh : Math.min(n, fresh);
            ByteBuffer view = loop.readView();
            view.limit(freshPos + len).position(freshPos);
            return view;
        }
        return ring == null ? EMPTY : ring.peekContiguous(n);
    }

    int discard(int n) {
        int fresh = freshLimit - freshPos;
        if (fresh > 0) {
            int len = n < 0 ? fresh : Math.min(n, fresh);
            freshPos += len;
            return len;
        }
        return ring == null ? 0 : ring.discard(n < 0 ? Integer.MAX_VALUE : n);
    }

    int read(ByteBuffer dst) {
        int fresh = freshLimit - freshPos;
        if (fresh > 0) {
            int len = Math.min(fresh, dst.remaining());
            ByteBuffer view = loop.readView();
            view.limit(freshPos + len).position(freshPos);
            dst.put(view);
            freshPos += len;
            return len;
        }
        return ring == null ? 0 : ring.read(dst);
    }

    private ElasticRingBuffer ring() {
        ElasticRingBuffer r = ring;
        if (r == null) {
            r = new ElasticRingBuffer(loop.cache());
            ring = r;
        }
        return r;
    }
}
