package io.gnetj.internal;

import io.gnetj.Action;
import io.gnetj.Callback;
import io.gnetj.Conn;
import io.gnetj.ConnectionClosedException;
import io.gnetj.GnetException;
import io.gnetj.IdleTimeoutException;
import io.gnetj.InboundLimitException;
import io.gnetj.Options;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLSession;

/**
 * A stream connection (TCP or Unix domain socket) owned by one {@link EventLoop}.
 *
 * <h2>Inbound</h2>
 * Received bytes live in {@link InboundBytes}: lent from the loop's read buffer without a copy
 * when nothing is buffered, else in the connection's ring.
 *
 * <h2>Outbound</h2>
 * Bytes to send wait in {@link OutboundQueue}, which sends them, asks for {@code OP_WRITE} while the
 * kernel is full and pauses reading past the high-water mark; it calls back {@link #setInterest},
 * {@link #pauseReading()}, {@link #resumeReading()} and, once a closing connection has sent
 * everything, {@link #finishClose()}.
 *
 * <h2>TLS</h2>
 * A TLS connection has a {@link TlsSession} between the socket and these buffers, which then hold
 * plaintext: reads and writes on the socket go through it, and it calls back
 * {@link #deliverPlaintext}, {@link #tlsEstablished()} (then {@code onOpen} runs) and
 * {@link #peerFinished}.
 *
 * <h2>Closing</h2>
 * {@code OPEN → CLOSING} (no more reads or writes accepted; queued bytes still go out, for at most
 * the close timeout) {@code → CLOSED} (socket closed, buffers released, {@code onClose} run once).
 * {@link GracefulClose} drives the way through {@code CLOSING}, lingering for the peer's EOF when
 * it was still sending; {@link #closeNow} is the step to {@code CLOSED}.
 *
 * <p>Threading: the loop thread, except the methods {@link Conn} allows from any thread, which
 * post a {@link LoopTask}.
 */
final class TcpConn extends AbstractConn {

    private static final VarHandle WAKE_TASK;

