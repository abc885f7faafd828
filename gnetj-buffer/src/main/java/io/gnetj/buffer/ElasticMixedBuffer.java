package io.gnetj.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;
import java.util.Objects;

/**
 * An {@link ElasticRingBuffer} up to {@code ringCap} bytes that spills into a
 * {@link LinkedListBuffer} past it: small backlogs stay in one contiguous chunk, big ones grow
 * without copying. Bytes keep their order: once the list holds anything, new bytes go to the list
 * until both drain. A connection's outbound buffer.
 *
 * <pre>
 *   bytes in order:  [ ring: oldest, at most ringCap ] [ list: newer, unbounded ]
 *   write:   list empty ? fill ring up to ringCap, rest to list : all to list
 *   consume: ring first, then list  (so the list only empties after the ring)
 * </pre>
 *
 * <p>{@link #writeTo} gathers the ring's (at most two) segments and the list's nodes in one
 * gathering write of at most {@link ElasticBuffer#MAX_GATHER} buffers. Views and memory follow
 * the rules of the two parts, which are those of {@link ElasticBuffer}. The two parts themselves
 * are made on first use (the list only when the ring overflows), so a connection that never
 * writes, or never writes past {@code ringCap}, pays for neither.
 *
 * <p>Threading: one thread at a time.
 */
public final class ElasticMixedBuffer implements ElasticBuffer {

    private final BufferAllocator allocator;
    private final int ringCap;
    private final int nodeCapacity;
    private final int keepCapacity;
    /** Made on first write; {@code null} until then. */
    private ElasticRingBuffer ring;
    /** Made when a write first spills past {@code ringCap}; {@code null} until then. */
    private LinkedListBuffer list;
    /** Gathering-write array, grown lazily up to MAX_GATHER; slots nulled after each write. */
    private ByteBuffer[] gather;

    /**
     * An empty buffer: a ring of at most {@code ringCap} bytes, then list nodes of
     * {@code nodeCapacity}.
     *
     * @param allocator where the ring's and the list's chunks come from
     * @param ringCap most bytes the ring holds before writes spill into the list
     * @param nodeCapacity bytes of each list node
     */
    public ElasticMixedBuffer(BufferAllocator allocator, int ringCap, int nodeCapacity) {
        this(allocator, ringCap, nodeCapacity, 0);
    }

    /**
     * An empty buffer as {@link #ElasticMixedBuffer(BufferAllocator, int, int)}, whose ring keeps
     * an emptied chunk of at most {@code keepCapacity} bytes through {@link #writeTo} (see
     * {@link ElasticRingBuffer#ElasticRingBuffer(BufferAllocator, int)}); {@link #trim} gives it
     * back.
     *
     * @param allocator where the ring's and the list's chunks come from
     * @param ringCap most bytes the ring holds before writes spill into the list
     * @param nodeCapacity bytes of each list node
     * @param keepCapacity largest emptied ring chunk kept, in bytes; 0 keeps none
     * @throws IllegalArgumentException if {@code ringCap} or {@code keepCapacity} is negative, or
     *     {@code nodeCapacity} is not positive
     */
    public ElasticMixedBuffer(BufferAllocator allocator, int ringCap, int nodeCapacity, int keepCapacity) {
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        if (ringCap < 0) {
            throw new IllegalArgumentException("ringCap must not be negative: " + ringCap);
        }
        if (nodeCapacity <= 0) {
            throw new IllegalArgumentException("nodeCapacity must be positive: " + nodeCapacity);
        }
        if (keepCapacity < 0) {
            throw new IllegalArgumentException("keepCapacity must not be negative: " + keepCapacity);
        }
        this.ringCap = ringCap;
        this.nodeCapacity = nodeCapacity;
        this.keepCapacity = keepCapacity;
    }

    /** {@inheritDoc} A racy read from another thread is safe and gives an approximate figure. */
    @Override
    public int buffered() {
        return ringBuffered() + listBuffered();
    }

    @Override
    public boolean isEmpty() {
        return ringBuffered() == 0 && listBuffered() == 0;
    }

    /**
     * {@return the pooled bytes held now, by the ring and the list together} One thread at a time
     * (the buffer is not thread-safe).
     */
    public long capacity() {
        return (ring == null ? 0 : ring.capacity()) + (list == null ? 0 : list.capacity());
    }

    @Override
    public void write(ByteBuffer src) {
        int len = src.remaining();
        if (len == 0) {
            return;
        }
        checkSize(len);
        if (listBuffered() == 0) {
            int room = ringCap - ringBuffered();
            if (room >= len) {
                ring().write(src);
                return;
            }
            if (room > 0) {
                int limit = src.limit();
                src.limit(src.position() + room);
                ring().write(src);
                src.limit(limit);
            }
        }
        list().write(src);
    }

