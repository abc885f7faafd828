package io.gnetj.internal;

import io.gnetj.buffer.BufferAllocator;
import io.gnetj.buffer.ElasticMixedBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.ArrayDeque;

/**
 * A stream connection's outbound bytes: what its handler wrote that the kernel has not taken yet.
 *
 * <pre>
 *   write/writev/asyncWrite ──copy──► ElasticMixedBuffer ──writeTo──► socket
 *                                     (ring up to writeBufferCap, then a list of chunks)
 *   sendFile ──────────────────────► FileRegion (file, range, mark) ──transferTo──► socket
 *   lend (inbound view, queue empty) ─► [start, end) of the loop's read buffer ──sendLent──► socket
 *                                        └─ what the socket did not take ──unlend (copy)──► buffer
 * </pre>
 *
 * <p>Lent bytes: a handler that writes back a view of what it just received (an echo, a proxy)
 * need not have it copied. {@link #lend} records where the bytes are instead, but only when
 * nothing else is queued, so they are always the head of the queue; every other way in
 * ({@link #write}, {@link #add}, {@link #peek}) first copies them into the buffer
 * ({@link #unlend}), so order holds. The queue does not own that memory: the connection
 * promises it stays untouched until it calls {@link #sendLent} or {@link #unlend}, which it does
 * when the callback that lent them returns, before the memory can take another read. Lent bytes
 * count as queued memory everywhere ({@link #buffered()}, {@link #pending()},
 * {@link #isEmpty()}), so caps, water marks and the unsent count of a close see no difference.
 *
 * <p>Order: memory bytes and file regions leave in the order they were queued. Memory bytes are
 * counted as they come ({@code appended}) and go ({@code consumed}); a region remembers how many
 * had come before it (its mark), so the queue sends memory up to the head region's mark, then
 * the region, then carries on. With no region queued (the common case) that is the plain buffer.
 * TLS takes its plaintext through {@link #peek}/{@link #discard}, which keep the same order.
 *
 * <p>Counting: {@link #buffered()} is memory (what {@code maxOutboundBuffered} caps, a region
 * counting {@link FileRegion#OVERHEAD}); {@link #pending()} adds the file bytes not yet sent
 * (what the water marks and {@code outboundBuffered()} count).
 *
 * <p>Passive: it copies bytes in, hands them to a channel when told, and reports what it holds;
 * it never touches the selector, the connection's state or the handler. The connection decides
 * when to send, checks {@link #wouldExceed} before every write (a refused write is the
 * connection's business: it closes, because a stream must never go on after a hole), and turns
 * the amount queued into selector interest and read pauses.
 *
 * <p>Memory: the buffer is made on the first write. An emptied ring chunk of up to
 * {@link #KEEP_CAPACITY} bytes stays (a busy connection does not give its chunk to the pool and
 * take one back for every response) until {@link #trim()}; larger chunks go back as soon as they
 * empty. So the pooled memory held is at most about twice what is queued, plus
 * {@link #KEEP_CAPACITY}, plus one list chunk of {@code writeBufferCap} once the ring is full.
 *
 * <p>Threading: the owning loop's thread only.
 */
final class OutboundQueue {

    /** Largest emptied outbound ring chunk a connection keeps between responses. */
    static final int KEEP_CAPACITY = 4096;
    /** Writes per flush before the loop moves on, so one fast peer cannot monopolise it. */
    private static final int WRITE_SPIN = 16;

    private final BufferAllocator allocator;
    private final int writeBufferCap;
    private final int maxBuffered;
    /** Where the write syscalls are counted: the loop's counters. */
    private final LoopCounters counters;
    /** Made on the first write: a connection that never writes has none. */
    private ElasticMixedBuffer buffer;
    /** Memory bytes ever queued, and ever sent (or taken by TLS): the marks' clock. */
    private long appended;
    private long consumed;
    /** Queued file regions, oldest first; made on the first sendFile. */
    private ArrayDeque<FileRegion> files;
    /** Unsent bytes of every queued region; volatile for {@link #pending()}'s readers elsewhere. */
    private volatile long fileBytes;
    /** Views for a write limited to a region's mark; made with {@link #files}. */
    private ByteBuffer[] views;
    /** Regions sent or dropped whose callers have not been told yet (see {@link #pollFinished}). */
    private ArrayDeque<FileRegion> finished;
    /** Memory holding lent bytes at {@code [lentStart, lentEnd)}, not owned; {@code null}: none lent. */
    private ByteBuffer lent;
    private int lentStart;
    private int lentEnd;
    /** {@code lentEnd - lentStart} in one field, for {@link #pending()}'s readers elsewhere. */
    private int lentBytes;

