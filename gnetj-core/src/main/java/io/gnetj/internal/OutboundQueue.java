package io.gnetj.internal;

import io.gnetj.Callback;
import io.gnetj.ConnectionClosedException;
import io.gnetj.Options;
import io.gnetj.OutboundLimitException;
import io.gnetj.buffer.ElasticMixedBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

/**
 * A {@link TcpConn}'s outbound side: the bytes its handler wrote that the kernel has not taken
 * yet, the cap on them, sending them, and the flow control they drive.
 *
 * <pre>
 *   write/writev ──────────┐
 *   asyncWrite (a task) ───┴─copy─► buffer ──writeTo, or TlsSession.flush with TLS──► socket
 *                                     │
 *              queued ≥ high-water mark: reading pauses; ≤ low-water mark: it resumes
 * </pre>
 *
 * <p>{@code write} copies into the {@link ElasticMixedBuffer}. Inside a callback the bytes wait until
 * the callback returns and are then sent in one gathering write; elsewhere they are sent at once.
 * What the kernel does not take stays queued with {@code OP_WRITE} set. Past the high-water mark
 * reading pauses until the queue drains under the low-water mark. An emptied ring chunk of up to
 * {@link #OUTBOUND_KEEP_CAPACITY} stays with the connection until a sweep finds it quiet.
 *
 * <p>The connection keeps its state ({@code OPEN → CLOSING → CLOSED}), the selector interest and
 * the callbacks; this queue asks it for {@code OP_WRITE} while bytes wait, tells it when to pause
 * or resume reading, and when a closing connection has sent everything
 * ({@link TcpConn#finishClose()}).
 *
 * <p>Threading: the owning loop's thread only.
 */
final class OutboundQueue {

    private static final int WRITE_SPIN = 16;
    /**
     * Largest outbound ring chunk a connection keeps after a flush empties it, so that a busy
     * connection does not give its chunk to the pool and take one back for every response. A
     * connection quiet for a whole sweep interval ({@link #TRIM_AFTER_TICKS}) gives it back, so an
     * idle connection still holds no buffer memory.
     */
    static final int OUTBOUND_KEEP_CAPACITY = 4096;
    /** Sweep ticks without reads or writes after which the kept outbound chunk is trimmed. */
    private static final int TRIM_AFTER_TICKS = 2;

    private final TcpConn conn;
    /** Made on the first write (or when TLS first needs it): a connection that never writes has none. */
    private ElasticMixedBuffer buffer;
    /** The connection's TLS layer, or {@code null}; set before the connection opens. */
    private TlsSession tls;
    /** Reading is paused: the queue went past the high-water mark and has not drained yet. */
    private boolean readPaused;

    OutboundQueue(TcpConn conn) {
        this.conn = conn;
    }

    private ElasticMixedBuffer buffer() {
        ElasticMixedBuffer b = buffer;
        if (b == null) {
            int cap = conn.options().writeBufferCap();
            b = new ElasticMixedBuffer(conn.loop.cache(), cap, cap, OUTBOUND_KEEP_CAPACITY);
            buffer = b;
        }
        return b;
    }

    /** The queue then holds plaintext, which {@code session} wraps as it sends; before the connection opens. */
    void useTls(TlsSession session) {
        this.tls = session;
    }

    /** Whether reading is paused for the queue to drain. */
    boolean readPaused() {
        return readPaused;
    }

    /** Plaintext bytes queued (what counts towards the outbound cap). */
    int buffered() {
        return buffer == null ? 0 : buffer.buffered();
    }

    boolean isEmpty() {
        return buffer == null || buffer.isEmpty();
    }

    /** Bytes waiting to be sent: plaintext, and with TLS the records not yet written. */
    int queued() {
        return tls == null ? buffered() : buffered() + tls.pendingBytes();
    }

    // ---- writes, loop thread (the connection checked the thread) ----

    int write(ByteBuffer src) {
        int len = src.remaining();
        checkWritable(len);
        if (len > 0) {
            buffer().write(src);
            afterWrite();
        }
        return len;
    }

