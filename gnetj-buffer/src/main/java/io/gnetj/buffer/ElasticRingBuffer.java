package io.gnetj.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.util.Objects;

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
 * <p>All copies in and out use absolute {@code get}/{@code put} on a private duplicate of the
 * chunk (whose limit stays at the capacity), so the chunk's own {@link PooledBuffer#buffer()} and
 * {@link PooledBuffer#view()} are free to serve as the two peek views: peeking allocates nothing.
 * Their position and limit are only moved by peeks and by the channel operations
 * ({@link #readFrom}, {@link #writeTo}), which invalidate views anyway.
 *
 * <p>Memory: the chunk is taken lazily on the first write or {@link #readFrom}, and given back
 * by {@link #writeTo} when it empties the ring, by {@link #trim} (when empty; when the bytes would
 * fit in a chunk of half the size or less, they move to a smaller chunk) and by {@link #release}.
 * {@link #discard} and {@link #read} never give memory back, so views stay valid after them.
 *
 * <p>A ring built with a {@code keepCapacity} (an outbound buffer that a busy connection empties
 * and refills many times a second) keeps an emptied chunk of at most that many bytes through
 * {@link #writeTo}, so the next write needs no trip to the pool; {@link #trim} and
 * {@link #release} still give it back. The owner decides when the buffer counts as idle and trims
 * it then.
 *
 * <p>Threading: one thread at a time. Views follow {@link ElasticBuffer}'s rules, plus
 * {@link #peekContiguous(int)} invalidates earlier views.
 */
public final class ElasticRingBuffer implements ElasticBuffer {

    /** Most bytes any elastic buffer holds. */
    static final int MAX_SIZE = Integer.MAX_VALUE - 8;

    /** What {@link #peekContiguous} returns when nothing is buffered: shared, zero capacity, so immutable. */
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0).asReadOnlyBuffer();

    private final BufferAllocator allocator;
    /** Largest emptied chunk {@link #writeTo} keeps instead of releasing (0: none). */
    private final int keepCapacity;
    /** Scatter/gather array for the two segments of a wrapped ring; made on first channel IO. */
    private ByteBuffer[] pair;
    private PooledBuffer chunk;
    /** The chunk's own buffer: first peek view and channel window. */
    private ByteBuffer buf;
    /** The chunk's private duplicate for absolute copies; limit always at capacity. */
    private ByteBuffer raw;
    private int cap;
    /** Index of the first buffered byte. */
    private int head;
    private int size;

    /**
     * An empty ring that takes memory from {@code allocator} on first write.
     *
     * @param allocator where the ring's chunks come from
     */
    public ElasticRingBuffer(BufferAllocator allocator) {
        this(allocator, 0);
    }

    /**
     * An empty ring that takes memory from {@code allocator} on first write and, when
     * {@link #writeTo} empties it, keeps its chunk if that is at most {@code keepCapacity} bytes
     * (until {@link #trim} or {@link #release}).
     *
     * @param allocator where the ring's chunks come from
     * @param keepCapacity largest emptied chunk kept, in bytes; 0 keeps none
     * @throws IllegalArgumentException if {@code keepCapacity} is negative
     */
    public ElasticRingBuffer(BufferAllocator allocator, int keepCapacity) {
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        if (keepCapacity < 0) {
            throw new IllegalArgumentException("keepCapacity must not be negative: " + keepCapacity);
        }
        this.keepCapacity = keepCapacity;
    }

    /**
     * {@return a view of the first {@code min(n, buffered())} bytes as one contiguous span} The
     * ring is straightened in place (or into a new chunk when the free space is too small to
     * shuffle in) if those bytes wrap. The view is valid as {@link ElasticBuffer} describes for
     * peek views; it is empty, not null, when nothing is buffered. Invalidates views returned
     * earlier. One thread at a time (the buffer is not thread-safe).
     *
     * @param n bytes to cover; negative for everything buffered
     */
    public ByteBuffer peekContiguous(int n) {
        int m = n < 0 ? size : Math.min(n, size);
        if (m == 0) {
            return EMPTY;
        }
        if (head + m > cap) {
            straighten();
        }
        return window(buf, head, head + m);
    }

    /**
     * As {@link #peekContiguous(int)}, but the view is read-only (the chunk's
     * {@link PooledBuffer#readOnlyView()}): for lending bytes to code that must not write them and
     * must be able to tell they are not its own memory.
     * One thread at a time (the buffer is not thread-safe).
     *
     * @param n bytes to cover; negative for everything buffered
     * @return a read-only view of the first {@code min(n, buffered())} bytes
     */
    public ByteBuffer peekContiguousReadOnly(int n) {
        int m = n < 0 ? size : Math.min(n, size);
        if (m == 0) {
            return EMPTY;
        }
        if (head + m > cap) {
            straighten();
        }
        return window(chunk.readOnlyView(), head, head + m);
    }

    /**
     * {@return the capacity of the chunk held now (0 when none)} One thread at a time (the buffer
     * is not thread-safe).
     */
    public int capacity() {
        return cap;
    }

    @Override
    public int buffered() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public void write(ByteBuffer src) {
        int len = src.remaining();
        if (len == 0) {
            return;
        }
        ensureWritable(len);
        int pos = src.position();
        int at = writeIndex();
        int first = Math.min(len, cap - at);
        raw.put(at, src, pos, first);
        if (first < len) {
            raw.put(0, src, pos + first, len - first);
        }
        src.position(pos + len);
        size += len;
    }

    @Override
    public void write(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        if (len == 0) {
            return;
        }
        ensureWritable(len);
        int at = writeIndex();
        int first = Math.min(len, cap - at);
        raw.put(at, src, off, first);
        if (first < len) {
            raw.put(0, src, off + first, len - first);
        }
        size += len;
    }

    /**
     * {@inheritDoc}
     *
     * <p>When the free space wraps and {@code ch} is a {@link ScatteringByteChannel}, one
     * scattering read fills both parts; otherwise the read covers the part up to the chunk's end.
     *
     * @throws IllegalStateException if making room for {@code maxBytes} would exceed the size limit
     */
    @Override
    public int readFrom(ReadableByteChannel ch, int maxBytes) throws IOException {
        if (maxBytes <= 0) {
            return 0;
        }
        ensureWritable(maxBytes);
        if (size == 0) {
            head = 0;
        }
        int at = writeIndex();
        int want = Math.min(maxBytes, cap - size);
        int first = Math.min(want, cap - at);
        int n;
        if (first == want || !(ch instanceof ScatteringByteChannel)) {
            n = ch.read(window(buf, at, at + first));
        } else {
            ByteBuffer[] pair = pair();
            pair[0] = window(buf, at, cap);
            pair[1] = window(chunk.view(), 0, want - first);
            try {
                n = (int) ((ScatteringByteChannel) ch).read(pair, 0, 2);
            } finally {
                pair[0] = null;
                pair[1] = null;
            }
        }
        if (n > 0) {
            size += n;
        }
        return n;
    }

    @Override
    public long writeTo(GatheringByteChannel ch) throws IOException {
        if (size == 0) {
            return 0;
        }
        long n;
        if (head + size <= cap) {
            n = ch.write(window(buf, head, head + size)); // one segment: a plain write, no iovec
        } else {
            ByteBuffer[] pair = pair();
            int k = peek(-1, pair, 0);
            try {
                n = ch.write(pair, 0, k);
            } finally {
                pair[0] = null;
                pair[1] = null;
            }
        }
        consumeWritten(n);
        return n;
    }

    @Override
    public int peek(int n, ByteBuffer[] views) {
        return peek(n, views, 0);
    }

    /** {@link #peek(int, ByteBuffer[])} into {@code views[off..]}. */
    int peek(int n, ByteBuffer[] views, int off) {
        int m = n < 0 ? size : Math.min(n, size);
        if (m == 0 || off >= views.length) {
            return 0;
        }
        int first = Math.min(m, cap - head);
        views[off] = window(buf, head, head + first);
        if (first == m || off + 1 >= views.length) {
            return 1;
        }
        views[off + 1] = window(chunk.view(), 0, m - first);
        return 2;
    }

    /**
     * Drops {@code n} bytes a channel took and gives the chunk back if that emptied the ring,
     * unless it is small enough to keep.
     */
    void consumeWritten(long n) {
        discard((int) n);
        if (size == 0 && cap > keepCapacity) {
            releaseChunk();
        }
    }

    @Override
    public int discard(int n) {
        if (n <= 0 || size == 0) {
            return 0;
        }
        int d = Math.min(n, size);
        head += d;
        if (head >= cap) {
            head -= cap;
        }
        size -= d;
        if (size == 0) {
            head = 0; // the memory is untouched, so views stay valid
        }
        return d;
    }

    @Override
    public int read(ByteBuffer dst) {
        int d = Math.min(dst.remaining(), size);
        if (d == 0) {
            return 0;
        }
        int pos = dst.position();
        copyOut(dst, pos, d);
        dst.position(pos + d);
        return discard(d);
    }

    @Override
    public void trim() {
        if (chunk == null) {
            return;
        }
        if (size == 0) {
            releaseChunk();
            return;
        }
        int smaller = allocator.pool().sizeClassOf(powerOfTwoAtLeast(size));
        if (smaller <= cap / 2) {
            moveTo(smaller);
        }
    }

    @Override
    public void release() {
        releaseChunk();
    }

    @Override
    public String toString() {
        return "ElasticRingBuffer[buffered=" + size + ", capacity=" + cap + "]";
    }

    private int writeIndex() {
        int at = head + size;
        return at >= cap ? at - cap : at;
    }

    /** Makes room for {@code extra} more bytes, growing to the next power of two. */
    private void ensureWritable(int extra) {
        long need = (long) size + extra;
        if (need > MAX_SIZE) {
            throw new IllegalStateException("buffer would exceed " + MAX_SIZE + " bytes: " + need);
        }
        if (need > cap) {
            moveTo(powerOfTwoAtLeast((int) need));
        }
    }

    static int powerOfTwoAtLeast(int n) {
        if (n > (1 << 30)) {
            return MAX_SIZE;
        }
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    /** Copies the buffered bytes, in order, to the start of a new chunk and releases the old one. */
    private void moveTo(int capacity) {
        PooledBuffer next = allocator.take(capacity);
        if (size > 0) {
            copyOut(next.raw(), 0, size);
        }
        PooledBuffer old = chunk;
        chunk = next;
        buf = next.buffer();
        raw = next.raw();
        cap = next.capacity();
        head = 0;
        if (old != null) {
            allocator.release(old);
        }
    }

    /** Copies the first {@code n} buffered bytes to {@code dst} at absolute {@code index}. */
    private void copyOut(ByteBuffer dst, int index, int n) {
        int first = Math.min(n, cap - head);
        dst.put(index, raw, head, first);
        if (first < n) {
            dst.put(index + first, raw, 0, n - first);
        }
    }

    /**
     * Makes the buffered bytes contiguous. With h bytes at the end and t at the start, if the free
     * gap can take h, the tail shifts right by h and the head goes to 0; else if it can take t,
     * the head shifts left by t and the tail goes after it; else a new chunk. Absolute bulk puts
     * within one buffer behave as if through an intermediate copy (ByteBuffer's contract), so the
     * overlapping shifts are safe.
     */
    private void straighten() {
        int h = cap - head;
        int t = size - h;
        int free = cap - size;
        if (h <= free) {
            raw.put(h, raw, 0, t);
            raw.put(0, raw, head, h);
            head = 0;
        } else if (t <= free) {
            raw.put(head - t, raw, head, h);
            raw.put(cap - t, raw, 0, t);
            head -= t;
        } else {
            moveTo(cap);
        }
    }

    private void releaseChunk() {
        PooledBuffer old = chunk;
        chunk = null;
        buf = null;
        raw = null;
        cap = 0;
        head = 0;
        size = 0;
        if (old != null) {
            allocator.release(old);
        }
    }

    /** Sets {@code b}'s window to {@code [from, to)} whatever its previous position and limit. */
    static ByteBuffer window(ByteBuffer b, int from, int to) {
        b.limit(to);
        b.position(from);
        return b;
    }

    private ByteBuffer[] pair() {
        ByteBuffer[] p = pair;
        if (p == null) {
            p = new ByteBuffer[2];
            pair = p;
        }
        return p;
    }
}
