package io.gnetj.internal;

import io.gnetj.buffer.ElasticRingBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * A stream connection's received bytes, from one of two places at a time: "fresh" bytes still in
 * the loop's shared read buffer (lent to the handler without a copy), or the connection's own
 * {@link ElasticRingBuffer} (what a handler left unconsumed).
 *
 * <pre>
 *   ring empty:  socket ──read──► loop read buffer [freshPos, freshLimit) ──leftover──► ring
 *   ring busy:   socket ──read──► ring, if it has {@link #DIRECT_READ_MIN_FREE} free bytes
 *                socket ──read──► loop read buffer ──append what came──► ring   otherwise
 * </pre>
 *
 * <h2>Memory: bounded by what is buffered</h2>
 * The ring only ever grows by bytes that actually arrived: a read never asks the ring for more
 * room than it has (a read of up to 64 KiB into a ring holding 7 bytes used to grow it to 128 KiB
 * and keep it there, so 4,000 clients each sending a few bytes of a frame pinned 524 MiB). After
 * every callback an empty ring gives its chunk back and a ring more than twice the size its bytes
 * need moves them to a smaller chunk, so at rest the ring's chunk is at most
 * {@code max(256, 2 × buffered)} bytes (the pool's smallest class is 256 bytes).
 *
 * <h2>Views</h2>
 * Views follow {@link io.gnetj.Conn}'s rules: valid until the callback returns or the next
 * {@code next}/{@code peek}/{@code read}/{@code discard}. They are read-only, so code that gets
 * one (an {@code asyncWrite} handed a view, say) can tell the memory is gnetj's and not its own.
 * The ring never returns memory on {@code discard}, so a view taken by {@code next} stays valid
 * while the handler uses it; trimming happens in {@link #afterCallback()}, once the views are dead.
 * Fresh bytes stay in the loop's read buffer until the next read into it, whatever a callback
 * does: that is what lets a connection write a fresh view back without a copy (see
 * {@link StreamConn}), as long as it sends or copies it before its callback's
 * {@code afterCallback}.
 *
 * <p>Passive: reports counts and never calls the connection. Threading: the owning loop's thread.
 */
final class InboundBytes {

    /**
     * Free room a busy ring needs to be read into directly; with less, the read goes through the
     * loop's read buffer and only what came is appended. Big frames thus stream straight into the
     * ring without a copy, while a ring holding a few bytes never grows for a read that brings few.
     */
    static final int DIRECT_READ_MIN_FREE = 8 * 1024;

    /** What {@link #peek} returns when nothing is buffered: zero capacity, so immutable and shareable. */
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0).asReadOnlyBuffer();

    private final LoopBuffers shared;
    /** Where the read syscalls are counted: the loop's counters. */
    private final LoopCounters counters;
    /** Made the first time a handler leaves bytes unconsumed; {@code null} until then. */
    private ElasticRingBuffer ring;
    private int freshPos;
    private int freshLimit;

    InboundBytes(LoopBuffers shared) {
        this(shared, new LoopCounters()); // outside a loop (tests): counts into its own
    }

    InboundBytes(LoopBuffers shared, LoopCounters counters) {
        this.counters = counters;
        this.shared = shared;
    }

    /** Whether the connection's own ring holds bytes (new bytes then join them there). */
    boolean ringBusy() {
        return ring != null && !ring.isEmpty();
    }

    /** Bytes held in the ring (what counts towards the inbound cap). */
    int ringBuffered() {
        return ring == null ? 0 : ring.buffered();
    }

    /** Pooled bytes this connection holds for inbound data. */
    int heldBytes() {
        return ring == null ? 0 : ring.capacity();
    }

    /**
     * One read from {@code channel} of at most {@code maxBytes} (at least 1). With the ring empty
     * the bytes are lent fresh from the loop's read buffer; otherwise they join the ring.
     *
     * @return bytes read, 0 if none were ready, -1 at end of stream
     */
    int readFrom(ReadableByteChannel channel, int maxBytes) throws IOException {
        if (!ringBusy()) {
            int n = readShared(channel, maxBytes);
            if (n > 0) {
                lendFresh(0, n);
            }
            return n;
        }
        int free = ring.capacity() - ring.buffered();
        if (free >= DIRECT_READ_MIN_FREE) {
            int n = ring.readFrom(channel, Math.min(free, maxBytes)); // within its free room: no growth
            counters.read(n);
            return n;
        }
        int n = readShared(channel, maxBytes);
        if (n > 0) {
            ring.write(shared.readBuffer().flip());
        }
        return n;
    }

    private int readShared(ReadableByteChannel channel, int maxBytes) throws IOException {
        ByteBuffer buffer = shared.readBuffer();
        buffer.clear();
        if (maxBytes < buffer.capacity()) {
            buffer.limit(maxBytes);
        }
        int n = channel.read(buffer);
        counters.read(n);
        return n;
    }

    /** Lends {@code [pos, limit)} of the loop's read buffer to the handler as fresh bytes. */
    void lendFresh(int pos, int limit) {
        freshPos = pos;
        freshLimit = limit;
    }

    /** Appends bytes to the ring (TLS plaintext that cannot be lent from the read buffer). */
    void append(ByteBuffer bytes) {
        ring().write(bytes);
    }

    /**
     * After a callback: copies unconsumed fresh bytes into the ring, and fits the ring to what it
     * holds (an empty one gives its chunk back). Views handed out are dead by now.
     */
    void afterCallback() {
        if (freshPos < freshLimit) {
            ByteBuffer buffer = shared.readBuffer();
            buffer.limit(freshLimit).position(freshPos);
            ring().write(buffer);
        } else if (ring != null) {
            ring.trim();
        }
        freshPos = 0;
        freshLimit = 0;
    }

    /** A quiet connection's sweep: fits the ring to what it holds (between callbacks only). */
    void trim() {
        if (ring != null) {
            ring.trim();
        }
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
            ByteBuffer view = shared.readView();
            view.limit(freshPos + len).position(freshPos);
            return view;
        }
        return ring == null ? EMPTY : ring.peekContiguousReadOnly(n);
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
            ByteBuffer view = shared.readView();
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
            r = new ElasticRingBuffer(shared.cache());
            ring = r;
        }
        return r;
    }
}
