package io.gnetj.internal;

import io.gnetj.Callback;
import io.gnetj.buffer.BufferAllocator;
import io.gnetj.buffer.PooledBuffer;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * One {@code sendFile} in a connection's {@link OutboundQueue}: a range of a file still to send,
 * and where it sits among the queued bytes.
 *
 * <pre>
 *   memory bytes queued:  [ .......... mark | after .......... ]
 *   regions:                             ▲ this region goes out here, whole, before "after"
 * </pre>
 *
 * <p>{@link #mark} is the count of memory bytes ever queued before it, so the queue sends memory
 * bytes up to the mark, then this region, then goes on. Two ways out:
 * <ul>
 *   <li>plaintext: {@link #transferTo}, the kernel's file-to-socket copy;
 *   <li>TLS: {@link #peek} reads the next at most {@link #CHUNK} bytes into one pooled chunk the
 *       engine encrypts from, {@link #discard} moves past what it took.
 * </ul>
 * A file found shorter than the range while sending is an {@link EOFException}: a stream must not
 * go on after a hole.
 *
 * <p>It is also the task that tells the caller the outcome: once the range is sent or dropped the
 * queue settles it ({@link #finish}) and reports it, and the connection posts it to the loop, so
 * the callback runs as a task, never nested in a write or a callback.
 *
 * <p>Threading: the owning loop's thread only.
 */
final class FileRegion extends LoopTask {

    /** Largest piece TLS reads from the file at once (one TLS record's plaintext). */
    static final int CHUNK = 16 * 1024;
    /** What a queued region counts against the outbound cap: its object, not its file bytes. */
    static final int OVERHEAD = 64;

    private final AbstractConn conn;
    private final BufferAllocator allocator;
    private final FileChannel file;
    private final Callback callback;
    /** Memory bytes queued before this region (see the class comment). */
    final long mark;
    private long position;
    private long remaining;
    /** TLS only: file bytes read but not yet taken, between the chunk's position and limit. */
    private PooledBuffer chunk;
    private Throwable outcome;

    FileRegion(AbstractConn conn, BufferAllocator allocator, FileChannel file, long position, long count,
            Callback callback, long mark) {
        this.conn = conn;
        this.allocator = allocator;
        this.file = file;
        this.position = position;
        this.remaining = count;
        this.callback = callback;
        this.mark = mark;
    }

    /** File bytes not yet sent (TLS: not yet taken by the engine). */
    long remaining() {
        return remaining;
    }

    boolean isDone() {
        return remaining == 0;
    }

    /**
     * The kernel's copy from file to {@code channel}.
     *
     * @return bytes sent; 0 when the socket takes no more
     * @throws EOFException if the file ended before the range did
     */
    long transferTo(WritableByteChannel channel) throws IOException {
        long n = file.transferTo(position, remaining, channel);
        if (n > 0) {
            position += n;
            remaining -= n;
        } else if (position >= file.size()) {
            throw truncated();
        }
        return n;
    }

    /**
     * TLS: the next bytes of the range as {@code views[0]}, read into a pooled chunk of at most
     * {@link #CHUNK} bytes if none are waiting there; the engine may advance the view, and
     * {@link #discard} says how much it took.
     *
     * @return 1 (one view)
     */
    int peek(int max, ByteBuffer[] views) throws IOException {
        if (chunk == null) {
            chunk = allocator.take((int) Math.min(CHUNK, remaining));
            chunk.buffer().limit(0);
        }
        ByteBuffer b = chunk.buffer();
        if (!b.hasRemaining()) {
            b.clear().limit((int) Math.min(b.capacity(), remaining));
            int n = file.read(b, position);
            if (n < 0) {
                b.limit(0);
                throw truncated();
            }
            b.flip();
        }
        ByteBuffer view = chunk.view();
        view.limit(Math.min(b.limit(), b.position() + max)).position(b.position());
        views[0] = view;
        return 1;
    }

    /** TLS: the engine took {@code n} bytes of what {@link #peek} showed. */
    void discard(int n) {
        ByteBuffer b = chunk.buffer();
        b.position(b.position() + n);
        position += n;
        remaining -= n;
        if (remaining == 0) {
            releaseChunk();
        }
    }

    /** Pooled bytes held (the TLS chunk). */
    int heldBytes() {
        return chunk == null ? 0 : chunk.buffer().capacity();
    }

    /** Done or dropped: gives the chunk back and records the outcome the task will report. */
    void finish(Throwable error) {
        releaseChunk();
        outcome = error;
    }

    private void releaseChunk() {
        if (chunk != null) {
            allocator.release(chunk);
            chunk = null;
        }
    }

    private EOFException truncated() {
        return new EOFException("sendFile: the file ended at byte " + position + " with " + remaining
                + " bytes of the range still to send (was it truncated?); the connection to "
                + conn.remoteAddress + " is closed rather than send a short file");
    }

    @Override
    void run() {
        conn.complete(callback, outcome);
    }

    @Override
    void abort(Throwable cause) {
        conn.complete(callback, outcome); // the outcome was settled before the task was posted
    }
}