    static {
        try {
            WAKE_TASK = MethodHandles.lookup().findVarHandle(TcpConn.class, "wakeTask", WakeTask.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;

    private final SocketChannel channel;
    private final Options options;
    private final InboundBytes inbound;
    private final OutboundQueue outbound;
    /** Made on first need (the peer's EOF, or the close): see {@link #closing()}. */
    private GracefulClose closing;

    private SelectionKey key;
    private int interestOps;
    private volatile int state = OPEN;
    /**
     * Set by {@link #close(Callback)} on any thread before it posts (or runs) the close, so that
     * {@link #isOpen()} turns false as soon as close() returns, not only once the loop gets to it.
     */
    private volatile boolean closeCalled;

    private boolean inCallback;
    /** Posted when reading resumes with bytes still buffered; made on first use. */
    private LoopTask resumeTask;
    private boolean closeRequested;
    private List<Callback> closeCallbacks;
    /** Whether onOpen ran, and so whether onClose must. */
    private boolean opened;
    /** A dial in progress: completed once the connection is open, or failed. */
    private CompletableFuture<Conn> connectFuture;
    private String dialedAddress;
    private int connectTicks;

    /** Slot in the loop's connection table; -1 once removed. */
    int slot = -1;
    private int idleTicks;
    /** The TLS layer, or {@code null} for a plain connection; set before the connection opens. */
    private TlsSession tls;
    /** Reused by every wake that finds it free: see {@link WakeTask}. Made by the first wake. */
    private volatile WakeTask wakeTask;

    TcpConn(EventLoop loop, SocketChannel channel) {
        super(loop, channel, addressOrNull(channel, true), addressOrNull(channel, false));
        this.channel = channel;
        this.options = loop.engine().options();
        this.inbound = new InboundBytes(loop);
        this.outbound = new OutboundQueue(this);
    }

    private static SocketAddress addressOrNull(SocketChannel channel, boolean local) {
        try {
            return local ? channel.getLocalAddress() : channel.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    // ---- lifecycle, loop thread ----

    /** The socket; for the connection's helpers ({@link OutboundQueue}, {@link GracefulClose}). */
    SocketChannel socketChannel() {
        return channel;
    }

    /** The engine's options; for the connection's helpers. */
    Options options() {
        return options;
    }

    private GracefulClose closing() {
        GracefulClose c = closing;
        if (c == null) {
            c = new GracefulClose(this, outbound);
            closing = c;
        }
        return c;
    }

    /** Makes this connection speak TLS through {@code session}; before it is registered. */
    void useTls(TlsSession session) {
        this.tls = session;
        outbound.useTls(session);
    }

    /**
     * Registered with the selector, connected: bookkeeping, then {@code onOpen}, or with TLS the
     * handshake (and {@code onOpen} once it finished).
     */
    void opened(SelectionKey key) {
        this.key = key;
        this.interestOps = SelectionKey.OP_READ;
        loop.add(this);
        if (tls != null) {
            tls.start();
        } else {
            fireOpen();
        }
    }

    /**
     * Registered with the selector for {@code OP_CONNECT}: the dial completes in
     * {@link #onConnectable()}, or fails there, on timeout (see {@link #sweepTick}) or on stop.
     */
    void connecting(SelectionKey key, CompletableFuture<Conn> future, String address) {
        this.key = key;
        this.interestOps = SelectionKey.OP_CONNECT;
        this.connectFuture = future;
        this.dialedAddress = address;
        loop.add(this);
    }

    /** The socket finished connecting, or failed to. */
    void onConnectable() {
        if (connectFuture == null || state != OPEN) {
            return;
        }
        try {
            if (!channel.finishConnect()) {
                return;
            }
        } catch (IOException e) {
            ConnectException failure = new ConnectException("cannot dial '" + dialedAddress + "': " + e.getMessage());
            failure.initCause(e);
            closeNow(failure);
            return;
        }
        localAddress = addressOrNull(channel, true);
        setInterest(SelectionKey.OP_READ);
        if (tls != null) {
            tls.start(); // the dial completes in tlsEstablished
            return;
        }
        CompletableFuture<Conn> future = connectFuture;
        connectFuture = null;
        fireOpen();
        future.complete(this);
    }

    /** TLS: the handshake finished; open the connection (and complete its dial). */
    void tlsEstablished() {
        CompletableFuture<Conn> future = connectFuture;
        connectFuture = null;
        fireOpen();
        if (future != null) {
            future.complete(this);
        }
    }

    /** TLS: a delegated task runs off the loop; no reads until it is done. */
    void tlsTaskRunning(boolean running) {
        if (running) {
            setInterest(interestOps & ~SelectionKey.OP_READ);
        } else if (state == OPEN && !outbound.readPaused()) {
            setInterest(interestOps | SelectionKey.OP_READ);
        }
    }

    /** Open, as seen on the loop (a close requested from elsewhere has not taken effect yet). */
    boolean isOpenOnLoop() {
        return state == OPEN;
    }

    /** Closing: no more reads or writes accepted, queued bytes still going out. */
    boolean isClosingOnLoop() {
        return state == CLOSING;
    }

    /** Closed: socket closed, buffers released. */
    boolean isClosedOnLoop() {
        return state == CLOSED;
    }

    /** Inside one of this connection's handler callbacks (writes then wait for it to return). */
    boolean inCallback() {
        return inCallback;
    }

    /** Read or write progress: resets the idle timeout. */
    void markActive() {
        idleTicks = 0;
    }

    /**
     * TLS: plaintext unwrapped into {@code plaintext} (read mode). In the loop's read buffer with
     * nothing else buffered it is lent to the handler as fresh bytes, as a plain read is;
     * otherwise it is appended to the ring. Then {@code onTraffic}.
     */
    void deliverPlaintext(ByteBuffer plaintext, boolean inReadBuffer) {
        if (state != OPEN) {
            return;
        }
        if (inReadBuffer && !inbound.ringBusy()) {
            inbound.lendFresh(plaintext.position(), plaintext.limit());
        } else {
            if (inbound.ringBuffered() + plaintext.remaining() > options.maxInboundBuffered()) {
                closeNow(inboundLimit());
                return;
            }
            inbound.append(plaintext);
        }
        fireTraffic();
    }

    /**
     * The peer will send no more: an end of stream ({@code eof}), or TLS {@code close_notify}. What
     * we queued still goes out before we close.
     */
    void peerFinished(boolean eof) {
        if (eof) {
            closing().peerDone();
        }
        closeGracefully(null);
    }

    private void fireOpen() {
        opened = true;
        Action action;
        inCallback = true;
        try {
            action = handler.onOpen(this);
        } catch (Throwable t) {
            inCallback = false;
            handlerFailed("onOpen", t);
            return;
        }
        inCallback = false;
        afterCallback(action);
    }

    boolean isRegistered() {
        return state != CLOSED;
    }

    /** The socket is readable. */
    void onReadable() {
        if (state == CLOSING) {
            closing.drain();
            return;
        }
        if (state != OPEN || outbound.readPaused()) {
            return;
        }
        if (tls != null) {
            tls.onReadable();
            return;
        }
        int n;
        try {
            if (!inbound.ringBusy()) {
                n = inbound.readFresh(channel);
            } else {
                int room = options.maxInboundBuffered() - inbound.ringBuffered();
                if (room <= 0) {
                    closeNow(inboundLimit());
                    return;
                }
                n = inbound.readIntoRing(channel, Math.min(room, options.readBufferCap()));
            }
        } catch (IOException e) {
            closeNow(e);
            return;
        }
        if (n < 0) {
            peerFinished(true);
            return;
        }
        if (n == 0) {
            return;
        }
        idleTicks = 0;
        fireTraffic();
    }

    /** Runs {@code onTraffic}, then keeps the leftover bytes, flushes, and obeys the action. */
    void fireTraffic() {
        Action action;
        inCallback = true;
        try {
            action = handler.onTraffic(this);
        } catch (Throwable t) {
            inCallback = false;
            keepLeftover();
            handlerFailed("onTraffic", t);
            return;
        }
        inCallback = false;
        keepLeftover();
        if (inbound.ringBuffered() > options.maxInboundBuffered()) {
            closeNow(inboundLimit());
            return;
        }
        afterCallback(action);
    }

    private void keepLeftover() {
        if (state == CLOSED) {
            inbound.lendFresh(0, 0); // released already: nothing may be copied into it
            return;
        }
        inbound.keepLeftover();
    }

    private InboundLimitException inboundLimit() {
        return new InboundLimitException("connection from " + remoteAddress + " buffered more than "
                + options.maxInboundBuffered() + " unconsumed inbound bytes (maxInboundBuffered)");
    }

    private void afterCallback(Action action) {
        if (state == CLOSED) {
            return;
        }
        flushOutbound();
        if (action == Action.CLOSE || closeRequested) {
            closeGracefully(null);
        } else if (action == Action.SHUTDOWN) {
            loop.engine().requestStop();
        }
    }

    private void handlerFailed(String callback, Throwable t) {
        if (t instanceof GnetException) {
            // A verdict on the peer's input or a limit (a corrupt frame, an outbound cap), not a
            // bug: one line, no stack trace, so a hostile peer cannot fill the log with traces.
            loop.handlerErrors().log(System.Logger.Level.INFO,
                    callback + " closed the connection from " + remoteAddress + ": " + t, null);
        } else {
            loop.handlerErrors().log(System.Logger.Level.WARNING,
                    callback + " threw; closing the connection from " + remoteAddress, t);
        }
        closeGracefully(t);
    }

    /** The socket is writable: send what is queued. */
    void onWritable() {
        if (tls != null) {
            tls.onWritable();
        } else {
            flushOutbound();
        }
    }

    /** Sends what is queued (see {@link OutboundQueue#flush()}). */
    void flushOutbound() {
        outbound.flush();
    }

    /** The outbound queue went past the high-water mark: stop reading until it drains. */
    void pauseReading() {
        setInterest(interestOps & ~SelectionKey.OP_READ);
    }

    /** The outbound queue drained under the low-water mark: read again. */
    void resumeReading() {
        setInterest(interestOps | SelectionKey.OP_READ);
        if (inbound.ringBusy()) {
            // The handler may have stopped decoding a pipeline at the high-water mark; no new
            // bytes may ever come to call it again for the rest, so call it now (as a task:
            // this may run inside a callback's flush).
            if (resumeTask == null) {
                resumeTask = new ResumeTask();
            }
            loop.execute(resumeTask);
        }
    }

    /** Runs {@code onTraffic} for bytes left buffered when reading resumed after a pause. */
    private final class ResumeTask extends LoopTask {
        @Override
        void run() {
            if (state != OPEN || outbound.readPaused() || !inbound.ringBusy()) {
                return;
            }
            try {
                fireTraffic();
            } catch (RuntimeException | Error e) {
                failed(e); // see wake: anything but a handler's own exception
            }
        }

        @Override
        void abort(Throwable cause) {
            // The loop ended and closed the connection; nothing to resume.
        }
    }

    /** The selector interest currently set. */
    int interestOps() {
        return interestOps;
    }

    /** Sets the selector interest to {@code ops}, unless closed. */
    void setInterest(int ops) {
        // Changing interest takes the selector's update lock in the JDK: only when it changes.
        if (ops != interestOps && state != CLOSED) {
            interestOps = ops;
            try {
                key.interestOps(ops);
            } catch (java.nio.channels.CancelledKeyException e) {
                closeNow(e);
            }
        }
    }

    /** Stops reading, lets queued bytes go out, then closes (see {@link GracefulClose}). Idempotent. */
    void closeGracefully(Throwable cause) {
        if (state != OPEN) {
            return;
        }
        state = CLOSING;
        closing().begin(cause, tls != null);
    }

    /** Closing, and everything queued has been handed to the kernel: see {@link GracefulClose#finish()}. */
    void finishClose() {
        closing.finish();
    }

    /** Closes the socket now, releases buffers, runs {@code onClose} and close callbacks. Idempotent. */
    void closeNow(Throwable cause) {
        if (state == CLOSED) {
            return;
        }
        state = CLOSED;
        if (key != null) {
            key.cancel();
        }
        EventLoop.closeQuietly(channel);
        if (tls != null) {
            tls.release();
        }
        inbound.release();
        outbound.release();
        if (key != null) {
            loop.remove(this);
            loop.load().decrementAndGet();
            loop.engine().releaseConnection();
        }
        // After the accounting: whoever waits on a failed dial sees the slot already given back.
        if (connectFuture != null) {
            CompletableFuture<Conn> future = connectFuture;
            connectFuture = null;
            future.completeExceptionally(cause != null ? cause
                    : new ConnectException("cannot dial '" + dialedAddress + "': the engine stopped first"));
        }
        if (opened) {
            Action action = Action.NONE;
            try {
                action = handler.onClose(this, cause);
            } catch (Throwable t) {
                loop.handlerErrors().log(System.Logger.Level.WARNING, "onClose threw", t);
            }
            if (action == Action.SHUTDOWN) {
                loop.engine().requestStop();
            }
        }
        List<Callback> callbacks = closeCallbacks;
        closeCallbacks = null;
        if (callbacks != null) {
            for (int i = 0; i < callbacks.size(); i++) {
                complete(callbacks.get(i), null);
            }
        }
    }

    /**
     * Something other than the handler failed while serving this connection (direct memory ran
     * out as a buffer grew, or an engine bug): log it and close the connection with it as the
     * cause, so that the loop and its other connections carry on.
     */
    void failed(Throwable t) {
        loop.handlerErrors().log(System.Logger.Level.ERROR,
                "unexpected failure serving the connection from " + remoteAddress + "; closing it", t);
        inCallback = false;
        closeNow(t);
    }

    /** The engine is stopping: one last try to send what is queued, then close. */
    void closeForShutdown() {
        if (state == CLOSED) {
            return;
        }
        if (!outbound.flushForShutdown()) {
            return; // closed while sending
        }
        closeNow(state == CLOSING ? closing.cause() : null);
    }

    /** One sweep tick: close if connecting, handshaking, idle or closing for too long. */
    void sweepTick(int idleTicksLimit, int closeTicksLimit, int connectTicksLimit, int handshakeTicksLimit) {
        if (tls != null && tls.handshaking() && state == OPEN) {
            if (tls.handshakeTimedOut(handshakeTicksLimit)) {
                tls.fail(tls.timeoutException(options.tls().handshakeTimeout()), false);
            }
        } else if (connectFuture != null) {
            if (++connectTicks >= connectTicksLimit) {
                closeNow(new ConnectException("cannot dial '" + dialedAddress + "': no connection within connectTimeout "
                        + options.connectTimeout()));
            }
        } else if (state == CLOSING) {
            closing.tick(closeTicksLimit);
        } else if (state == OPEN && ++idleTicks >= idleTicksLimit) {
            closeGracefully(new IdleTimeoutException("no reads or writes for " + options.idleTimeout()
                    + " (idleTimeout) on the connection from " + remoteAddress));
        } else if (state == OPEN) {
            outbound.trimIfQuiet(idleTicks);
        }
    }

    // ---- inbound API ----

    @Override
    public ByteBuffer next(int n) {
        checkLoop("next");
        return inbound.next(n);
    }

    @Override
    public ByteBuffer peek(int n) {
        checkLoop("peek");
        return inbound.peek(n);
    }

    @Override
    public int discard(int n) {
        checkLoop("discard");
        return inbound.discard(n);
    }

    @Override
    public int read(ByteBuffer dst) {
        checkLoop("read");
        return inbound.read(dst);
    }

    @Override
    public int inboundBuffered() {
        checkLoop("inboundBuffered");
        return inbound.buffered();
    }

    // ---- outbound API ----

    @Override
    public int write(ByteBuffer src) {
        checkLoop("write");
        return outbound.write(src);
    }

    @Override
    public int write(byte[] src, int off, int len) {
        checkLoop("write");
        return outbound.write(src, off, len);
    }

    @Override
    public long writev(ByteBuffer... srcs) {
        checkLoop("writev");
        return outbound.writev(srcs);
    }

    @Override
    public void flush() {
        checkLoop("flush");
        flushOutbound();
    }

    @Override
    public int outboundBuffered() {
        checkLoop("outboundBuffered");
        return outbound.buffered();
    }

    // ---- TLS ----

    @Override
    public SSLSession tlsSession() {
        TlsSession session = tls;
        return session == null ? null : session.session();
    }

    @Override
    public String applicationProtocol() {
        TlsSession session = tls;
        return session == null ? null : session.applicationProtocol();
    }

    /** The loop-thread half of {@link #asyncWrite}/{@link #asyncWritev}. */
    void writeFromTask(ByteBuffer single, ByteBuffer[] many, Callback callback) {
        outbound.writeFromTask(single, many, callback);
    }

    // ---- any thread ----

    @Override
    public void asyncWrite(ByteBuffer src, Callback callback) {
        java.util.Objects.requireNonNull(src, "src");
        loop.execute(new AsyncWriteTask(this, src, null, callback));
    }

    @Override
    public void asyncWritev(ByteBuffer[] srcs, Callback callback) {
        java.util.Objects.requireNonNull(srcs, "srcs");
        ByteBuffer[] copy = srcs.clone();
        // Checked here, not on the loop: a null found there would fail the task half-way, after
        // the loop had queued the buffers before it, and the callback would never run.
        for (int i = 0; i < copy.length; i++) {
            java.util.Objects.requireNonNull(copy[i], "srcs[" + i + "]");
        }
        loop.execute(new AsyncWriteTask(this, null, copy, callback));
    }

    @Override
    public void wake(Callback callback) {
        WakeTask shared = wakeTask;
        if (shared == null) {
            shared = new WakeTask(this);
            if (!WAKE_TASK.compareAndSet(this, null, shared)) {
                shared = wakeTask; // another thread's first wake won
            }
        }
        loop.execute(shared.claim(callback) ? shared : new WakeTask(this, callback));
    }

    /** A {@link #wake} on the loop: {@code onTraffic} as if bytes had arrived, then the callback. */
    void runWake(Callback callback) {
        if (state != OPEN) {
            complete(callback, new ConnectionClosedException("connection from " + remoteAddress + " is closed"));
            return;
        }
        try {
            fireTraffic();
        } catch (RuntimeException | Error e) {
            failed(e); // see AsyncWriteTask.run: the callback must still run, once
            complete(callback, e);
            return;
        }
        complete(callback, null);
    }

    @Override
    public void close() {
        close(null);
    }

    @Override
    public void close(Callback callback) {
        closeCalled = true;
        if (loop.inLoop()) {
            closeOnLoop(callback);
            return;
        }
        loop.execute(new LoopTask() {
            @Override
            void run() {
                closeOnLoop(callback);
            }

            @Override
            void abort(Throwable cause) {
                // The loop ended, and closed every connection as it did.
                complete(callback, null);
            }
        });
    }

    private void closeOnLoop(Callback callback) {
        if (state == CLOSED) {
            complete(callback, null);
            return;
        }
        if (callback != null) {
            if (closeCallbacks == null) {
                closeCallbacks = new ArrayList<>(2);
            }
            closeCallbacks.add(callback);
        }
        if (inCallback) {
            // Inside this connection's own callback: close once it returns, so onClose never
            // runs nested in onTraffic and the callback's writes still go out first.
            closeRequested = true;
        } else {
            closeGracefully(null);
        }
    }

    @Override
    public boolean isOpen() {
        return state == OPEN && !closeCalled;
    }

    // ---- socket options ----

    @Override
    public void setTcpNoDelay(boolean on) {
        setOption("setTcpNoDelay", StandardSocketOptions.TCP_NODELAY, on);
    }

    @Override
    public void setKeepAlive(boolean on, int idleSeconds, int intervalSeconds, int count) {
        setOption("setKeepAlive", StandardSocketOptions.SO_KEEPALIVE, on);
        if (on) {
            SocketOptionsSupport.keepAliveDetails(channel, idleSeconds, intervalSeconds, count);
        }
    }

    @Override
    public void setLinger(int seconds) {
        setOption("setLinger", StandardSocketOptions.SO_LINGER, seconds < 0 ? -1 : seconds);
    }

    @Override
    public String toString() {
        return "Conn[" + localAddress + " <- " + remoteAddress + (state == OPEN ? "" : state == CLOSING ? ", closing" : ", closed") + ']';
    }
}
