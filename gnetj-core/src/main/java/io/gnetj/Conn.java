package io.gnetj;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import javax.net.ssl.SSLSession;

/**
 * One connection, owned by one event loop for its whole life.
 *
 * <h2>Threads</h2>
 * Every method may be called on the connection's event loop thread (inside a handler callback or a
 * {@link Callback}); {@link #inEventLoop()} tells whether the current thread is it. From any other
 * thread only {@link #asyncWrite}, {@link #asyncWritev}, {@link #wake}, {@link #close()},
 * {@link #close(Callback)}, {@link #abort}, {@link #pauseReading()}, {@link #resumeReading()},
 * {@link #isOpen()}, {@link #isWritable()}, {@link #outboundBuffered()} (an approximate figure; not
 * on UDP), the socket option setters, {@link #context()}, the addresses, {@link #tlsSession()} and
 * {@link #applicationProtocol()} may be called; the rest (reading, {@code write}, {@code flush})
 * throw {@link IllegalStateException}.
 *
 * <h2>Inbound bytes and views</h2>
 * {@link #next}, {@link #peek} return read-only {@link ByteBuffer} views of the connection's
 * inbound bytes, without copying: position..limit spans the bytes. A view is valid until the
 * handler callback returns or the next call to {@code next}, {@code peek}, {@code read} or
 * {@code discard} (whichever comes first); its memory is then reused for other data. Copy what
 * must outlive it. Handing a view to {@link #asyncWrite} of any connection is safe: read-only
 * buffers are copied at the call.
 *
 * <h2>Outbound bytes</h2>
 * {@link #write} copies the bytes (the source may be reused as soon as it returns) into the
 * connection's outbound buffer. Queued bytes go out in one write when the connection's callback
 * returns, or, for writes made elsewhere on the loop (another connection's callback, a
 * {@link Callback}, a batch of {@code asyncWrite}s), when the loop finishes that step; always in
 * the order they were written. What the kernel does not take waits until the socket is writable.
 * Past {@link Options#writeBufferHighWaterMark()} queued bytes, the loop stops reading from this
 * connection until they drain below {@link Options#writeBufferLowWaterMark()}.
 *
 * <h2>Nothing lost silently</h2>
 * A stream never continues after a hole: a write refused because it would pass
 * {@link Options#maxOutboundBuffered()} ({@code write}, {@code writev} or {@code asyncWrite},
 * with or without a callback) closes the connection, and {@link OutboundLimitException} is thrown
 * (or given to the callback) and is the cause {@link EventHandler#onClose} receives. Whenever a
 * connection closes with bytes still queued (an abort, a peer that stopped reading past
 * {@link Options#closeTimeout()}, the engine's stop), the cause given to {@code onClose} says how
 * many were dropped.
 *
 * <h2>UDP</h2>
 * A UDP server hands {@code onTraffic} one datagram at a time, on a connection that names its
 * sender; there is no {@code onOpen}/{@code onClose} for those. What the handler does not consume
 * of a datagram is dropped when the callback returns (datagrams are not a stream). Each
 * {@code write} sends one datagram back to the sender (a {@code writev} one datagram of all its
 * buffers); {@link #asyncWrite} works from any thread, later too. A dialed (connected) UDP
 * connection gets {@code onOpen}/{@code onClose} like a stream.
 *
 * <h2>TLS</h2>
 * On a TLS connection (a {@code tls://} address, see {@link TlsConfig}) the handler sees plaintext:
 * {@code onOpen} runs once the handshake completed, {@code next}/{@code peek}/{@code read} return
 * decrypted bytes, {@code write} takes plaintext (byte counts such as {@link #outboundBuffered()}
 * count plaintext), and {@link #close()} sends {@code close_notify} after the queued bytes.
 * {@link #tlsSession()} and {@link #applicationProtocol()} tell what was negotiated.
 *
 * <h2>After close</h2>
 * {@link #context()}, {@link #localAddress()} and {@link #remoteAddress()} stay readable.
 * Reads return nothing; writes throw {@link ConnectionClosedException}; async operations fail
 * their callback with it.
 */