    OutboundQueue(BufferAllocator allocator, int writeBufferCap, int maxBuffered) {
        this(allocator, writeBufferCap, maxBuffered, new LoopCounters()); // outside a loop (tests): its own
    }

    OutboundQueue(BufferAllocator allocator, int writeBufferCap, int maxBuffered, LoopCounters counters) {
        this.counters = counters;
        this.allocator = allocator;
        this.writeBufferCap = writeBufferCap;
        this.maxBuffered = maxBuffered;
    }

    /** The bytes as a buffer (TLS wraps from it); made if needed. */
    ElasticMixedBuffer buffer() {
        ElasticMixedBuffer b = buffer;
        if (b == null) {
            b = new ElasticMixedBuffer(allocator, writeBufferCap, writeBufferCap, KEEP_CAPACITY);
            buffer = b;
        }
        return b;
    }

    /** Memory queued: what counts towards the outbound cap. */
    int buffered() {
        int memory = (buffer == null ? 0 : buffer.buffered()) + lentBytes;
        return files == null ? memory : memory + FileRegion.OVERHEAD * files.size();
    }

    /** Bytes still to send, memory and files; racy but safe from another thread. */
    long pending() {
        ElasticMixedBuffer b = buffer;
        return (b == null ? 0 : b.buffered()) + fileBytes + lentBytes;
    }

    /** Whether nothing is left to send. */
    boolean isEmpty() {
        return lent == null && (buffer == null || buffer.isEmpty()) && (files == null || files.isEmpty());
    }

    /** Whether queueing {@code len} more bytes would pass the cap. */
    boolean wouldExceed(long len) {
        return buffered() + len > maxBuffered;
    }

    /** The cap on {@link #buffered()}. */
    int maxBuffered() {
        return maxBuffered;
    }

    /** Queues all remaining bytes of {@code src}, advancing its position (the caller checked the cap). */
    void write(ByteBuffer src) {
        int n = src.remaining();
        if (n > 0) {
            unlend();
            buffer().write(src);
            appended += n;
        }
    }

    /** Queues {@code len} bytes of {@code src} from {@code off} (the caller checked the cap). */
    void write(byte[] src, int off, int len) {
        if (len > 0) {
            unlend();
            buffer().write(src, off, len);
            appended += len;
        }
    }

    /** Queues a file region after every byte queued so far (the caller checked the cap). */
    void add(FileRegion region) {
        unlend();
        if (files == null) {
            files = new ArrayDeque<>(4);
            views = new ByteBuffer[16];
        }
        files.addLast(region);
        fileBytes += region.remaining();
        settle(); // an empty range with nothing ahead of it is done at once, in order
    }

    /**
     * Queues {@code [start, end)} of {@code memory} without copying, if nothing else is queued or
     * the bytes continue those lent last; the caller checked the cap, and keeps the memory
     * untouched until it calls {@link #sendLent} or {@link #unlend}.
     *
     * @return whether the bytes were lent; if not, the caller copies them with {@link #write}
     */
    boolean lend(ByteBuffer memory, int start, int end) {
        if (lent == null) {
            if (!isEmpty()) {
                return false;
            }
            lent = memory;
            lentStart = start;
        } else if (lent != memory || lentEnd != start) {
            return false;
        }
        lentEnd = end;
        lentBytes += end - start;
        appended += end - start;
        return true;
    }

    /** Whether lent bytes wait (to be sent or copied before their memory is reused). */
    boolean lending() {
        return lent != null;
    }

    /**
     * One write of the lent bytes straight from their memory; what the channel did not take is
     * copied into the buffer, so nothing is lent afterwards.
     *
     * @return bytes written (0 if nothing was lent)
     * @throws IOException from the channel; the bytes then stay lent (sent or dropped by the caller)
     */
    long sendLent(GatheringByteChannel channel) throws IOException {
        if (lent == null) {
            return 0;
        }
        long n = writeLent(channel);
        counters.wrote(n, 1);
        return n;
    }

    private long writeLent(GatheringByteChannel channel) throws IOException {
        int n = channel.write(lentWindow());
        lentStart += n;
        lentBytes -= n;
        consumed += n;
        if (lentStart == lentEnd) {
            lent = null;
        } else {
            unlend();
        }
        return n;
    }

    /**
     * Copies the lent bytes into the buffer, where they stay first in line (nothing was queued
     * when they were lent): their memory is about to be reused, or other bytes must queue behind
     * them. Nothing lent: nothing to do.
     */
    void unlend() {
        if (lent != null) {
            buffer().write(lentWindow()); // counted in appended when lent
            lent = null;
            lentBytes = 0;
        }
    }

    /** The lent bytes as the memory's own window: the views the handler holds are left alone. */
    private ByteBuffer lentWindow() {
        return lent.clear().position(lentStart).limit(lentEnd);
    }

