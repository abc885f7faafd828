package io.gnetj.internal;

import io.gnetj.ConnectionClosedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;

/**
 * A {@link TcpConn} that speaks TLS: the same states and transitions, with a {@link TlsSession}
 * on the byte path. Reads go through the session (ciphertext in, plaintext to the handler), sends
 * wrap the queued plaintext, and the connection is HANDSHAKING until the session reports the
 * handshake done. This class drives the session and acts on its results only by calling
 * {@link TcpConn}'s transitions ({@link #open()}, {@link #beginClose}, {@link #fail},
 * {@link #closeNow}); it has no state of its own beyond the session.
 *
 * <pre>
 *   readable ─► session.beginInput + read ─► unwrap ─┬─ plaintext ─────► onTraffic
 *                                                    ├─ handshake done ─► open (onOpen)
 *                                                    ├─ needs to send ──► flush
 *                                                    ├─ needs a task ───► run it off the loop, pause reads
 *                                                    └─ close_notify ───► close
 *            what is left of a record ◄── session.endInput (kept, sized to it)
 * </pre>
 *
 * <p>Threading: the loop thread; the delegated tasks run on the engine's TLS executor and come
 * back as a {@link LoopTask}.
 */
final class TlsConn extends TcpConn {

    private final TlsSession tls;
    /** When the connection was set up: a handshake's time counts from here. */
    private final long setUpAt = System.nanoTime();
    private boolean handshakeEnded;

    TlsConn(EventLoop loop, SocketChannel channel, ConnSlot slot, TlsSession tls) {
        super(loop, channel, slot);
        this.tls = tls;
    }

    @Override
    public void shutdownOutput() {
        throw new UnsupportedOperationException("a TLS connection cannot half-close: its close_notify ends both"
                + " directions; use close()");
    }

    @Override
    void connected() {
        enterHandshaking();
        try {
            tls.begin();
        } catch (IOException e) {
            tlsFailed(e, false);
            return;
        }
        flush0(); // a client's hello
    }

    @Override
    void readInput() {
        if (tls.taskRunning()) {
            return;
        }
        ByteBuffer in = buffers().tlsNetIn(tls.packetSize());
        tls.beginInput(in);
        int n;
        try {
            n = channel.read(in);
            loop.counters().read(n);
        } catch (IOException e) {
            in.clear();
            closeNow(e);
            return;
        }
        if (n > 0) {
            progressRead();
        }
        in.flip();
        drive(in);
        if (n < 0) {
            endOfStream();
        }
    }

    @Override
    void onWritable() {
        flush0();
        if (live() && !readingPaused() && tls.keptInput() > 0) {
            resumeInput();
        }
    }

    @Override
    boolean inputWaiting() {
        return super.inputWaiting() || tls.keptInput() > 0;
    }

    /** Unwraps input kept from before (after a task, a pause, or a full socket), else as plain. */
    @Override
    void resumeInput() {
        if (tls.keptInput() == 0) {
            super.resumeInput();
            return;
        }
        ByteBuffer in = buffers().tlsNetIn(tls.packetSize());
        tls.beginInput(in);
        in.flip();
        drive(in);
    }

    /**
     * Unwraps {@code in} and acts on each result. Stops when input runs out, reading is paused,
     * or the connection is no longer open; what is left of the input is kept.
     */
    private void drive(ByteBuffer in) {
        try {
            while (live() && !readingPaused()) {
                ByteBuffer dst = buffers().tlsPlaintext(tls.applicationBufferSize());
                int r = tls.unwrap(in, dst);
                if (state() == HANDSHAKING && tls.takeHandshakeFinished()) {
                    handshakeEnded(true, null);
                    open(); // onOpen cannot touch dst: no bytes are lent to it
                }
                if (r == TlsSession.PLAINTEXT) {
                    deliver(dst.flip(), dst == buffers().readBuffer());
                } else if (r == TlsSession.NEED_WRAP) {
                    flush0();
                    if (tls.pendingBytes() > 0 || tls.needsWrap()) {
                        break; // the socket is full (onWritable resumes), or nothing more could be wrapped
                    }
                } else if (r == TlsSession.NEED_TASK) {
                    startTask();
                } else if (r == TlsSession.PEER_CLOSED) {
                    beginClose(null, false); // close_notify: what came before it was delivered
                } else if (r == TlsSession.NEED_INPUT) {
                    break;
                }
            }
        } catch (IOException e) {
            tlsFailed(e, true);
        } finally {
            tls.endInput(in);
        }
    }

    /** Plaintext: lent fresh when it is in the read buffer and nothing is buffered, else appended. */
    private void deliver(ByteBuffer plaintext, boolean inReadBuffer) {
        if (state() != OPEN) {
            return;
        }
        if (inReadBuffer && !ringBusy()) {
            inbound().lendFresh(plaintext.position(), plaintext.limit());
        } else {
            if (ringBuffered() + plaintext.remaining() > options.maxInboundBuffered()) {
                closeNow(inboundLimit());
                return;
            }
            inbound().append(plaintext);
        }
        fireTraffic();
    }