public interface Conn {

    // ---- inbound (loop thread) ----

    /**
     * Returns a view of the next {@code min(n, inboundBuffered())} bytes and consumes them. A
     * negative {@code n} means every byte buffered. Loop thread only (elsewhere it throws
     * {@link IllegalStateException}).
     *
     * <p>The view is read-only and lent: valid until the callback returns or the next
     * {@code next}, {@code peek}, {@code read} or {@code discard} on this connection, whichever
     * comes first; copy what must outlive it.
     */
    ByteBuffer next(int n);

    /**
     * Returns a view of the next {@code min(n, inboundBuffered())} bytes without consuming them. A
     * negative {@code n} means every byte buffered. Loop thread only (elsewhere it throws
     * {@link IllegalStateException}).
     *
     * <p>The view is read-only and lent, valid as long as one from {@link #next}.
     */
    ByteBuffer peek(int n);

    /**
     * Consumes up to {@code n} bytes without looking at them; a negative {@code n} means all. Loop
     * thread only (elsewhere it throws {@link IllegalStateException}). Ends the validity of views
     * handed out before.
     *
     * @return bytes consumed
     */
    int discard(int n);

    /**
     * Copies up to {@code dst.remaining()} bytes into {@code dst} and consumes them. Loop thread
     * only (elsewhere it throws {@link IllegalStateException}). {@code dst} is the caller's: it is
     * written and its position advanced, not kept.
     *
     * @return bytes copied
     */
    int read(ByteBuffer dst);

    /**
     * Bytes received and not yet consumed. Loop thread only (elsewhere it throws
     * {@link IllegalStateException}).
     */
    int inboundBuffered();

    // ---- outbound (loop thread) ----

    /**
     * Queues all remaining bytes of {@code src} (advancing its position to its limit) for sending.
     * Loop thread only (elsewhere it throws {@link IllegalStateException}; use
     * {@link #asyncWrite}). The bytes are copied at the call (on UDP: sent at once as one datagram,
     * or dropped, returning 0, if the kernel has no room), so {@code src} may be reused as soon as
     * this returns; it is not kept.
     *
     * @return bytes queued
     * @throws ConnectionClosedException if the connection is closed
     * @throws OutboundLimitException    if the bytes would pass {@link Options#maxOutboundBuffered()};
     *                                   thrown from a handler, it closes the connection
     */
    int write(ByteBuffer src);

    /**
     * As {@link #write(ByteBuffer)}, for {@code len} bytes of {@code src} from {@code off}. Loop
     * thread only; the array is copied at the call and may be reused as soon as this returns.
     */
    int write(byte[] src, int off, int len);

    /**
     * As {@link #write(ByteBuffer)}, for all of {@code src}. Loop thread only; the array is copied
     * at the call and may be reused as soon as this returns.
     */
    default int write(byte[] src) {
        return write(src, 0, src.length);
    }

    /**
     * Queues the remaining bytes of every buffer, in order, as one unit (all or none past the
     * outbound limit; on UDP: one datagram of all of them, sent at once). Loop thread only
     * (elsewhere it throws {@link IllegalStateException}). Each buffer's position advances to its
     * limit; the bytes are copied at the call, so the buffers may be reused as soon as this
     * returns.
     *
     * @return bytes queued
     */
    long writev(ByteBuffer... srcs);

