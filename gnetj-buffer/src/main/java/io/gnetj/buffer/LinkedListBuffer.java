package io.gnetj.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;
import java.util.Objects;

/**
 * A queue of pooled chunks (nodes): writes fill the last node and append new ones, reads and
 * writes to a channel consume from the first, and {@link #writeTo} hands up to
 * {@link ElasticBuffer#MAX_GATHER} nodes to one gathering write. Never copies to grow.
 *
 * <pre>
 *   nodes (circular array, no per-node objects):
 *     first                                  last
 *     [ ..###### ] [ ########## ] [ ####..... ]      # buffered, . consumed or free
 *        ^start ^end                    ^end
 *   spares: [ node | node ]   consumed nodes kept until writeTo / trim / release
 * </pre>
 *
 * <p>Ownership: each node's chunk belongs to this buffer from the moment it is appended until it
 * is consumed and returned to the pool by {@link #writeTo}, {@link #trim} or {@link #release}.
 * A node that {@link #discard} or {@link #read} empties moves to a spare stack, memory untouched,
 * so views of it stay valid; the next write reuses spares before taking new chunks.
 * Every node in the queue holds at least one buffered byte.
 *
 * <p>Views from {@link #peek} are the nodes' own {@link PooledBuffer#buffer()}s with position and
 * limit set; the buffer keeps each node's start and end in its own arrays and copies through
 * each chunk's private duplicate, so moving a view's position or limit cannot corrupt it.
 *
 * <p>Threading: one thread at a time.
 */
public final class LinkedListBuffer implements ElasticBuffer {

    private final BufferAllocator allocator;
    private final int nodeCapacity;

    // Circular queue of nodes with data; length is zero (nothing ever buffered: a connection that
    // never spills past its outbound ring pays for no arrays) or a power of two.
    private static final PooledBuffer[] NO_NODES = new PooledBuffer[0];
    private static final int[] NO_INDEXES = new int[0];
    private PooledBuffer[] nodes = NO_NODES;
    private int[] starts = NO_INDEXES;
    private int[] ends = NO_INDEXES;
    private int first;
    private int count;
    private int buffered;

    private PooledBuffer[] spares = NO_NODES;
    private int spareCount;

    /** Gathering-write array, grown lazily up to MAX_GATHER; slots nulled after each write. */
    private ByteBuffer[] gather;

    /**
     * An empty list whose nodes are chunks of {@code nodeCapacity} bytes from {@code allocator}.
     *
     * @param allocator where the nodes' chunks come from
     * @param nodeCapacity bytes of each node
     * @throws IllegalArgumentException if {@code nodeCapacity} is not positive
     */
    public LinkedListBuffer(BufferAllocator allocator, int nodeCapacity) {
        if (nodeCapacity <= 0) {
            throw new IllegalArgumentException("nodeCapacity must be positive: " + nodeCapacity);
        }
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.nodeCapacity = nodeCapacity;
    }

    @Override
    public int buffered() {
        return buffered;
    }

    @Override
    public boolean isEmpty() {
        return buffered == 0;
    }

    /**
     * {@return the pooled bytes held now: the chunks of the nodes holding bytes and of the spares}
     * One thread at a time (the buffer is not thread-safe).
     */
    public long capacity() {
        long total = 0;
        int mask = nodes.length - 1;
        for (int i = 0; i < count; i++) {
            total += nodes[(first + i) & mask].capacity();
        }
        for (int i = 0; i < spareCount; i++) {
            total += spares[i].capacity();
        }
        return total;
    }

    /** Nodes holding buffered bytes now. */
    int nodeCount() {
        return count;
    }

    @Override
    public void write(ByteBuffer src) {
        int len = src.remaining();
        if (len == 0) {
            return;
        }
        checkSize(len);
        int pos = src.position();
        while (len > 0) {
            int ni = writableNode(1);
            int end = ends[ni];
            int k = Math.min(len, nodes[ni].capacity() - end);
            nodes[ni].raw().put(end, src, pos, k);
            ends[ni] = end + k;
            pos += k;
            len -= k;
            buffered += k;
        }
        src.position(pos);
    }

