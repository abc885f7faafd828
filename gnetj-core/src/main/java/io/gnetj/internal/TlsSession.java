package io.gnetj.internal;

import io.gnetj.TlsConfig;
import io.gnetj.buffer.ElasticMixedBuffer;
import io.gnetj.buffer.PooledBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
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
 * connection's plaintext buffers, driven on the connection's loop.
 *
 * <pre>
 *   socket ──read──► netIn (ciphertext) ──unwrap──► loop read buffer ──► onTraffic / conn's inbound ring
 *   conn's outbound (plaintext) ──wrap──► netOut (TLS records) ──write──► socket
 * </pre>
 *
 * <h2>Buffers</h2>
 * {@code netIn} and {@code netOut} are pooled chunks from the loop's {@code BufferCache}, taken
 * when bytes arrive or records are due and given back as soon as they are empty, so an idle TLS
 * connection holds no buffer memory; {@link #release()} gives back the rest when the connection
 * closes. Both are kept in write mode (bytes at {@code [0, position)}). Plaintext is unwrapped
 * into the loop's shared read buffer, which the connection lends to the handler as fresh bytes
 * without a copy when its ring is empty, exactly as for a plain read.
 *
 * <h2>Handshake</h2>
 * {@link #start()} begins it; {@link #progress()} unwraps what arrived and answers what the
 * engine asks for. Delegated tasks (the public-key work) run on the config's executor, never on
 * the loop; the connection stops reading meanwhile, and a posted {@link LoopTask} resumes it. When
 * the engine reports {@code FINISHED}, the connection opens ({@code onOpen}). TLS 1.2
 * renegotiation is refused: any handshake message after the first handshake closes the
 * connection. (TLS 1.3 has no renegotiation; its post-handshake messages, tickets and key
 * updates, are answered.)
 *
 * <h2>Sending</h2>
 * {@link #flush} wraps queued plaintext into as many full records as {@code netOut} holds (one
 * {@code wrap} gathers across the outbound buffer's segments, so small writes of one callback
 * share a record), then writes them in one call. Closing adds {@code close_notify} after the last
 * record.
 *
 * <p>Threading: the connection's loop thread, except the delegated tasks, which touch only the
 * engine (itself thread-safe) and post their completion back.
 */
final class TlsSession {

    private static final ByteBuffer[] NO_PLAINTEXT = new ByteBuffer[0];
    private static final int WRITE_SPIN = 16;
    /** Plaintext offered to one wrap: one full record. */
    private static final int RECORD_PLAINTEXT = 16 * 1024;
    /** Room for three full records, so a large write costs one syscall per ~48 KiB. */
    private static final int NET_OUT_CAPACITY = 64 * 1024;

    private final TcpConn conn;
    private final EventLoop loop;
    private final SocketChannel channel;
    private final SSLEngine engine;
    private final Executor taskExecutor;
    private final boolean client;
    /** The peer, for messages: the dialed address, or the remote address. */
    private final String peer;
    private final ByteBuffer[] views = new ByteBuffer[8];
    private int packetSize;
    private int appSize;

    private PooledBuffer netIn;
    private PooledBuffer netOut;
    private boolean started;
    private volatile boolean handshakeDone;
    private boolean taskRunning;
    private boolean closeNotifyQueued;
    private boolean released;
    private boolean inProgress;
    private boolean refuseHandshakes;
    private int handshakeTicks;

    private TlsSession(TcpConn conn, EventLoop loop, SocketChannel channel, SSLEngine engine, Executor taskExecutor,
                       boolean client, String peer) {
        this.conn = conn;
        this.loop = loop;
        this.channel = channel;
        this.engine = engine;
        this.taskExecutor = taskExecutor;
        this.client = client;
        this.peer = peer;
        SSLSession session = engine.getSession();
        this.packetSize = session.getPacketBufferSize();
        this.appSize = session.getApplicationBufferSize();
    }

    /** A server-side session for an accepted connection. */
    static TlsSession server(TcpConn conn, EventLoop loop, SocketChannel channel, TlsConfig config, String peer) {
        SSLEngine engine = config.sslContext().createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters p = parameters(engine, config);
        if (config.clientAuth() == TlsConfig.ClientAuth.NEED) {
            p.setNeedClientAuth(true);
        } else if (config.clientAuth() == TlsConfig.ClientAuth.WANT) {
            p.setWantClientAuth(true);
        }
        engine.setSSLParameters(p);
        return new TlsSession(conn, loop, channel, engine, loop.engine().tlsTaskExecutor(), false, peer);
    }

    /**
     * A client-side session for a dial of {@code host:port}: the certificate must name
     * {@code host} (unless verification is off or the config names another server), and a host
     * name (not an IP literal) goes out as SNI.
     */
    static TlsSession client(TcpConn conn, EventLoop loop, SocketChannel channel, TlsConfig config,
                             String host, int port, String dialed) {
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
        return new TlsSession(conn, loop, channel, engine, loop.engine().tlsTaskExecutor(), true, "'" + dialed + "'");
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

    /** Started and not yet finished: the handshake timeout applies. */
    boolean handshaking() {
        return started && !handshakeDone;
    }

    /** One sweep tick of the handshake timeout; {@code true} once {@code limit} ticks passed. */
    boolean handshakeTimedOut(int limit) {
        return ++handshakeTicks >= limit;
    }

    /** Ciphertext waiting for the socket. */
    int pendingBytes() {
        return netOut == null ? 0 : netOut.buffer().position();
    }

    /** The negotiated session once the handshake finished, else {@code null}. */
    SSLSession session() {
        return handshakeDone ? engine.getSession() : null;
    }

    /** The ALPN protocol agreed, or {@code null}. */
    String applicationProtocol() {
        String protocol = handshakeDone ? engine.getApplicationProtocol() : null;
        return protocol == null || protocol.isEmpty() ? null : protocol;
    }

    SSLHandshakeException timeoutException(java.time.Duration timeout) {
        // fail() prefixes a dial's failure with "cannot dial"
        return new SSLHandshakeException("no TLS handshake within handshakeTimeout " + timeout + " with " + peer);
    }

    // ---- driving ----

    /** Begins the handshake: a client sends its hello, a server waits for one. */
    void start() {
        started = true;
        try {
            engine.beginHandshake();
        } catch (SSLException e) {
            fail(e, false);
            return;
        }
        conn.flushOutbound();
    }

    /** The socket is readable: take the ciphertext and unwrap what is complete. */
    void onReadable() {
        if (taskRunning || released) {
            return;
        }
        ByteBuffer in = netInForRead();
        int n;
        try {
            n = channel.read(in);
        } catch (IOException e) {
            fail(e, false);
            return;
        }
        if (n < 0) {
            onEof();
            return;
        }
        if (n > 0) {
            conn.markActive();
            progress();
        }
        releaseIfEmpty();
    }

    /** The socket is writable: send what waits, then carry on with input that waited for it. */
    void onWritable() {
        conn.flushOutbound();
        if (!released && netIn != null && netIn.buffer().position() > 0) {
            progress();
            releaseIfEmpty();
        }
    }

    /**
     * Unwraps what {@code netIn} holds, answering the handshake as it goes, until more bytes are
     * needed, a delegated task runs, or the connection stops being open.
     */
    private void progress() {
        if (inProgress) {
            return; // re-entered from a callback: the outer call carries on
        }
        inProgress = true;
        try {
            while (!released && !taskRunning && conn.isOpenOnLoop()) {
                HandshakeStatus hs = engine.getHandshakeStatus();
                if (hs == HandshakeStatus.NEED_TASK) {
                    runDelegatedTasks();
                    return;
                }
                if (hs == HandshakeStatus.NEED_WRAP) {
                    conn.flushOutbound();
                    if (released || engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                        return; // the socket is full: onWritable resumes
                    }
                    continue;
                }
                if (netIn == null || netIn.buffer().position() == 0 || !unwrap()) {
                    return;
                }
            }
        } finally {
            inProgress = false;
        }
    }

    /**
     * One batch: unwraps records into one plaintext buffer until it is full, the input runs out
     * or the handshake wants something, then hands the plaintext to the connection.
     *
     * @return whether to go on
     */
    private boolean unwrap() {
        ByteBuffer src = netIn.buffer();
        ByteBuffer dst = plaintextTarget();
        boolean inReadBuffer = dst == loop.readBuffer();
        SSLEngineResult r;
        int consumed = 0;
        int produced = 0;
        src.flip();
        try {
            do {
                r = engine.unwrap(src, dst);
                consumed += r.bytesConsumed();
                produced += r.bytesProduced();
            } while (r.getStatus() == SSLEngineResult.Status.OK && r.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
                    && src.hasRemaining() && dst.remaining() >= appSize && r.bytesConsumed() > 0);
        } catch (SSLException e) {
            src.compact();
            fail(e, true);
            return false;
        }
        src.compact();
        if (produced > 0) {
            dst.flip();
            conn.deliverPlaintext(dst, inReadBuffer);
            if (released || !conn.isOpenOnLoop()) {
                return false;
            }
        }
        switch (r.getStatus()) {
            case BUFFER_UNDERFLOW:
                growNetInIfFull();
                return false;
            case BUFFER_OVERFLOW:
                if (produced == 0) {
                    appSize = engine.getSession().getApplicationBufferSize(); // the engine wants more room
                }
                return true;
            case CLOSED:
                // close_notify: what came before it was delivered; close as for an end of stream
                conn.peerFinished(false);
                return false;
            default:
                break;
        }
        HandshakeStatus hs = r.getHandshakeStatus();
        if (hs == HandshakeStatus.FINISHED) {
            return handshakeFinished();
        }
        if (refuseHandshakes && hs != HandshakeStatus.NOT_HANDSHAKING) {
            fail(new SSLException("TLS renegotiation refused (" + peer + " started a new TLS 1.2 handshake)"), true);
            return false;
        }
        return consumed > 0 || produced > 0;
    }

    private boolean handshakeFinished() {
        if (handshakeDone) {
            // The JDK reports FINISHED after post-handshake messages too (a TLS 1.3 session ticket).
            return !released && conn.isOpenOnLoop();
        }
        handshakeDone = true;
        SSLSession session = engine.getSession();
        packetSize = session.getPacketBufferSize();
        appSize = session.getApplicationBufferSize();
        refuseHandshakes = "TLSv1.2".equals(session.getProtocol());
        conn.tlsEstablished();
        return !released && conn.isOpenOnLoop();
    }

    private ByteBuffer plaintextTarget() {
        ByteBuffer readBuffer = loop.readBuffer();
        if (readBuffer.capacity() >= appSize) {
            readBuffer.clear();
            return readBuffer;
        }
        return loop.tlsPlaintextBuffer(appSize);
    }

    private void onEof() {
        if (!handshakeDone) {
            fail(new SSLHandshakeException("the peer closed the connection during the TLS handshake"), false);
            return;
        }
        int partial = netIn == null ? 0 : netIn.buffer().position();
        if (partial > 0) {
            fail(new SSLException("truncated TLS record: " + peer + " closed the connection " + partial
                    + " bytes into a record"), false);
            return;
        }
        // An end of stream at a record boundary without close_notify is taken as orderly, as HTTPS
        // servers do: a protocol that must detect truncation frames its messages (Content-Length).
        conn.peerFinished(true);
    }

    /**
     * Sends: ciphertext already wrapped, then the handshake messages the engine asks for, then
     * (once established) the queued plaintext as records, then {@code close_notify} if closing.
     * Stops when the socket takes no more; the connection then waits for {@code OP_WRITE}.
     *
     * @return {@code false} if the connection was closed here
     */
    boolean flush(ElasticMixedBuffer plaintext, boolean closing) {
        boolean established = false;
        for (int i = 0; i < WRITE_SPIN; i++) {
            if (!taskRunning) {
                int filled = fill(plaintext, closing);
                if (filled < 0) {
                    return false;
                }
                established |= filled == 1;
            }
            if (netOut == null) {
                break;
            }
            ByteBuffer out = netOut.buffer();
            if (out.position() == 0) {
                releaseNetOut();
                break;
            }
            int written;
            out.flip();
            try {
                written = channel.write(out);
            } catch (IOException e) {
                out.compact();
                fail(e, false);
                return false;
            }
            out.compact();
            if (written > 0) {
                conn.markActive();
            }
            if (out.position() > 0) {
                break; // the kernel is full
            }
        }
        if (established) {
            handshakeFinished();
        }
        return !released;
    }

    /**
     * Wraps into {@code netOut} whatever is due, while it has room for a full record.
     *
     * @return -1 if the connection was closed, 1 if the handshake finished, else 0
     */
    private int fill(ElasticMixedBuffer plaintext, boolean closing) {
        int finished = 0;
        while (true) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                runDelegatedTasks();
                return released ? -1 : finished;
            }
            boolean handshake = hs == HandshakeStatus.NEED_WRAP;
            if (!handshake) {
                if (!handshakeDone && finished == 0) {
                    return 0;
                }
                if (plaintext.isEmpty()) {
                    if (!closing || closeNotifyQueued) {
                        return finished;
                    }
                    closeNotifyQueued = true;
                    engine.closeOutbound();
                    continue;
                }
            }
            ByteBuffer dst = netOutBuffer();
            if (dst.remaining() < packetSize) {
                return finished; // send what is wrapped first
            }
            int k = handshake ? 0 : plaintext.peek(RECORD_PLAINTEXT, views);
            SSLEngineResult r;
            try {
                r = engine.wrap(handshake ? NO_PLAINTEXT : views, 0, k, dst);
            } catch (SSLException e) {
                fail(e, false);
                return -1;
            } finally {
                Arrays.fill(views, 0, k, null);
            }
            if (r.bytesConsumed() > 0) {
                plaintext.discard(r.bytesConsumed());
            }
            if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                finished = 1;
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                // Our side is closed (close_notify went out, or a TLS 1.2 peer's close_notify
                // closed it): what is still queued can no longer be sent.
                plaintext.discard(plaintext.buffered());
                return finished;
            }
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                packetSize = engine.getSession().getPacketBufferSize();
                return finished;
            }
            if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                return finished;
            }
        }
    }

    // ---- delegated tasks ----

    private void runDelegatedTasks() {
        taskRunning = true;
        conn.tlsTaskRunning(true);
        try {
            taskExecutor.execute(new DelegatedTasks());
        } catch (RejectedExecutionException e) {
            taskRunning = false;
            fail(new SSLException("cannot run the TLS handshake's delegated task: " + e.getMessage(), e), false);
        }
    }

    /** Runs the engine's delegated tasks off the loop, then posts the resumption to the loop. */
    private final class DelegatedTasks implements Runnable {
        @Override
        public void run() {
            Throwable failure = null;
            try {
                Runnable task;
                while ((task = engine.getDelegatedTask()) != null) {
                    task.run();
                }
            } catch (Throwable t) {
                failure = t;
            }
            loop.execute(new Resume(failure));
        }
    }

    /** Back on the loop after the delegated tasks. */
    private final class Resume extends LoopTask {
        private final Throwable failure;

        Resume(Throwable failure) {
            this.failure = failure;
        }

        @Override
        void run() {
            taskRunning = false;
            if (released) {
                return;
            }
            if (failure != null) {
                fail(failure instanceof SSLException ? failure
                        : new SSLException("a TLS delegated task failed: " + failure, failure), true);
                return;
            }
            conn.tlsTaskRunning(false);
            conn.flushOutbound();
            if (!released) {
                progress();
                releaseIfEmpty();
            }
        }

        @Override
        void abort(Throwable cause) {
            // The loop has ended and closed the connection with it.
        }
    }

    // ---- failure and release ----

    /**
     * Closes the connection because of {@code cause}, after sending the engine's alert if
     * {@code alert} (the socket still works). A connection that never opened gets no
     * {@code onClose}: a dial fails with the cause, a server logs it (at most once a second).
     */
    void fail(Throwable cause, boolean alert) {
        if (released) {
            return;
        }
        if (alert) {
            sendAlertQuietly();
        }
        Throwable reported = cause;
        if (!handshakeDone) {
            if (client) {
                SSLHandshakeException dial = new SSLHandshakeException("cannot dial " + peer + ": TLS handshake failed: "
                        + cause.getMessage());
                dial.initCause(cause);
                reported = dial;
            } else {
                loop.tlsErrors().log(System.Logger.Level.INFO, "TLS handshake with " + peer + " failed: " + cause, null);
            }
        }
        conn.closeNow(reported);
    }

    /** Best effort: the alert the engine queued after a failure goes out in one write. */
    private void sendAlertQuietly() {
        try {
            engine.closeOutbound();
            ByteBuffer dst = netOutBuffer();
            for (int i = 0; i < 4 && dst.remaining() >= packetSize; i++) {
                SSLEngineResult r = engine.wrap(NO_PLAINTEXT, 0, 0, dst);
                if (r.bytesProduced() == 0) {
                    break;
                }
            }
            dst.flip();
            channel.write(dst);
            dst.compact();
        } catch (IOException | RuntimeException e) {
            // the connection is being closed for another reason, which is the one reported
        }
    }

    /** The connection is closing now: its buffers go back to the loop's cache. Idempotent. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        if (netIn != null) {
            loop.cache().release(netIn);
            netIn = null;
        }
        releaseNetOut();
        engine.closeOutbound();
    }

    /**
     * The engine is stopping: one attempt to send the queued plaintext and {@code close_notify}.
     */
    void flushForShutdown(ElasticMixedBuffer plaintext) {
        if (handshakeDone && !taskRunning && !released) {
            flush(plaintext, true);
        }
    }

    // ---- buffers ----

    private ByteBuffer netInForRead() {
        if (netIn == null) {
            netIn = loop.cache().take(packetSize);
        }
        return netIn.buffer();
    }

    /** A record bigger than {@code netIn} (the engine raised its packet size): move to a larger chunk. */
    private void growNetInIfFull() {
        ByteBuffer in = netIn.buffer();
        packetSize = Math.max(packetSize, engine.getSession().getPacketBufferSize());
        if (in.hasRemaining() && in.capacity() >= packetSize) {
            return;
        }
        PooledBuffer bigger = loop.cache().take(Math.max(packetSize, in.capacity() * 2));
        in.flip();
        bigger.buffer().put(in);
        loop.cache().release(netIn);
        netIn = bigger;
    }

    private void releaseIfEmpty() {
        if (netIn != null && netIn.buffer().position() == 0) {
            loop.cache().release(netIn);
            netIn = null;
        }
    }

    private ByteBuffer netOutBuffer() {
        if (netOut == null) {
            netOut = loop.cache().take(Math.max(NET_OUT_CAPACITY, packetSize));
        }
        return netOut.buffer();
    }

    private void releaseNetOut() {
        if (netOut != null) {
            loop.cache().release(netOut);
            netOut = null;
        }
    }
}