    /**
     * Queues {@code count} bytes of {@code file} from {@code position} for sending, in order with
     * the writes before and after it. Loop thread only (elsewhere it throws
     * {@link IllegalStateException}).
     *
     * <p>Plaintext TCP and unix streams send them with {@link FileChannel#transferTo} (the kernel
     * copies file to socket; no byte passes through the Java heap or a pooled buffer); TLS reads
     * them into one pooled chunk of at most 16 KiB at a time and encrypts from it. Either way the
     * memory a file takes in the outbound queue is a small constant, so files never count
     * against {@link Options#maxOutboundBuffered()}; their unsent bytes do count in
     * {@link #outboundBuffered()} and the water marks, so {@link #isWritable()} turns false while
     * a large file is on its way and reading pauses as for any queued output.
     *
     * <p>The file stays the caller's: gnetj reads it by position (its position never moves, so one
     * channel may be sent to many connections at once) and never closes it; close it once
     * {@code callback} ran. A file that turns out shorter than {@code position + count} while
     * being sent closes the connection with an {@link java.io.EOFException}: the peer must not
     * take a short file for a whole one.
     *
     * @param callback told once all {@code count} bytes went to the transport (error
     *                 {@code null}), or why they did not: the cause the connection closed with
     *                 ({@link ConnectionClosedException} if it closed in order with the file
     *                 unsent). It runs on the loop, as a task, never nested in a callback; may be
     *                 {@code null}.
     * @throws IllegalArgumentException      if {@code position} or {@code count} is negative, or
     *                                       the range ends beyond the file's current size
     * @throws java.io.UncheckedIOException  if the file's size cannot be read
     * @throws ConnectionClosedException     if the connection is closed or its output shut down
     * @throws UnsupportedOperationException on UDP connections
     */
    void sendFile(FileChannel file, long position, long count, Callback callback);

    /**
     * Sends queued bytes now instead of when the current callback returns. Bytes the kernel does
     * not take stay queued. Loop thread only (elsewhere it throws {@link IllegalStateException}).
     */
    void flush();

    /**
     * Ends this side of the stream once the queued bytes are sent: a TCP FIN, so the peer reads
     * end of input, while this side keeps reading ({@link EventHandler#onTraffic}) until the peer
     * ends its side too; then the connection closes ({@code onClose} with no cause). A proxy
     * passes a half-close through with it (see {@link Options#halfClose()}). Writes after it fail
     * with {@link ConnectionClosedException}. Idempotent; does nothing on a closing connection.
     * Loop thread only (elsewhere it throws {@link IllegalStateException}).
     *
     * @throws UnsupportedOperationException on TLS connections (whose close_notify ends both ways)
     *                                       and UDP, from any thread
     */
    void shutdownOutput();

    /**
     * Bytes queued for sending (with TLS: plaintext). Exact on the loop thread; from any other
     * thread an approximate figure, racy but safe, which a broadcaster can use to see a lagging
     * receiver. On UDP (nothing is ever queued) it is 0. Any thread.
     */
    int outboundBuffered();

    /**
     * Whether the queued bytes are under {@link Options#writeBufferHighWaterMark()}: {@code false}
     * from the moment they reach it until they drain to {@link Options#writeBufferLowWaterMark()}
     * (reading from the connection is paused meanwhile). {@link EventHandler#onWritabilityChanged}
     * reports each change. Always {@code true} on UDP. Any thread; from others a racy but safe
     * reading.
     */
    boolean isWritable();

    // ---- any thread ----

    /**
     * Sends the bytes between {@code src}'s position and limit. Any thread: they are queued on
     * the connection's loop, after everything written before on that loop.
     *
     * <p>{@code src} itself is never modified (its position does not move), so one buffer may be
     * given to many connections (a broadcast) and each sends all of it. Its bytes are read:
     * <ul>
     *   <li>at the call, if {@code src} is read-only (they are copied; every view gnetj lends is
     *       read-only, so relaying {@code conn.next(-1)} to another connection is safe), or if
     *       this is the connection's own loop thread (they are queued at once, in program order
     *       with {@link #write}; on UDP the datagram is sent at once);
     *   <li>otherwise on the loop, later: do not change them until {@code callback} runs.
     * </ul>
     * A write refused by {@link Options#maxOutboundBuffered()} closes the connection (see
     * "Nothing lost silently" above), with or without a callback.
     *
     * @param callback told once the bytes are queued (error {@code null}), or why not
     *                 ({@link ConnectionClosedException}, {@link OutboundLimitException}); may be
     *                 {@code null}. It runs on the loop, never nested in a callback of the caller.
     */
    void asyncWrite(ByteBuffer src, Callback callback);

