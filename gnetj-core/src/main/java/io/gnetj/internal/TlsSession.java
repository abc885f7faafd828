package io.gnetj.internal;

import io.gnetj.TlsConfig;
import io.gnetj.buffer.BufferAllocator;
import io.gnetj.buffer.PooledBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * The TLS layer of one {@link TcpConn}: an {@link SSLEngine} between the socket and the
 * connection's plaintext buffers.
 *
 * <pre>
 *   socket ──read──► loop's netIn scratch [kept partial record | new ciphertext] ──unwrap──► plaintext
 *   conn's outbound (plaintext) ──wrap──► loop's netOut scratch ──write──► socket
 * </pre>
 *
 * <h2>Passive</h2>
 * The session reports what happened and never calls the connection or the handler: {@link #unwrap}
 * returns whether plaintext came, the handshake wants to send or run a task, input ran out, or
 * the peer closed; {@link #flush} whether everything went out, the socket is full, or a task must
 * run; the handshake's end is an event the connection takes with {@link #takeHandshakeFinished()}.
 * So a handler callback never runs inside the session, and the session is never re-entered.
 *
 * <h2>Memory</h2>
 * Ciphertext is read into and wrapped into the loop's shared scratch buffers; what must outlive an
 * event (a partial record, ciphertext the kernel did not take) is copied into a pooled chunk of
 * the session's own, sized to it and given back as soon as it is used up. An idle TLS connection
 * holds no buffer memory, and one holding a few bytes of a record holds a chunk of the pool's
 * smallest class, not a record-sized one. What the {@link SSLEngine} itself keeps is the JDK's.
 *
 * <h2>Handshake</h2>
 * Delegated tasks (the public-key work) run off the loop, on the executor the connection gives
 * them to; meanwhile the connection stops reading. TLS 1.2 renegotiation is refused: any
 * handshake message after the first handshake fails the session. (TLS 1.3 has no renegotiation;
 * its post-handshake messages, tickets and key updates, are answered.)
 *
 * <p>Threading: the connection's loop thread, except {@link #runDelegatedTasks()}, which runs on
 * the task executor and touches only the engine (itself thread-safe).
 */
final class TlsSession {

    /** {@link #unwrap} results. */
    static final int NEED_INPUT = 0;
    static final int PLAINTEXT = 1;
    static final int NEED_WRAP = 2;
    static final int NEED_TASK = 3;
    static final int PEER_CLOSED = 4;
    static final int PROGRESS = 5;

    /** {@link #flush} results. */
    static final int SENT = 0;
    static final int PENDING = 1;
    static final int TASK = 2;
    /** Our side of the session is closed (close_notify went out): queued plaintext cannot be sent. */
    static final int OUTBOUND_CLOSED = 3;

    private static final ByteBuffer[] NO_PLAINTEXT = new ByteBuffer[0];
    private static final int WRITE_SPIN = 16;
    /** Plaintext offered to one wrap: one full record. */
    private static final int RECORD_PLAINTEXT = 16 * 1024;

    private final SSLEngine engine;
    private final BufferAllocator allocator;
    private final boolean client;
    /** The peer, for messages: the dialed address, or the remote address. */
    private final String peer;
    private final ByteBuffer[] views = new ByteBuffer[8];
    private int packetSize;
    private int appSize;

    /** A partial record carried from one read to the next; {@code null} when none. */
    private PooledBuffer keptIn;
    /** Ciphertext the kernel did not take yet, in read mode; {@code null} when none. */
    private PooledBuffer keptOut;
    private boolean started;
    private volatile boolean handshakeDone;
    private boolean handshakeFinishedEvent;
    private boolean taskRunning;
    private boolean closeNotifyQueued;
    private boolean refuseHandshakes;
    private boolean released;
    private int handshakeTicks;
    /** Bytes the last {@link #flush} handed to the kernel (progress, for the idle timeout). */
    private long lastWritten;
    /** Write syscalls the last {@link #flush} made. */
    private int lastWrites;

    private TlsSession(SSLEngine engine, BufferAllocator allocator, boolean client, String peer) {
        this.engine = engine;
        this.allocator = allocator;
        this.client = client;
        this.peer = peer;
        SSLSession session = engine.getSession();
        this.packetSize = session.getPacketBufferSize();
        this.appSize = session.getApplicationBufferSize();
    }

    /** A server-side session for an accepted connection from {@code peer}. */
    static TlsSession server(TlsConfig config, BufferAllocator allocator, String peer) {
        SSLEngine engine = config.sslContext().createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters p = parameters(engine, config);
        if (config.clientAuth() == TlsConfig.ClientAuth.NEED) {
            p.setNeedClientAuth(true);
        } else if (config.clientAuth() == TlsConfig.ClientAuth.WANT) {
            p.setWantClientAuth(true);
        }
        engine.setSSLParameters(p);
        return new TlsSession(engine, allocator, false, peer);
    }

    /**
     * A client-side session for a dial of {@code host:port}: the certificate must name
     * {@code host} (unless verification is off or the config names another server), and a host
     * name (not an IP literal) goes out as SNI.
     */
    static TlsSession client(TlsConfig config, BufferAllocator allocator, String host, int port, String dialed) {
        String name = config.serverName() != null ? config.serverName() : host;
        SSLEngine engine = name == null || name.isEmpty()
                ? config.sslContext().createSSLEngine()
                : config.sslContext().createSSLEngine(name, port);
        engine.setUseClientMode(true);
        SSLParameters p = parameters(engine, config);
        if (config.hostnameVerification()) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (name != null && !name.isEmpty() && !isIpLiteral(name)) {
            p.setServerNames(List.of(new SNIHostName(name)));
        }
        engine.setSSLParameters(p);
        return new TlsSession(engine, allocator, true, "'" + dialed + "'");
    }

    private static SSLParameters parameters(SSLEngine engine, TlsConfig config) {
        SSLParameters p = engine.getSSLParameters();
        p.setProtocols(config.protocols().toArray(new String[0]));
        if (!config.cipherSuites().isEmpty()) {
            p.setCipherSuites(config.cipherSuites().toArray(new String[0]));
        }
        if (!config.applicationProtocols().isEmpty()) {
            p.setApplicationProtocols(config.applicationProtocols().toArray(new String[0]));
        }
        return p;
    }

    /** IPv4 dotted quads and anything with a colon (IPv6): never sent as SNI (RFC 6066, section 3). */
    static boolean isIpLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    // ---- state ----

    boolean isClient() {
        return client;
    }

    /** The peer as messages name it. */
    String peer() {
        return peer;
    }

    /** Whether the first handshake has finished. */
    boolean handshakeDone() {
        return handshakeDone;
    }

    /** The handshake finished since the last call (once per session): the connection may open. */
    boolean takeHandshakeFinished() {
        boolean event = handshakeFinishedEvent;
        handshakeFinishedEvent = false;
        return event;
    }

    /** One sweep tick of the handshake timeout; {@code true} once {@code limit} ticks passed. */
    boolean handshakeTimedOut(int limit) {
        return ++handshakeTicks >= limit;
    }

    /** Ciphertext waiting for the socket. */
    int pendingBytes() {
        return keptOut == null ? 0 : keptOut.buffer().remaining();
    }

    /** Pooled bytes this session holds (kept input and output). */
    int heldBytes() {
        return (keptIn == null ? 0 : keptIn.capacity()) + (keptOut == null ? 0 : keptOut.capacity());
    }

    /** Bytes the last {@link #flush} wrote. */
    long lastWritten() {
        return lastWritten;
    }

    /** Write syscalls the last {@link #flush} made. */
    int lastWrites() {
        return lastWrites;
    }

    /** The record size the engine works with (for sizing the loop's scratch buffers). */
    int packetSize() {
        return packetSize;
    }

    /** The plaintext room one unwrap needs. */
    int applicationBufferSize() {
        return appSize;
    }

    /** The negotiated session once the handshake finished, else {@code null}. Any thread. */
    SSLSession session() {
        return handshakeDone ? engine.getSession() : null;
    }

    /** The ALPN protocol agreed, or {@code null}. Any thread. */
    String applicationProtocol() {
        String protocol = handshakeDone ? engine.getApplicationProtocol() : null;
        return protocol == null || protocol.isEmpty() ? null : protocol;
    }

    SSLHandshakeException timeoutException(java.time.Duration timeout) {
        return new SSLHandshakeException("no TLS handshake within handshakeTimeout " + timeout + " with " + peer);
    }

    /** How a failure is reported: a failed handshake of a dial names the address. */
    Throwable reportable(Throwable cause) {
        if (handshakeDone || !client) {
            return cause;
        }
        SSLHandshakeException dial = new SSLHandshakeException("cannot dial " + peer + ": TLS handshake failed: "
                + cause.getMessage());
        dial.initCause(cause);
        return dial;
    }

    // ---- handshake ----

    /** Begins the handshake: a client's first {@link #flush} then sends its hello; a server waits. */
    void begin() throws SSLException {
        started = true;
        engine.beginHandshake();
    }

    /** Started and not yet finished: the handshake timeout applies. */
    boolean handshaking() {
        return started && !handshakeDone;
    }

    /** Whether the engine asks to send handshake messages. */
    boolean needsWrap() {
        return engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP;
    }

    /** A delegated task runs off the loop; no reads or wraps until {@link #taskFinished()}. */
    void taskStarted() {
        taskRunning = true;
    }

    void taskFinished() {
        taskRunning = false;
    }

    boolean taskRunning() {
        return taskRunning;
    }

    /**
     * Runs the engine's delegated tasks; on the task executor's thread.
     *
     * @return {@code null}, or why a task failed
     */
    Throwable runDelegatedTasks() {
        try {
            Runnable task;
            while ((task = engine.getDelegatedTask()) != null) {
                task.run();
            }
            return null;
        } catch (Throwable t) {
            return t instanceof SSLException ? t : new SSLException("a TLS delegated task failed: " + t, t);
        }
    }

    private void handshakeFinished() {
        if (handshakeDone) {
            return; // the JDK reports FINISHED after post-handshake messages too (a TLS 1.3 ticket)
        }
        handshakeDone = true;
        handshakeFinishedEvent = true;
        SSLSession session = engine.getSession();
        packetSize = session.getPacketBufferSize();
        appSize = session.getApplicationBufferSize();
        refuseHandshakes = "TLSv1.2".equals(session.getProtocol());
    }

    // ---- input ----

    /**
     * Starts an input pass: clears {@code scratch} and puts the partial record kept from last time
     * at its front (giving its chunk back). The caller then reads after it, flips, unwraps, and
     * ends with {@link #endInput}.
     */
    void beginInput(ByteBuffer scratch) {
        scratch.clear();
        PooledBuffer kept = keptIn;
        if (kept != null) {
            keptIn = null;
            scratch.put(kept.buffer().flip());
            allocator.release(kept);
        }
    }

    /** Ends an input pass: what is left of {@code scratch} (a partial record) is kept, sized to it. */
    void endInput(ByteBuffer scratch) {
        int left = scratch.remaining();
        if (left > 0 && !released) {
            keptIn = allocator.take(left);
            keptIn.buffer().put(scratch);
        }
        scratch.clear();
    }

    /** Bytes of a partial record kept between reads. */
    int keptInput() {
        return keptIn == null ? 0 : keptIn.buffer().position();
    }

    /**
     * One batch of unwrapping from {@code src} (read mode) into {@code dst} (write mode), until dst
     * is full, the input runs out, or the handshake wants something.
     *
     * @return {@link #PLAINTEXT} (dst holds plaintext), {@link #NEED_INPUT}, {@link #NEED_WRAP},
     *         {@link #NEED_TASK}, {@link #PEER_CLOSED} (close_notify) or {@link #PROGRESS} (call again)
     * @throws SSLException on a protocol failure, including a refused renegotiation
     */
    int unwrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
        if (engine.isInboundDone()) {
            return PEER_CLOSED;
        }
        HandshakeStatus hs = engine.getHandshakeStatus();
        if (hs == HandshakeStatus.NEED_TASK) {
            return NEED_TASK;
        }
        if (hs == HandshakeStatus.NEED_WRAP) {
            return NEED_WRAP;
        }
        if (!src.hasRemaining()) {
            return NEED_INPUT;
        }
        SSLEngineResult r;
        int consumed = 0;
        int produced = 0;
        do {
            r = engine.unwrap(src, dst);
            consumed += r.bytesConsumed();
            produced += r.bytesProduced();
        } while (r.getStatus() == SSLEngineResult.Status.OK && r.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
                && src.hasRemaining() && dst.remaining() >= appSize && r.bytesConsumed() > 0);
        HandshakeStatus after = r.getHandshakeStatus();
        if (after == HandshakeStatus.FINISHED) {
            handshakeFinished();
        } else if (refuseHandshakes && handshakeDone && after != HandshakeStatus.NOT_HANDSHAKING) {
            throw new SSLException("TLS renegotiation refused (" + peer + " started a new TLS 1.2 handshake)");
        }
        switch (r.getStatus()) {
            case BUFFER_UNDERFLOW:
                packetSize = Math.max(packetSize, engine.getSession().getPacketBufferSize());
                return produced > 0 ? PLAINTEXT : NEED_INPUT;
            case BUFFER_OVERFLOW:
                if (produced == 0) {
                    appSize = engine.getSession().getApplicationBufferSize(); // the engine wants more room
                }
                return produced > 0 ? PLAINTEXT : PROGRESS;
            case CLOSED:
                // close_notify: what came before it is delivered first; the next call says closed
                return produced > 0 ? PLAINTEXT : PEER_CLOSED;
            default:
                return produced > 0 ? PLAINTEXT : consumed > 0 ? PROGRESS : NEED_INPUT;
        }
    }

    // ---- output ----

    /**
     * Sends: ciphertext kept from last time, then the handshake messages the engine asks for, then
     * (once established) the queued plaintext as records, then {@code close_notify} if
     * {@code closing}, wrapping into {@code scratch} and writing it, until the socket takes no more.
     * What the socket did not take is kept (see the class comment).
     *
     * @return {@link #SENT} (nothing left to send), {@link #PENDING} (the socket is full),
     *         {@link #TASK} (a delegated task must run first) or {@link #OUTBOUND_CLOSED}
     * @throws IOException from the socket or a file being sent, or an {@link SSLException} from the engine
     */
    int flush(OutboundQueue plaintext, GatheringByteChannel channel, ByteBuffer scratch, boolean closing)
            throws IOException {
        lastWritten = 0;
        lastWrites = 0;
        if (keptOut != null) {
            ByteBuffer out = keptOut.buffer();
            lastWrites++;
            lastWritten += channel.write(out);
            if (out.hasRemaining()) {
                return PENDING;
            }
            allocator.release(keptOut);
            keptOut = null;
        }
        for (int i = 0; i < WRITE_SPIN; i++) {
            scratch.clear();
            int filled = taskRunning ? SENT : fill(plaintext, scratch, closing);
            if (scratch.position() == 0) {
                return filled;
            }
            scratch.flip();
            lastWrites++;
            lastWritten += channel.write(scratch);
            if (scratch.hasRemaining()) {
                keptOut = allocator.take(scratch.remaining());
                keptOut.buffer().put(scratch).flip();
                return PENDING;
            }
            if (filled != SENT) {
                return filled;
            }
        }
        return PENDING; // more to wrap: OP_WRITE brings us back at once
    }

    /**
     * Wraps into {@code dst} whatever is due while it has room for a full record.
     *
     * @return {@link #SENT} when everything due is wrapped or dst is full, {@link #TASK} or
     *         {@link #OUTBOUND_CLOSED}
     */
    private int fill(OutboundQueue plaintext, ByteBuffer dst, boolean closing) throws IOException {
        while (true) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                return TASK;
            }
            boolean handshake = hs == HandshakeStatus.NEED_WRAP;
            if (!handshake) {
                if (!handshakeDone) {
                    return SENT;
                }
                if (plaintext.isEmpty()) {
                    if (!closing || closeNotifyQueued) {
                        return SENT;
                    }
                    closeNotifyQueued = true;
                    engine.closeOutbound();
                    continue;
                }
            }
            if (dst.remaining() < packetSize) {
                return SENT; // send what is wrapped first
            }
            int k = handshake ? 0 : plaintext.peek(RECORD_PLAINTEXT, views);
            SSLEngineResult r;
            try {
                r = engine.wrap(handshake ? NO_PLAINTEXT : views, 0, k, dst);
            } finally {
                Arrays.fill(views, 0, k, null);
            }
            if (r.bytesConsumed() > 0) {
                plaintext.discard(r.bytesConsumed());
            }
            if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                handshakeFinished();
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                // Our side is closed (close_notify went out, or a TLS 1.2 peer's close_notify
                // closed it): what is still queued can no longer be sent, and the caller says so.
                return plaintext.isEmpty() ? SENT : OUTBOUND_CLOSED;
            }
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                packetSize = engine.getSession().getPacketBufferSize();
                return SENT;
            }
            if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                return SENT;
            }
        }
    }

    /** Best effort after a failure: the alert the engine queued goes out in one write. */
    void sendAlertQuietly(GatheringByteChannel channel, ByteBuffer scratch) {
        try {
            engine.closeOutbound();
            scratch.clear();
            for (int i = 0; i < 4 && scratch.remaining() >= packetSize; i++) {
                SSLEngineResult r = engine.wrap(NO_PLAINTEXT, 0, 0, scratch);
                if (r.bytesProduced() == 0) {
                    break;
                }
            }
            scratch.flip();
            channel.write(scratch);
        } catch (IOException | RuntimeException e) {
            // the connection is being closed for another reason, which is the one reported
        } finally {
            scratch.clear();
        }
    }

    /** The connection is closing now: kept buffers go back, the engine is closed. Idempotent. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        if (keptIn != null) {
            allocator.release(keptIn);
            keptIn = null;
        }
        if (keptOut != null) {
            allocator.release(keptOut);
            keptOut = null;
        }
        engine.closeOutbound();
    }
}