    /** A new region's mark: memory bytes queued so far. */
    long mark() {
        return appended;
    }

    /**
     * Hands queued bytes to {@code channel}: gathering writes until it is empty, the channel takes
     * nothing, or {@link #WRITE_SPIN} writes were made.
     *
     * @return bytes written
     */
    long writeTo(GatheringByteChannel channel) throws IOException {
        long total = 0;
        int syscalls = 0;
        for (int i = 0; i < WRITE_SPIN && !isEmpty(); i++) {
            long n = writeOnce(channel);
            syscalls++;
            if (n == 0) {
                break;
            }
            total += n;
        }
        counters.wrote(total, syscalls);
        return total;
    }

    /** One write of the next thing in order: memory (up to the head region), or the head region. */
    private long writeOnce(GatheringByteChannel channel) throws IOException {
        if (lent != null) {
            return writeLent(channel); // only ever alone in the queue
        }
        FileRegion head = files == null ? null : settle();
        if (head == null) {
            if (buffer == null) {
                return 0;
            }
            long n = buffer.writeTo(channel);
            consumed += n;
            return n;
        }
        long before = head.mark - consumed;
        if (before > 0) {
            int k = buffer.peek((int) Math.min(before, Integer.MAX_VALUE), views);
            long n;
            try {
                n = channel.write(views, 0, k);
            } finally {
                java.util.Arrays.fill(views, 0, k, null);
            }
            buffer.discard((int) n);
            consumed += n;
            return n;
        }
        long n = head.transferTo(channel);
        fileSent(n);
        return n;
    }

    /**
     * TLS: views over the next at most {@code max} bytes in order (memory up to the head region,
     * or the region's next chunk), for the engine to encrypt; {@link #discard} then says how many
     * it took. Nothing queued: 0 views.
     *
     * @throws java.io.EOFException if a file ended before its range did
     */
    int peek(int max, ByteBuffer[] dst) throws IOException {
        unlend();
        FileRegion head = files == null ? null : settle();
        if (head == null) {
            return buffer == null ? 0 : buffer.peek(max, dst);
        }
        long before = head.mark - consumed;
        if (before > 0) {
            return buffer.peek((int) Math.min(before, max), dst);
        }
        return head.peek(max, dst);
    }

    /** TLS: the engine took {@code n} bytes of what {@link #peek} showed. */
    void discard(int n) {
        if (n == 0) {
            return;
        }
        FileRegion head = files == null ? null : files.peekFirst();
        if (head == null || head.mark > consumed) {
            buffer.discard(n);
            consumed += n;
            if (head != null) {
                settle();
            }
        } else {
            head.discard(n);
            fileSent(n);
        }
    }

    /** {@code n} bytes of the head region went out; a region now done finishes. */
    private void fileSent(long n) {
        if (n > 0) {
            fileBytes -= n;
        }
        settle();
    }

    /**
     * Finishes the regions at the head that are done and have no memory bytes ahead of them (a
     * sent range, an empty one), in order.
     *
     * @return the head region now, or {@code null}
     */
    private FileRegion settle() {
        FileRegion head;
        while ((head = files.peekFirst()) != null && head.isDone() && head.mark <= consumed) {
            files.pollFirst();
            finish(head, null);
        }
        return head;
    }

    /** Pooled bytes held, queued or kept. */
    long heldBytes() {
        long held = buffer == null ? 0 : buffer.capacity();
        FileRegion head = files == null ? null : files.peekFirst();
        return head == null ? held : held + head.heldBytes();
    }

    /** Gives back memory that holds nothing queued (the kept chunk, when the queue is empty). */
    void trim() {
        if (buffer != null) {
            buffer.trim();
        }
    }

    /**
     * Drops everything and gives the memory back; every region still queued finishes with
     * {@code cause} (see {@link #pollFinished}).
     */
    void release(Throwable cause) {
        lent = null; // counted as unsent by whoever closed, like the rest
        lentBytes = 0;
        if (buffer != null) {
            buffer.release();
        }
        if (files != null) {
            for (FileRegion r; (r = files.pollFirst()) != null; ) {
                finish(r, cause);
            }
            fileBytes = 0;
        }
    }

    /** A region left the queue, sent or dropped: kept for {@link #pollFinished}. */
    private void finish(FileRegion region, Throwable error) {
        region.finish(error);
        if (finished == null) {
            finished = new ArrayDeque<>(4);
        }
        finished.addLast(region);
    }

    /**
     * The next region that left the queue since the last call, its outcome settled; the
     * connection posts it so its caller is told as a task. {@code null} when there is none.
     */
    FileRegion pollFinished() {
        return finished == null ? null : finished.pollFirst();
    }
}
