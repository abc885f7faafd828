package io.gnetj.internal;

import io.gnetj.buffer.BufferAllocator;
import io.gnetj.buffer.ElasticMixedBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

/**
 * A stream connection's outbound bytes: what its handler wrote that the kernel has not taken yet.
 *
 * <pre>
 *   write/writev/asyncWrite ──copy──► ElasticMixedBuffer ──writeTo──► socket
 *                                     (ring up to writeBufferCap, then a list of chunks)
 * </pre>
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
    /** Made on the first write: a connection that never writes has none. */
    private ElasticMixedBuffer buffer;

    OutboundQueue(BufferAllocator allocator, int writeBufferCap, int maxBuffered) {
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

    /** Bytes queued (what counts towards the outbound cap); racy but safe from another thread. */
    int buffered() {
        ElasticMixedBuffer b = buffer;
        return b == null ? 0 : b.buffered();
    }

    boolean isEmpty() {
        return buffer == null || buffer.isEmpty();
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
        if (src.hasRemaining()) {
            buffer().write(src);
        }
    }

    /** Queues {@code len} bytes of {@code src} from {@code off} (the caller checked the cap). */
    void write(byte[] src, int off, int len) {
        if (len > 0) {
            buffer().write(src, off, len);
        }
    }

    /**
     * Hands queued bytes to {@code channel}: gathering writes until it is empty, the channel takes
     * nothing, or {@link #WRITE_SPIN} writes were made.
     *
     * @return bytes written
     */
    long writeTo(GatheringByteChannel channel) throws IOException {
        long total = 0;
        for (int i = 0; i < WRITE_SPIN && !isEmpty(); i++) {
            long n = buffer.writeTo(channel);
            if (n == 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    /** Pooled bytes held, queued or kept. */
    long heldBytes() {
        return buffer == null ? 0 : buffer.capacity();
    }

    /** Gives back memory that holds nothing queued (the kept chunk, when the queue is empty). */
    void trim() {
        if (buffer != null) {
            buffer.trim();
        }
    }

    /** Drops everything and gives the memory back. */
    void release() {
        if (buffer != null) {
            buffer.release();
        }
    }
}