    @Override
    public void write(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        if (len == 0) {
            return;
        }
        checkSize(len);
        if (listBuffered() == 0) {
            int room = ringCap - ringBuffered();
            if (room >= len) {
                ring().write(src, off, len);
                return;
            }
            if (room > 0) {
                ring().write(src, off, room);
                off += room;
                len -= room;
            }
        }
        list().write(src, off, len);
    }

    /** {@inheritDoc} Into the ring while it has room under {@code ringCap} and the list is empty. */
    @Override
    public int readFrom(ReadableByteChannel ch, int maxBytes) throws IOException {
        if (maxBytes <= 0) {
            return 0;
        }
        checkSize(maxBytes);
        int room = ringCap - ringBuffered();
        if (listBuffered() == 0 && room > 0) {
            return ring().readFrom(ch, Math.min(maxBytes, room));
        }
        return list().readFrom(ch, maxBytes);
    }

    @Override
    public long writeTo(GatheringByteChannel ch) throws IOException {
        if (listBuffered() == 0) {
            // The common case: at most two segments, a plain write when they are contiguous.
            long n = ring == null ? 0 : ring.writeTo(ch);
            if (list != null) {
                list.trim(); // spares left by an earlier discard, as a full drain would give back
            }
            return n;
        }
        ensureGather(Math.min(MAX_GATHER, 2 + list.nodeCount()));
        ByteBuffer[] g = gather;
        int k = ring == null ? 0 : ring.peek(-1, g, 0);
        k += list.peek(-1, g, k);
        long n;
        try {
            n = ch.write(g, 0, k);
        } finally {
            Arrays.fill(g, 0, k, null);
        }
        long fromRing = Math.min(n, ringBuffered());
        if (ring != null) {
            ring.consumeWritten(fromRing);
        }
        list.consumeWritten(n - fromRing);
        return n;
    }

    @Override
    public int peek(int n, ByteBuffer[] views) {
        int k = ring == null ? 0 : ring.peek(n, views, 0);
        if (list == null) {
            return k;
        }
        if (n < 0) {
            return k + list.peek(-1, views, k);
        }
        int rest = n - Math.min(n, ringBuffered());
        return rest == 0 ? k : k + list.peek(rest, views, k);
    }

    @Override
    public int discard(int n) {
        int d = ring == null ? 0 : ring.discard(n);
        if (n > d && list != null) {
            d += list.discard(n - d);
        }
        return d;
    }

    @Override
    public int read(ByteBuffer dst) {
        int r = ring == null ? 0 : ring.read(dst);
        if (dst.hasRemaining() && list != null) {
            r += list.read(dst);
        }
        return r;
    }

    @Override
    public void trim() {
        if (ring != null) {
            ring.trim();
        }
        if (list != null) {
            list.trim();
        }
    }

    @Override
    public void release() {
        if (ring != null) {
            ring.release();
        }
        if (list != null) {
            list.release();
        }
    }

    @Override
    public String toString() {
        return "ElasticMixedBuffer[ring=" + ring + ", list=" + list + "]";
    }

    // One read of each field: a racy reader on another thread (see buffered()) must not see it
    // non-null and then null.
    private int ringBuffered() {
        ElasticRingBuffer r = ring;
        return r == null ? 0 : r.buffered();
    }

    private int listBuffered() {
        LinkedListBuffer l = list;
        return l == null ? 0 : l.buffered();
    }

    private ElasticRingBuffer ring() {
        ElasticRingBuffer r = ring;
        if (r == null) {
            r = new ElasticRingBuffer(allocator, keepCapacity);
            ring = r;
        }
        return r;
    }

    private LinkedListBuffer list() {
        LinkedListBuffer l = list;
        if (l == null) {
            l = new LinkedListBuffer(allocator, nodeCapacity);
            list = l;
        }
        return l;
    }

    private void checkSize(int len) {
        if ((long) buffered() + len > ElasticRingBuffer.MAX_SIZE) {
            throw new IllegalStateException("buffer would exceed " + ElasticRingBuffer.MAX_SIZE + " bytes");
        }
    }

    private void ensureGather(int k) {
        if (gather == null || gather.length < k) {
            gather = new ByteBuffer[Math.min(MAX_GATHER, Math.max(16, ElasticRingBuffer.powerOfTwoAtLeast(k)))];
        }
    }
}