    /**
     * As {@link #asyncWrite(ByteBuffer, Callback)} for {@code len} bytes of {@code src} from
     * {@code off}. Any thread. The bytes are copied at the call: the array may be reused as soon as
     * this returns.
     */
    default void asyncWrite(byte[] src, int off, int len, Callback callback) {
        java.util.Objects.checkFromIndexSize(off, len, src.length);
        asyncWrite(ByteBuffer.wrap(java.util.Arrays.copyOfRange(src, off, off + len)), callback);
    }

    /**
     * As {@link #asyncWrite(byte[], int, int, Callback)} for all of {@code src}. Any thread; the
     * array may be reused as soon as this returns.
     */
    default void asyncWrite(byte[] src, Callback callback) {
        asyncWrite(src, 0, src.length, callback);
    }

    /**
     * As {@link #asyncWrite(ByteBuffer, Callback)}, for several buffers sent in order as one unit
     * (all or none past the cap; on UDP one datagram). Any thread. No buffer's position moves, and
     * the array itself is not kept (it may be reused at once). The bytes are read as for
     * {@code asyncWrite}, with one difference off the loop thread: on a stream connection, if any
     * buffer is read-only, all of them are copied at the call; on UDP only the read-only ones are.
     * Bytes not read at the call must not change until {@code callback} runs.
     */
    void asyncWritev(ByteBuffer[] srcs, Callback callback);

    /**
     * Runs {@link EventHandler#onTraffic} for this connection on its loop, as if bytes had arrived
     * (for example to make a handler look at a result computed elsewhere), then {@code callback}.
     * Any thread; always posted as a task, even from the loop thread, so it never runs nested.
     */
    void wake(Callback callback);

    /**
     * Closes the connection: stops reading, sends what is queued (waiting at most
     * {@link Options#closeTimeout()} for the peer to take it), closes the socket and runs
     * {@link EventHandler#onClose}. Idempotent. Any thread; on a stream connection
     * {@link #isOpen()} is {@code false} once it returns. Inside this connection's own callback the
     * close starts when the callback returns.
     */
    void close();

    /**
     * As {@link #close()}, then {@code callback} on the loop once the connection is closed. Any
     * thread. Inside this connection's own callback the close starts when the callback returns;
     * anywhere else, the loop thread included (another connection's callback, a task), it is
     * posted to the loop, so {@code onClose} and {@code callback} never run nested in the caller
     * (which may be iterating the very set {@code onClose} removes the connection from).
     */
    void close(Callback callback);

    /**
     * Closes the connection at once, without waiting for queued bytes to go out, and gives
     * {@code cause} to {@link EventHandler#onClose}; with a {@code null} cause, {@code onClose}
     * gets {@code null} if nothing was queued, else a {@link ConnectionClosedException} saying how
     * many bytes were dropped. Any thread; inside this connection's own callback it takes
     * effect when the callback returns (the views it holds stay valid until then), anywhere else
     * as the loop's next task, so {@code onClose} never runs nested in the caller. Idempotent: a
     * connection already closed stays closed, with its first cause.
     */
    void abort(Throwable cause);

    /**
     * {@code false} once the connection is closed or closing (on a stream connection: as soon as
     * {@link #close()} or {@link #abort} returned, on any thread; on UDP once the close ran on the
     * loop). Any thread.
     */
    boolean isOpen();

    /**
     * Stops reading from this connection until {@link #resumeReading()}: no {@code onTraffic} for
     * new bytes meanwhile (a {@link #wake} still runs one), and the peer is held back by TCP flow
     * control once the kernel buffers fill. For a relay whose other side is slow. Independent of
     * the engine's own pauses (water marks, the memory budget): reading resumes when none is left.
     * Idempotent. Any thread (from others it takes effect on the loop, soon). Does nothing on a
     * UDP server's per-datagram connection, whose socket the listener shares.
     */
    void pauseReading();

    /**
     * Undoes {@link #pauseReading()}; if bytes are buffered unconsumed, {@code onTraffic} runs for
     * them. Idempotent. Any thread (from others it takes effect on the loop, soon).
     */
    void resumeReading();

    /**
     * Whether the calling thread is this connection's event loop: the loop-thread methods may be
     * called. Any thread.
     */
    boolean inEventLoop();