    int write(byte[] src, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, src.length);
        checkWritable(len);
        if (len > 0) {
            buffer().write(src, off, len);
            afterWrite();
        }
        return len;
    }

    long writev(ByteBuffer[] srcs) {
        long total = 0;
        for (ByteBuffer src : srcs) {
            total += src.remaining();
        }
        checkWritable(total);
        for (ByteBuffer src : srcs) {
            buffer().write(src);
        }
        if (total > 0) {
            afterWrite();
        }
        return total;
    }

    private void checkWritable(long len) {
        if (!conn.isOpenOnLoop()) {
            throw new ConnectionClosedException("connection from " + conn.remoteAddress + " is closed");
        }
        if (buffered() + len > conn.options().maxOutboundBuffered()) {
            throw new OutboundLimitException("writing " + len + " bytes to " + conn.remoteAddress + " would queue "
                    + (buffered() + len) + " bytes, over maxOutboundBuffered "
                    + conn.options().maxOutboundBuffered() + ": the peer is not reading");
        }
    }

    private void afterWrite() {
        if (!conn.inCallback()) {
            flush();
        } else if (!readPaused && buffered() >= conn.options().writeBufferHighWaterMark()) {
            updateReadPause(buffered());
        }
    }

    /** The loop-thread half of {@link TcpConn#asyncWrite}/{@link TcpConn#asyncWritev}. */
    void writeFromTask(ByteBuffer single, ByteBuffer[] many, Callback callback) {
        if (!conn.isOpenOnLoop()) {
            conn.complete(callback, new ConnectionClosedException("connection from " + conn.remoteAddress + " is closed"));
            return;
        }
        long len = 0;
        if (single != null) {
            len = single.remaining();
        } else {
            for (ByteBuffer b : many) {
                len += b.remaining();
            }
        }
        if (buffered() + len > conn.options().maxOutboundBuffered()) {
            conn.complete(callback, new OutboundLimitException("asyncWrite of " + len + " bytes to " + conn.remoteAddress
                    + " refused: " + buffered() + " bytes already queued, maxOutboundBuffered "
                    + conn.options().maxOutboundBuffered() + ": the peer is not reading"));
            return;
        }
        if (single != null) {
            buffer().write(single);
        } else {
            for (ByteBuffer b : many) {
                buffer().write(b);
            }
        }
        flush();
        conn.complete(callback, conn.isClosedOnLoop() ? new ConnectionClosedException("connection from "
                + conn.remoteAddress + " closed while writing") : null);
    }

    // ---- sending ----

    /** Sends what is queued (with TLS: wrapped, and handshake messages), then adjusts interest. */
    void flush() {
        if (conn.isClosedOnLoop()) {
            return;
        }
        if (tls != null) {
            if (!tls.flush(buffer(), conn.isClosingOnLoop()) || conn.isClosedOnLoop()) {
                return;
            }
        } else if (!isEmpty()) {
            try {
                for (int i = 0; i < WRITE_SPIN && !isEmpty(); i++) {
                    if (buffer.writeTo(conn.socketChannel()) == 0) {
                        break;
                    }
                    conn.markActive();
                }
            } catch (IOException e) {
                conn.closeNow(e);
                return;
            }
        }
        int queued = queued();
        if (queued == 0) {
            if (tls != null) {
                buffer.trim(); // made by tls.flush above; TLS drains plaintext by copying, not by writeTo
            }
            conn.setInterest(conn.interestOps() & ~SelectionKey.OP_WRITE);
            if (conn.isClosingOnLoop()) {
                conn.finishClose();
                return;
            }
        } else {
            conn.setInterest(conn.interestOps() | SelectionKey.OP_WRITE);
        }
        updateReadPause(queued);
    }

    private void updateReadPause(int queued) {
        if (!conn.isOpenOnLoop()) {
            return; // closing reads (and drops) input whatever is queued: see GracefulClose.drain
        }
        if (!readPaused && queued >= conn.options().writeBufferHighWaterMark()) {
            readPaused = true;
            conn.pauseReading();
        } else if (readPaused && queued <= conn.options().writeBufferLowWaterMark() && conn.isOpenOnLoop()) {
            readPaused = false;
            conn.resumeReading();
        }
    }

    /**
     * The engine is stopping: one last try to send what is queued.
     *
     * @return {@code false} if the connection was closed here
     */
    boolean flushForShutdown() {
        if (tls != null) {
            tls.flushForShutdown(buffer());
            return !conn.isClosedOnLoop();
        }
        if (!isEmpty()) {
            try {
                buffer.writeTo(conn.socketChannel());
            } catch (IOException e) {
                conn.closeNow(e);
                return false;
            }
        }
        return true;
    }

    // ---- memory ----

    /** One sweep tick of an open connection idle for {@code idleTicks}: a quiet one gives back its kept chunk. */
    void trimIfQuiet(int idleTicks) {
        if (idleTicks == TRIM_AFTER_TICKS && buffer != null && queued() == 0) {
            buffer.trim(); // quiet for a whole sweep interval: the kept outbound chunk goes back
        }
    }

    /** Drops everything and gives the memory back. */
    void release() {
        if (buffer != null) {
            buffer.release();
        }
    }
}
