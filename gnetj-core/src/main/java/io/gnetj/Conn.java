package io.gnetj;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLSession;

/**
 * One connection, owned by one event loop for its whole life.
 *
 * <h2>Threads</h2>
 * Every method may be called on the connection's event loop thread (inside a handler callback or
 * a {@link Callback}). From any other thread only {@link #asyncWrite}, {@link #asyncWritev},
 * {@link #wake}, {@link #close()}, {@link #close(Callback)}, {@link #isOpen()},
 * {@link #context()}, {@link #localAddress()}, {@link #remoteAddress()}, {@link #tlsSession()} and
 * {@link #applicationProtocol()} may be called; the rest throw {@link IllegalStateException}.
 *
 * <h2>Inbound bytes and views</h2>
 * {@link #next}, {@link #peek} return {@link ByteBuffer} views of the connection's inbound bytes,
 * without copying: position..limit spans the bytes. A view is valid until the handler callback
 * returns or the next call to {@code next}, {@code peek}, {@code read} or {@code discard}
 * (whichever comes first); its memory is then reused for other data. Copy what must outlive it.
 * Never write into a view.
 *
 * <h2>Outbound bytes</h2>
 * {@link #write} copies the bytes (the source may be reused as soon as it returns) into the
 * connection's outbound buffer; writes made inside a callback are sent together when the callback
 * returns, others at once. What the kernel does not take waits in the outbound buffer until the
 * socket is writable. Past {@link Options#writeBufferHighWaterMark()} queued bytes, the loop stops
 * reading from this connection until they drain below {@link Options#writeBufferLowWaterMark()};
 * past {@link Options#maxOutboundBuffered()} a write is refused with
 * {@link OutboundLimitException}.
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
 * On a TLS connection (a {@code tls://} address, see {@link TlsConfig}) the handler sees
 * plaintext: {@code onOpen} runs once the handshake completed, {@code next}/{@code peek}/{@code read}
 * return decrypted bytes, {@code write} takes plaintext (byte counts such as
 * {@link #outboundBuffered()} count plaintext), and {@link #close()} sends {@code close_notify}
 * after the queued bytes. {@link #tlsSession()} and {@link #applicationProtocol()} tell what was
 * negotiated.
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
     * negative {@code n} means every byte buffered.
     */
    ByteBuffer next(int n);

    /**
     * Returns a view of the next {@code min(n, inboundBuffered())} bytes without consuming them. A
     * negative {@code n} means every byte buffered.
     */
    ByteBuffer peek(int n);

    /**
     * Consumes up to {@code n} bytes without looking at them; a negative {@code n} means all.
     *
     * @return bytes consumed
     */
    int discard(int n);

    /**
     * Copies up to {@code dst.remaining()} bytes into {@code dst} and consumes them.
     *
     * @return bytes copied
     */
    int read(ByteBuffer dst);

    /** Bytes received and not yet consumed. */
    int inboundBuffered();

    // ---- outbound (loop thread) ----

    /**
     * Queues all remaining bytes of {@code src} (advancing its position) for sending.
     *
     * @return bytes queued
     * @throws ConnectionClosedException if the connection is closed
     * @throws OutboundLimitException    if the bytes would pass {@link Options#maxOutboundBuffered()};
     *                                   thrown from a handler, it closes the connection
     */
    int write(ByteBuffer src);

    /** As {@link #write(ByteBuffer)}, for {@code len} bytes of {@code src} from {@code off}. */
    int write(byte[] src, int off, int len);

    /** As {@link #write(ByteBuffer)}, for all of {@code src}. */
    default int write(byte[] src) {
        return write(src, 0, src.length);
    }

    /**
     * Queues the remaining bytes of every buffer, in order, as one unit (all or none past the
     * outbound limit).
     *
     * @return bytes queued
     */
    long writev(ByteBuffer... srcs);

    /**
     * Sends queued bytes now instead of when the current callback returns. Bytes the kernel does
     * not take stay queued.
     */
    void flush();

    /** Bytes queued for sending. */
    int outboundBuffered();

    // ---- any thread ----

    /**
     * Sends {@code src}'s remaining bytes from any thread: the write runs on the connection's loop.
     * {@code src} belongs to gnetj until {@code callback} runs (its position is then at its limit
     * when the write succeeded); do not touch it before.
     *
     * @param callback told once the bytes are queued or sent (error {@code null}), or why not
     *                 ({@link ConnectionClosedException}, {@link OutboundLimitException}); may be
     *                 {@code null}
     */
    void asyncWrite(ByteBuffer src, Callback callback);

    /** As {@link #asyncWrite}, for several buffers sent in order as one unit. */
    void asyncWritev(ByteBuffer[] srcs, Callback callback);

    /**
     * Runs {@link EventHandler#onTraffic} for this connection on its loop, as if bytes had arrived
     * (for example to make a handler look at a result computed elsewhere), then {@code callback}.
     */
    void wake(Callback callback);

    /**
     * Closes the connection: stops reading, sends what is queued (waiting at most
     * {@link Options#closeTimeout()} for the peer to take it), closes the socket and runs
     * {@link EventHandler#onClose}. Idempotent; from any thread.
     */
    void close();

    /** As {@link #close()}, then {@code callback} (on the loop) once the connection is closed. */
    void close(Callback callback);

    /** {@code false} once the connection is closed or closing. */
    boolean isOpen();

    // ---- context and addresses (any thread) ----

    /** The object attached with {@link #context(Object)}, or {@code null}. */
    <T> T context();

    /** Attaches any object to this connection (loop thread, or before the connection is shared). */
    void context(Object context);

    /** This side's address. Readable after close. */
    SocketAddress localAddress();

    /** The peer's address. Readable after close. */
    SocketAddress remoteAddress();

    // ---- TLS (any thread) ----

    /**
     * The TLS session negotiated (protocol, cipher suite, peer certificates; on a server an
     * {@link javax.net.ssl.ExtendedSSLSession} whose {@code getRequestedServerNames()} holds the
     * client's SNI), or {@code null} for a plain connection. Readable from {@code onOpen} on and
     * after close.
     */
    default SSLSession tlsSession() {
        return null;
    }

    /**
     * The protocol negotiated with ALPN ({@link TlsConfig#applicationProtocols()}), e.g.
     * {@code "http/1.1"}, or {@code null} for a plain connection or when none was agreed.
     */
    default String applicationProtocol() {
        return null;
    }

    // ---- socket options (loop thread) ----

    /** Sets {@code TCP_NODELAY}. */
    void setTcpNoDelay(boolean on);

    /**
     * Sets {@code SO_KEEPALIVE}, and where the platform allows, the idle time before probes,
     * the interval between them and how many are sent (a zero or negative value keeps the system's).
     */
    void setKeepAlive(boolean on, int idleSeconds, int intervalSeconds, int count);

    /** Sets {@code SO_LINGER} in seconds; negative turns it off. */
    void setLinger(int seconds);

    /** Sets {@code SO_RCVBUF}. */
    void setReceiveBufferSize(int bytes);

    /** Sets {@code SO_SNDBUF}. */
    void setSendBufferSize(int bytes);

    // ---- UDP ----

    /**
     * UDP only: sends the remaining bytes of {@code src} as one datagram to {@code target}, from
     * this connection's socket (loop thread). A datagram is sent whole or not at all.
     *
     * @return bytes sent: all of them, or 0 if the kernel had no room and dropped the datagram
     *         (counted and logged, as every dropped datagram is)
     * @throws UnsupportedOperationException on a stream (TCP or Unix) connection
     */
    default int sendTo(ByteBuffer src, SocketAddress target) {
        throw new UnsupportedOperationException("sendTo is for UDP connections; this is a stream connection");
    }
}