    /**
     * The event loop serving this connection, for the whole of its life: run a task or a timer
     * where the connection lives ({@link EventLoop#execute}, {@link EventLoop#schedule}), or dial
     * a connection onto the same loop ({@link EventLoop#dial}). Any thread.
     */
    EventLoop eventLoop();

    // ---- context and addresses (any thread) ----

    /**
     * The PROXY protocol header the connection came with ({@link Options#proxyProtocol()}), or
     * {@code null}: not on such a listener, dialed, or UDP. When it names the client,
     * {@link #remoteAddress()} and {@link #localAddress()} already report its addresses. Any
     * thread.
     */
    default ProxyHeader proxyHeader() {
        return null;
    }

    /**
     * The object attached with {@link #context(Object)}, or {@code null}. Any thread; readable
     * after close.
     */
    <T> T context();

    /**
     * Attaches any object to this connection. Any thread: the reference is published safely
     * (a volatile field); guarding the object's own state across threads is the caller's part.
     */
    void context(Object context);

    /** This side's address. Any thread; readable after close. */
    SocketAddress localAddress();

    /** The peer's address. Any thread; readable after close. */
    SocketAddress remoteAddress();

    // ---- TLS (any thread) ----

    /**
     * The TLS session negotiated (protocol, cipher suite, peer certificates; on a server an
     * {@link javax.net.ssl.ExtendedSSLSession} whose {@code getRequestedServerNames()} holds the
     * client's SNI), or {@code null} for a plain connection or before the handshake completed.
     * Any thread; readable from {@code onOpen} on and after close.
     */
    default SSLSession tlsSession() {
        return null;
    }

    /**
     * The protocol negotiated with ALPN ({@link TlsConfig#applicationProtocols()}), e.g.
     * {@code "http/1.1"}, or {@code null} for a plain connection or when none was agreed. Any
     * thread.
     */
    default String applicationProtocol() {
        return null;
    }

    // ---- socket options (any thread) ----

    /**
     * Sets {@code TCP_NODELAY}. Any thread; ignored once the connection is closed.
     *
     * @throws UnsupportedOperationException on UDP
     */
    void setTcpNoDelay(boolean on);

    /**
     * Sets {@code SO_KEEPALIVE}, and where the platform allows, the idle time before probes, the
     * interval between them and how many are sent. With an idle time given, a zero or negative
     * interval means a fifth of it (at least a second) and a zero or negative count means 5, as in
     * gnet; with none, the system's values stay. Any thread; ignored once the connection is closed.
     *
     * @throws UnsupportedOperationException on UDP
     */
    void setKeepAlive(boolean on, int idleSeconds, int intervalSeconds, int count);

    /**
     * Sets {@code SO_LINGER} in seconds; negative turns it off. Any thread; ignored once closed.
     *
     * @throws UnsupportedOperationException on UDP
     */
    void setLinger(int seconds);

    /** Sets {@code SO_RCVBUF}. Any thread; ignored once the connection is closed. */
    void setReceiveBufferSize(int bytes);

    /**
     * Sets {@code SO_SNDBUF}: how much the kernel takes before bytes stay in gnetj's outbound
     * queue (where the water marks and {@link Options#maxOutboundBuffered()} count them). Any
     * thread; ignored once the connection is closed.
     */
    void setSendBufferSize(int bytes);

    // ---- UDP ----

    /**
     * UDP only: sends the remaining bytes of {@code src} as one datagram to {@code target}, from
     * this connection's socket. Loop thread only (elsewhere it throws
     * {@link IllegalStateException}). A datagram is sent whole or not at all, at the call:
     * {@code src}'s position advances and it may be reused as soon as this returns.
     *
     * @return bytes sent: all of them, or 0 if the kernel had no room and dropped the datagram
     *         (counted and logged, as every dropped datagram is)
     * @throws UnsupportedOperationException on a stream (TCP or Unix) connection
     */
    default int sendTo(ByteBuffer src, SocketAddress target) {
        throw new UnsupportedOperationException("sendTo is for UDP connections; this is a stream connection");
    }
}
