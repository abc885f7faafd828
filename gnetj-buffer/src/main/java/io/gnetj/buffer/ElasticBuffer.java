package io.gnetj.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;

/**
 * A FIFO of bytes over pooled direct memory that grows on demand and gives its memory back when
 * it is empty. The contract shared by {@link ElasticRingBuffer}, {@link LinkedListBuffer} and
 * {@link ElasticMixedBuffer}.
 *
 * <p>Bytes go in with {@code write} or {@link #readFrom}, and come out with {@link #read},
 * {@link #discard} or {@link #writeTo}, in the order they went in.
 *
 * <h2>Memory and views</h2>
 * An empty buffer that was {@link #trim() trimmed} holds no pooled memory. Views handed out by
 * {@link #peek(int, ByteBuffer[])} are {@link ByteBuffer}s owned by this buffer (reused, never
 * allocated per call) whose position..limit span the peeked bytes. They stay valid, and keep
 * showing the same bytes, until the next call to {@code write}, {@link #readFrom},
 * {@link #writeTo}, {@link #trim}, {@link #release}, or any other method an implementation
 * documents as invalidating. {@link #discard} and {@link #read} do not invalidate views: memory
 * is returned to the pool only by {@link #writeTo}, {@link #trim} and {@link #release}.
 * A caller may move a view's position and limit within the peeked span; it must not write into a
 * view or keep it after it became invalid.
 *
 * <p>Threading: not thread-safe; one thread at a time (in gnetj, the owning event loop).
 */
public interface ElasticBuffer {

    /** Most buffers a single {@link #writeTo} hands to one gathering write (as Netty's IOV_MAX cap). */
    int MAX_GATHER = 1024;

    /**
     * {@return the bytes buffered and not yet read or discarded} One thread at a time (the buffer
     * is not thread-safe).
     */
    int buffered();

    /** {@return {@code buffered() == 0}} One thread at a time (the buffer is not thread-safe). */
    boolean isEmpty();

    /**
     * Appends all remaining bytes of {@code src}, growing as needed; advances {@code src}'s
     * position to its limit. {@code src} may be heap or direct and is not retained.
     * One thread at a time (the buffer is not thread-safe).
     *
     * @param src the bytes to append
     * @throws IllegalStateException if the buffer would hold more than {@link Integer#MAX_VALUE} - 8 bytes
     */
    void write(ByteBuffer src);

    /**
     * Appends {@code len} bytes of {@code src} from {@code off}.
     * One thread at a time (the buffer is not thread-safe). The array is copied, not retained: it
     * may be reused at once.
     *
     * @param src the array holding the bytes
     * @param off index of the first byte in {@code src}
     * @param len how many bytes
     */
    void write(byte[] src, int off, int len);

    /**
     * Performs one {@code read} from {@code ch} of at most {@code maxBytes} bytes straight into
     * this buffer's memory, first making room for {@code maxBytes} if there is less free space. One
     * thread at a time (the buffer is not thread-safe).
     *
     * @param ch the channel to read from
     * @param maxBytes most bytes to read
     * @return bytes read, 0 if none were ready, -1 at end of stream
     * @throws IOException as the channel's {@code read} throws it
     */
    int readFrom(ReadableByteChannel ch, int maxBytes) throws IOException;

    /**
     * Performs one gathering {@code write} to {@code ch} of the buffered bytes (at most
     * {@link #MAX_GATHER} segments; a plain {@code write} when they are contiguous), then drops
     * what the channel took and returns emptied memory to the pool, except a chunk the buffer was
     * built to keep (see {@link ElasticRingBuffer#ElasticRingBuffer(BufferAllocator, int)}).
     * One thread at a time (the buffer is not thread-safe).
     *
     * @param ch the channel to write to
     * @return bytes written (0 if the channel took nothing or the buffer was empty)
     * @throws IOException as the channel's {@code write} throws it
     */
    long writeTo(GatheringByteChannel ch) throws IOException;

    /**
     * Fills {@code views[0..k)} with views of the first {@code min(n, buffered())} bytes, in order.
     * Stops early (covering fewer bytes) when {@code views} is full. One thread at a time (the
     * buffer is not thread-safe). The views are lent: valid until the next {@code write},
     * {@code readFrom}, {@code writeTo}, {@code trim} or {@code release} (see above), never to be
     * written into.
     *
     * @param n bytes to cover; negative for everything buffered
     * @param views where the views go
     * @return {@code k}, the number of views filled
     */
    int peek(int n, ByteBuffer[] views);

    /**
     * Drops up to {@code n} bytes from the front.
     * One thread at a time (the buffer is not thread-safe). Views handed out before stay valid.
     *
     * @param n most bytes to drop
     * @return bytes dropped: {@code min(n, buffered())}
     */
    int discard(int n);

    /**
     * Copies up to {@code dst.remaining()} bytes into {@code dst} and drops them from this buffer.
     * One thread at a time (the buffer is not thread-safe). {@code dst} is written and its position
     * advanced, not retained.
     *
     * @param dst where the bytes go
     * @return bytes copied
     */
    int read(ByteBuffer dst);

    /**
     * Returns to the pool the memory that holds no buffered bytes (all of it when empty).
     * Invalidates views. One thread at a time (the buffer is not thread-safe).
     */
    void trim();

    /**
     * Drops every buffered byte and returns all memory to the pool. The buffer stays usable. One
     * thread at a time (the buffer is not thread-safe). Invalidates views.
     */
    void release();
}