    @Override
    public void write(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        if (len == 0) {
            return;
        }
        checkSize(len);
        while (len > 0) {
            int ni = writableNode(1);
            int end = ends[ni];
            int k = Math.min(len, nodes[ni].capacity() - end);
            nodes[ni].raw().put(end, src, off, k);
            ends[ni] = end + k;
            off += k;
            len -= k;
            buffered += k;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Reads into one node: the last one if it has room for {@code min(maxBytes, nodeCapacity)}
     * bytes, else a fresh one; so one call reads at most a node's capacity.
     */
    @Override
    public int readFrom(ReadableByteChannel ch, int maxBytes) throws IOException {
        if (maxBytes <= 0) {
            return 0;
        }
        checkSize(Math.min(maxBytes, nodeCapacity));
        int ni = writableNode(Math.min(maxBytes, nodeCapacity));
        PooledBuffer node = nodes[ni];
        int end = ends[ni];
        int want = Math.min(maxBytes, node.capacity() - end);
        int n = ch.read(ElasticRingBuffer.window(node.buffer(), end, end + want));
        if (n > 0) {
            ends[ni] = end + n;
            buffered += n;
        } else if (starts[ni] == end) {
            // A fresh node that got nothing: keep the queue free of empty nodes.
            count--;
            nodes[ni] = null;
            pushSpare(node);
        }
        return n;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Gathers up to {@link ElasticBuffer#MAX_GATHER} nodes; gives back every node the write
     * emptied and every spare.
     */
    @Override
    public long writeTo(GatheringByteChannel ch) throws IOException {
        if (buffered == 0) {
            releaseSpares();
            return 0;
        }
        ensureGather(Math.min(count, MAX_GATHER));
        ByteBuffer[] g = gather;
        int k = peek(-1, g, 0);
        long n;
        try {
            n = ch.write(g, 0, k);
        } finally {
            Arrays.fill(g, 0, k, null);
        }
        consumeWritten(n);
        return n;
    }

    /** Drops {@code n} bytes a channel took and gives back emptied nodes. */
    void consumeWritten(long n) {
        discard((int) n);
        releaseSpares();
    }

    /** Grows the gathering array to hold at least {@code k} (at most MAX_GATHER) buffers. */
    private void ensureGather(int k) {
        if (gather == null || gather.length < k) {
            gather = new ByteBuffer[Math.min(MAX_GATHER, Math.max(16, ElasticRingBuffer.powerOfTwoAtLeast(k)))];
        }
    }

    @Override
    public int peek(int n, ByteBuffer[] views) {
        return peek(n, views, 0);
    }

    /** {@link #peek(int, ByteBuffer[])} into {@code views[off..]}. */
    int peek(int n, ByteBuffer[] views, int off) {
        int m = n < 0 ? buffered : Math.min(n, buffered);
        int k = off;
        int mask = nodes.length - 1;
        for (int i = 0; i < count && m > 0 && k < views.length; i++) {
            int ni = (first + i) & mask;
            int start = starts[ni];
            int len = Math.min(m, ends[ni] - start);
            views[k++] = ElasticRingBuffer.window(nodes[ni].buffer(), start, start + len);
            m -= len;
        }
        return k - off;
    }

    @Override
    public int discard(int n) {
        if (n <= 0 || buffered == 0) {
            return 0;
        }
        int d = Math.min(n, buffered);
        int left = d;
        while (left > 0) {
            int ni = first;
            int avail = ends[ni] - starts[ni];
            if (left < avail) {
                starts[ni] += left;
                break;
            }
            left -= avail;
            popFirstToSpares();
        }
        buffered -= d;
        return d;
    }

    @Override
    public int read(ByteBuffer dst) {
        int d = Math.min(dst.remaining(), buffered);
        if (d == 0) {
            return 0;
        }
        int pos = dst.position();
        int copied = 0;
        int mask = nodes.length - 1;
        for (int i = 0; copied < d; i++) {
            int ni = (first + i) & mask;
            int k = Math.min(d - copied, ends[ni] - starts[ni]);
            dst.put(pos + copied, nodes[ni].raw(), starts[ni], k);
            copied += k;
        }
        dst.position(pos + d);
        return discard(d);
    }

    /** {@inheritDoc} Here: gives back the spare (consumed) nodes; nodes holding bytes stay. */
    @Override
    public void trim() {
        releaseSpares();
    }

    @Override
    public void release() {
        int mask = nodes.length - 1;
        for (int i = 0; i < count; i++) {
            int ni = (first + i) & mask;
            PooledBuffer node = nodes[ni];
            nodes[ni] = null;
            allocator.release(node);
        }
        first = 0;
        count = 0;
        buffered = 0;
        releaseSpares();
    }

    @Override
    public String toString() {
        return "LinkedListBuffer[buffered=" + buffered + ", nodes=" + count + ", spares=" + spareCount + "]";
    }

    private void checkSize(int len) {
        if ((long) buffered + len > ElasticRingBuffer.MAX_SIZE) {
            throw new IllegalStateException("buffer would exceed " + ElasticRingBuffer.MAX_SIZE + " bytes");
        }
    }

    /**
     * Index of a node to write at least {@code wanted} bytes into: the last node if it has that
     * much room, else a spare or a new chunk appended to the queue.
     */
    private int writableNode(int wanted) {
        if (count > 0) {
            int li = (first + count - 1) & (nodes.length - 1);
            if (nodes[li].capacity() - ends[li] >= wanted) {
                return li;
            }
        }
        PooledBuffer node = spareCount > 0 ? popSpare() : allocator.take(nodeCapacity);
        if (count == nodes.length) {
            growQueue();
        }
        int ni = (first + count) & (nodes.length - 1);
        nodes[ni] = node;
        starts[ni] = 0;
        ends[ni] = 0;
        count++;
        return ni;
    }

    private void popFirstToSpares() {
        int ni = first;
        PooledBuffer node = nodes[ni];
        nodes[ni] = null;
        first = (first + 1) & (nodes.length - 1);
        count--;
        if (count == 0) {
            first = 0;
        }
        pushSpare(node);
    }

    private void pushSpare(PooledBuffer node) {
        if (spareCount == spares.length) {
            spares = Arrays.copyOf(spares, Math.max(4, spareCount * 2));
        }
        spares[spareCount++] = node;
    }

    private PooledBuffer popSpare() {
        PooledBuffer node = spares[--spareCount];
        spares[spareCount] = null;
        return node;
    }

    private void releaseSpares() {
        while (spareCount > 0) {
            allocator.release(popSpare());
        }
    }

    /** Doubles the circular queue (8 slots at first), unwrapping it so the first node is at index 0. */
    private void growQueue() {
        int len = nodes.length;
        int grown = len == 0 ? 8 : len * 2;
        PooledBuffer[] n = new PooledBuffer[grown];
        int[] s = new int[grown];
        int[] e = new int[grown];
        for (int i = 0; i < count; i++) {
            int ni = (first + i) & (len - 1);
            n[i] = nodes[ni];
            s[i] = starts[ni];
            e[i] = ends[ni];
        }
        nodes = n;
        starts = s;
        ends = e;
        first = 0;
    }
}