    private void endOfStream() {
        if (!live()) {
            return;
        }
        if (!tls.handshakeDone()) {
            tlsFailed(new SSLHandshakeException("the peer closed the connection during the TLS handshake"), false);
        } else if (tls.keptInput() > 0) {
            closeNow(new SSLException("truncated TLS record: " + tls.peer() + " closed the connection "
                    + tls.keptInput() + " bytes into a record"));
        } else {
            // An end of stream at a record boundary without close_notify is taken as orderly, as
            // HTTPS servers do: a protocol that must detect truncation frames its messages.
            beginClose(null, true);
        }
    }

    @Override
    int queued() {
        return outboundBuffered0() + tls.pendingBytes();
    }

    @Override
    boolean wantsWrite() {
        return tls.pendingBytes() > 0 || (tls.handshakeDone() && !tls.taskRunning() && outboundBuffered0() > 0);
    }

    @Override
    boolean sendQueued() throws IOException {
        int r;
        try {
            r = tls.flush(outbound(), channel, buffers().tlsNetOut(tls.packetSize()), state() == CLOSING);
            postFinishedFiles();
        } catch (SSLException e) {
            // The engine's own failure (often a delegated task's, rethrown on the next wrap).
            tlsFailed(e, true);
            return false;
        }
        loop.counters().wrote(tls.lastWritten(), tls.lastWrites());
        if (tls.lastWritten() > 0) {
            progressWrite();
        }
        if (r == TlsSession.TASK) {
            startTask();
        } else if (r == TlsSession.OUTBOUND_CLOSED) {
            fail(new ConnectionClosedException("the TLS session with " + remoteAddress + " is closed: "
                    + outboundBuffered0() + " queued bytes cannot be sent"));
            return false;
        }
        if (state() == HANDSHAKING && tls.takeHandshakeFinished()) {
            handshakeEnded(true, null);
            open(); // our Finished went last: the handshake is done
            return state() != CLOSED;
        }
        return true;
    }

    /** The handshake needs a delegated task: run it off the loop, no reads meanwhile. */
    private void startTask() {
        if (tls.taskRunning()) {
            return;
        }
        tls.taskStarted();
        pause(TcpConn.PAUSE_TLS_TASK, true);
        try {
            loop.engine().tlsTaskExecutor().execute(() -> loop.execute(new TaskDone(tls.runDelegatedTasks())));
        } catch (RejectedExecutionException e) {
            tls.taskFinished();
            tlsFailed(new SSLException("cannot run the TLS handshake's delegated task: " + e.getMessage(), e), false);
        }
    }

    /** Back on the loop after the delegated tasks. */
    private final class TaskDone extends LoopTask {
        private final Throwable failure;

        TaskDone(Throwable failure) {
            this.failure = failure;
        }

        @Override
        void run() {
            tls.taskFinished();
            if (state() == CLOSED) {
                return;
            }
            if (failure != null) {
                tlsFailed(failure, true);
                return;
            }
            flush0(); // handshake messages the task made due
            pause(TcpConn.PAUSE_TLS_TASK, false);
            if (live() && !readingPaused()) {
                resumeInput();
            }
        }

        @Override
        void abort(Throwable cause) {
            // The loop has ended and closed the connection with it.
        }
    }

    @Override
    void handshakeTimedOut() {
        tlsFailed(tls.timeoutException(options.tls().handshakeTimeout()), false);
    }

    /**
     * TLS failed: send the alert if asked (the socket still works), then close. A connection that
     * never opened gets no {@code onClose}: a dial fails with the cause, a server logs it (at most
     * once a second).
     */
    private void tlsFailed(Throwable cause, boolean alert) {
        if (state() == CLOSED) {
            return;
        }
        if (alert) {
            tls.sendAlertQuietly(channel, buffers().tlsNetOut(tls.packetSize()));
        }
        if (!tls.handshakeDone()) {
            handshakeEnded(false, cause);
        }
        if (!tls.handshakeDone() && !tls.isClient()) {
            loop.tlsErrors().log(System.Logger.Level.INFO, "TLS handshake with " + tls.peer() + " failed: " + cause);
        }
        fail(tls.reportable(cause));
    }

    /** The handshake completed or failed: counted once, and reported to JFR. */
    private void handshakeEnded(boolean ok, Throwable failure) {
        if (handshakeEnded) {
            return;
        }
        handshakeEnded = true;
        long took = System.nanoTime() - setUpAt;
        loop.counters().tlsHandshake(ok, took);
        SSLSession session = ok ? tls.session() : null;
        Jfr.tlsHandshake(this, ok, took, session == null ? null : session.getProtocol(),
                session == null ? null : session.getCipherSuite(), failure);
    }

    @Override
    void releaseTransport() {
        tls.release();
    }

    @Override
    long heldBytes() {
        return super.heldBytes() + tls.heldBytes();
    }

    @Override
    public SSLSession tlsSession() {
        return tls.session();
    }

    @Override
    public String applicationProtocol() {
        return tls.applicationProtocol();
    }
}
