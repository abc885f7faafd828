package io.gnetj.internal;

import io.gnetj.Action;
import io.gnetj.Callback;
import io.gnetj.Conn;
import io.gnetj.ConnectionClosedException;
import io.gnetj.IdleTimeoutException;
import io.gnetj.OutboundLimitException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A stream connection (TCP or Unix domain socket) owned by one {@link EventLoop}, and the one
 * owner of its state: the state field is private here and every transition is a method of this
 * class. {@link TlsConn} adds the TLS byte path and asks for transitions through those methods.
 *
 * <pre>
 *   CONNECTING ─connected─► HANDSHAKING ─handshake done─► OPEN ─close, EOF, handler threw, idle─► CLOSING
 *       │         (plain: straight to OPEN)                │ ▲                                      │  │
 *       │                       │              pause reads │ │ resume (a bitmask of reasons)        │  │ peer still
 *       │                       │                          ▼ │                                      │  ▼ sending
 *       │                       │                   OPEN, reading paused                          │ LINGERING
 *       └─ fails, times out ────┴─ abort, I/O error, refused write, inbound cap, memory budget ───┴──┴─► CLOSED
 * </pre>
 *
 * The table of every event and its effect is in docs/architecture.md ("A connection's states").
 *
 * <h2>Passive parts</h2>
 * {@link InboundBytes}, {@link OutboundQueue}, {@link GracefulClose} and {@link TlsSession} hold
 * bytes and bookkeeping and report what happened; they never call back here, never touch the
 * selector and never run the handler. Only this class runs callbacks, sets interest ops, and tears
 * the connection down ({@link #closeNow}, the one teardown, which also releases the {@link ConnSlot}).
 *
 * <h2>Callbacks</h2>
 * While a callback of this connection runs, nothing may free the memory behind the views the
 * handler holds, and {@code onClose} must not run nested: a failure inside the callback (a flush
 * that hits a dead socket, a refused write, an abort) is recorded and acted on once the callback
 * returns, in {@link #afterCallback}.
 *
 * <h2>Sending</h2>
 * Writes are queued, then sent at one point: when this connection's callback returns, or, for
 * writes made elsewhere on the loop (another connection's callback, a task, a batch of
 * {@code asyncWrite}s), when the loop ends the current step ({@link EventLoop#flushDirty()}): one
 * write syscall per connection per step, in program order.
 *
 * <p>Threading: the loop thread; the {@link Conn} methods allowed from any thread are in
 * {@link StreamConn} and reach this class as posted tasks.
 */
class TcpConn extends StreamConn {

    static final int CONNECTING = 0;
    static final int HANDSHAKING = 1;
    static final int OPEN = 2;
    static final int CLOSING = 3;
    static final int LINGERING = 4;
    static final int CLOSED = 5;
    private static final String[] STATE_NAMES = {"connecting", "handshaking", "open", "closing", "lingering", "closed"};

    /** Reasons reading is paused; OPEN or HANDSHAKING with any bit set has no OP_READ. */
    static final int PAUSE_WATER_MARK = 1;
    static final int PAUSE_TLS_TASK = 2;
    static final int PAUSE_MEMORY_BUDGET = 4;

    /** Sweep ticks without reads or writes after which a quiet open connection trims its buffers. */
    private static final int TRIM_AFTER_TICKS = 2;

    private final ConnSlot slot;

    private int state = OPEN;
    private int pauseMask;
    /** Sweep ticks spent towards the current state's timeout: connect, handshake, idle or close. */
    private int ticks;
    private SelectionKey key;
    private int interestOps;
    /** {@code true} while OPEN: what other threads see of the state. */
    private volatile boolean openVisible;

    private boolean inCallback;
    /** {@code close()} or {@code Action.CLOSE} inside this connection's callback: close when it returns. */
    private boolean closeRequested;
    /** A failure or abort inside this connection's callback: close at once when it returns. */
    private boolean abortRequested;
    private Throwable abortCause;
    /** What the handler threw: close with it as the cause once the callback is over. */
    private Throwable handlerFailure;
    /** Whether onOpen ran, and so whether onClose must. */
    private boolean opened;
    /** Made when the connection starts closing. */
    private GracefulClose closing;
    /** A dial in progress: completed once onOpen ran, or failed. */
    private CompletableFuture<Conn> connectFuture;
    private String dialedAddress;
    private List<Callback> closeCallbacks;
    /** In the loop's list of connections to flush at the end of the step. */
    boolean dirty;
    /** Posted when reading resumes with bytes still buffered; made on first use. */
    private LoopTask resumeTask;

    TcpConn(EventLoop loop, SocketChannel channel, ConnSlot slot) {
        super(loop, channel);
        this.slot = slot;
        slot.conn = this;
    }

    // ---- starting, loop thread ----

    /**
     * Registered and connected (accepted, enrolled, or dialed and connected at once): opens, or
     * with TLS starts the handshake. {@code future} (may be null) completes once onOpen ran.
     */
    final void start(SelectionKey key, CompletableFuture<Conn> future, String address) {
        this.key = key;
        this.interestOps = key.interestOps();
        this.connectFuture = future;
        this.dialedAddress = address;
        loop.addToTable(slot);
        connected();
    }

    /** Registered for {@code OP_CONNECT}: the dial completes in {@link #onConnectable()}. */
    final void connecting(SelectionKey key, CompletableFuture<Conn> future, String address) {
        this.key = key;
        this.interestOps = SelectionKey.OP_CONNECT;
        this.connectFuture = future;
        this.dialedAddress = address;
        loop.addToTable(slot);
        enter(CONNECTING);
    }

    /** The socket finished connecting, or failed to. */
    final void onConnectable() {
        if (state != CONNECTING) {
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
        connected();
    }

    /** The socket is connected: a plain connection opens (TLS overrides this with the handshake). */
    void connected() {
        open();
    }

    /** → HANDSHAKING: the TLS handshake runs before onOpen. */
    final void enterHandshaking() {
        enter(HANDSHAKING);
    }

    /** → OPEN: {@code onOpen}, then the dial (if any) completes. */
    final void open() {
        CompletableFuture<Conn> future = connectFuture;
        connectFuture = null;
        enter(OPEN);
        opened = true;
        afterCallback(invoke(true));
        if (future != null) {
            future.complete(this); // onOpen ran: the dial succeeded, whatever onOpen did next
        }
    }

    private void enter(int next) {
        state = next;
        ticks = 0;
        openVisible = next == OPEN;
        updateInterest();
    }

    /** OPEN or HANDSHAKING: the peer's input is wanted. */
    final boolean live() {
        return state == OPEN || state == HANDSHAKING;
    }

    final boolean isOpenState() {
        return state == OPEN;
    }

    final boolean isClosedState() {
        return state == CLOSED;
    }

    final boolean isClosing() {
        return state == CLOSING;
    }

    final boolean isHandshaking() {
        return state == HANDSHAKING;
    }

    final boolean readingPaused() {
        return pauseMask != 0;
    }

    // ---- events, loop thread ----

    /** The socket is readable. */
    final void onReadable() {
        if (state == CLOSING || state == LINGERING) {
            drainWhileClosing();
        } else if (live() && pauseMask == 0) {
            readInput();
        }
    }

    /** Reads and hands what came to the handler (TLS overrides this). */
    void readInput() {
        int room = options.maxInboundBuffered() - ringBuffered();
        if (room <= 0) {
            closeNow(inboundLimit());
            return;
        }
        int n;
        try {
            n = inbound().readFrom(channel, room);
        } catch (IOException e) {
            closeNow(e);
            return;
        }
        if (n < 0) {
            beginClose(null, true);
        } else if (n > 0) {
            progress();
            fireTraffic();
        }
    }

    /** The socket is writable: send what is queued. */
    void onWritable() {
        flush0();
    }

    /** Read or write progress: restarts the idle timeout (the others are not reset by traffic). */
    final void progress() {
        if (state == OPEN) {
            ticks = 0;
        }
    }

    /** Runs {@code onTraffic}, then acts on what it did and returned. */
    final void fireTraffic() {
        afterCallback(invoke(false));
    }

    /** Runs onOpen or onTraffic with the callback guard up; a throw is recorded, not acted on. */
    private Action invoke(boolean onOpen) {
        inCallback = true;
        try {
            return onOpen ? handler.onOpen(this) : handler.onTraffic(this);
        } catch (Throwable t) {
            logHandlerFailure(onOpen ? "onOpen" : "onTraffic", t);
            if (handlerFailure == null) {
                handlerFailure = t;
            }
            return Action.NONE;
        } finally {
            inCallback = false;
        }
    }

    /**
     * After a callback of this connection: keep the bytes it left, then act on what happened
     * inside it, most drastic first: an abort or failure closes now, then the inbound cap; an
     * exception or a close closes gracefully; otherwise its writes go out.
     */
    private void afterCallback(Action action) {
        inboundAfterCallback();
        Throwable threw = handlerFailure;
        handlerFailure = null;
        if (abortRequested) {
            abortRequested = false;
            closeNow(abortCause);
        } else if (ringBuffered() > options.maxInboundBuffered()) {
            closeNow(inboundLimit());
        } else if (threw != null) {
            beginClose(threw, false);
        } else if (action == Action.CLOSE || closeRequested) {
            beginClose(null, false);
        } else {
            flush0();
            if (action == Action.SHUTDOWN) {
                loop.engine().requestStop();
            }
        }
    }

    /** Closes at once because of {@code cause} (null: an abort without one), or once this connection's callback returns. */
    final void fail(Throwable cause) {
        if (state == CLOSED) {
            return;
        }
        if (inCallback) {
            if (!abortRequested) {
                abortRequested = true;
                abortCause = cause;
            }
            return;
        }
        closeNow(cause);
    }

    // ---- writes (StreamConn's questions) ----

    @Override
    final boolean acceptsWrites() {
        return state == OPEN && !abortRequested;
    }

    @Override
    final void refuse(OutboundLimitException refused) {
        fail(refused);
    }

    @Override
    final void afterWrite() {
        if (inCallback) {
            updateReadPause(queued()); // pause now: the callback may keep writing
        } else if (!dirty) {
            dirty = true;
            loop.addDirty(this);
        }
    }

    // ---- sending ----

    /** Bytes waiting to be sent (TLS adds records not yet written). */
    int queued() {
        return outboundBuffered0();
    }

    /** Whether a flush has something it can send once the socket takes more (TLS overrides). */
    boolean wantsWrite() {
        return outboundBuffered0() > 0;
    }

    /**
     * Hands queued bytes to the socket (TLS overrides: wraps, and sends handshake messages and
     * close_notify as due).
     *
     * @return {@code false} if the connection closed or failed meanwhile
     */
    boolean sendQueued() throws IOException {
        if (outboundBuffered0() > 0 && outbound().writeTo(channel) > 0) {
            progress();
        }
        return true;
    }

    /**
     * Sends what is queued, then sets interest, pauses or resumes reading, and moves a closing
     * connection on once everything is out.
     */
    final void flush0() {
        if (state == CLOSED || state == CONNECTING) {
            return;
        }
        try {
            if (!sendQueued()) {
                return;
            }
        } catch (IOException e) {
            fail(e);
            return;
        }
        int queued = queued();
        if (state == CLOSING && queued == 0) {
            closingDrained();
            return;
        }
        updateReadPause(queued);
        updateInterest();
    }

    @Override
    public final void flush() {
        checkLoop("flush");
        flush0();
    }

    /** The loop's end-of-step flush, for connections written to outside their callbacks. */
    final void flushDirty() {
        dirty = false;
        flush0();
    }

    /** Pauses reading at the high-water mark, resumes it under the low one. */
    private void updateReadPause(int queued) {
        if (state != OPEN) {
            return;
        }
        if ((pauseMask & PAUSE_WATER_MARK) == 0) {
            if (queued >= options.writeBufferHighWaterMark()) {
                pauseMask |= PAUSE_WATER_MARK;
            }
        } else if (queued <= options.writeBufferLowWaterMark()) {
            resume(PAUSE_WATER_MARK);
        }
    }

    /** Sets a pause reason. */
    final void pause(int reason) {
        pauseMask |= reason;
        updateInterest();
    }

    /** Clears a pause reason; the caller hands over waiting input itself. */
    final void clearPause(int reason) {
        pauseMask &= ~reason;
        updateInterest();
    }

    /**
     * Clears a pause reason; once none is left, bytes already buffered get their {@code onTraffic}
     * (a handler may have stopped decoding a pipeline at the high-water mark, and no new bytes may
     * ever come to call it again), as a task, since this may run inside a flush.
     */
    final void resume(int reason) {
        pauseMask &= ~reason;
        if (pauseMask == 0 && state == OPEN && inputWaiting()) {
            if (resumeTask == null) {
                resumeTask = new ResumeTask();
            }
            loop.execute(resumeTask);
        }
        updateInterest();
    }

    /** Whether input waits to be handed over while reading is paused (TLS adds kept records). */
    boolean inputWaiting() {
        return ringBusy();
    }

    /** Hands over input that waited (TLS overrides: unwraps kept records first). */
    void resumeInput() {
        if (ringBusy()) {
            fireTraffic();
        }
    }

    private final class ResumeTask extends LoopTask {
        @Override
        void run() {
            if (state == OPEN && pauseMask == 0) {
                resumeInput();
            }
        }

        @Override
        void abort(Throwable cause) {
            // The loop ended and closed the connection; nothing to resume.
        }
    }

    /** Sets the selector interest the state, the pause reasons and the queue call for. */
    final void updateInterest() {
        int ops;
        switch (state) {
            case CONNECTING:
                ops = SelectionKey.OP_CONNECT;
                break;
            case HANDSHAKING:
            case OPEN:
                ops = (pauseMask == 0 ? SelectionKey.OP_READ : 0) | (wantsWrite() ? SelectionKey.OP_WRITE : 0);
                break;
            case CLOSING:
                ops = (closing.peerDone() ? 0 : SelectionKey.OP_READ) | (wantsWrite() ? SelectionKey.OP_WRITE : 0);
                break;
            case LINGERING:
                ops = SelectionKey.OP_READ;
                break;
            default:
                return;
        }
        // Changing interest takes the selector's update lock in the JDK: only when it changes.
        if (ops != interestOps && key != null) {
            interestOps = ops;
            try {
                key.interestOps(ops);
            } catch (CancelledKeyException e) {
                fail(e);
            }
        }
    }

    // ---- closing ----

    /**
     * → CLOSING: no more input to the handler, queued bytes still go out (for at most
     * closeTimeout), then → CLOSED, or LINGERING first (see {@link GracefulClose}). Before OPEN
     * there is nothing to deliver: → CLOSED.
     */
    final void beginClose(Throwable cause, boolean peerDone) {
        if (state == CONNECTING || state == HANDSHAKING) {
            closeNow(cause);
            return;
        }
        if (state != OPEN) {
            return;
        }
        if (inCallback) {
            closeRequested = true;
            if (handlerFailure == null) {
                handlerFailure = cause;
            }
            return;
        }
        closing = new GracefulClose(cause, peerDone);
        enter(CLOSING);
        if (options.closeTimeout().isZero()) {
            closeNow(cause);
            return;
        }
        flush0(); // moves on to closingDrained once everything is out
    }

    /** CLOSING with everything sent: close, or shut our output and linger for the peer's EOF. */
    private void closingDrained() {
        int seen = drainInput();
        if (seen < 0) {
            return;
        }
        if (seen == GracefulClose.EOF || !closing.shouldLinger()) {
            closeNow(closing.cause());
            return;
        }
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            closeNow(closing.cause());
            return;
        }
        enter(LINGERING);
    }

    /** CLOSING or LINGERING and readable: drop what the peer sends; its EOF may end the wait. */
    private void drainWhileClosing() {
        if (drainInput() == GracefulClose.EOF) {
            if (state == LINGERING || queued() == 0) {
                closeNow(closing.cause());
            } else {
                updateInterest(); // EOF stays readable: stop asking
            }
        }
    }

    /** Reads and drops the peer's input: what {@link GracefulClose#drain} saw, or -1 if that closed the connection. */
    private int drainInput() {
        try {
            return closing.drain(channel, buffers().discard());
        } catch (IOException e) {
            closeNow(closing.cause() != null ? closing.cause() : e);
            return -1;
        }
    }

    /**
     * → CLOSED: the one teardown. Closes the socket, gives back every buffer and the slot, fails a
     * pending dial, runs {@code onClose} (if {@code onOpen} ran) and the close callbacks. Bytes
     * still queued are dropped, and then the cause says how many: nothing is lost silently.
     * Idempotent; never inside this connection's callback.
     */
    final void closeNow(Throwable cause) {
        if (state == CLOSED) {
            return;
        }
        int unsent = queued();
        Throwable reported = cause;
        if (reported == null && unsent > 0) {
            reported = new ConnectionClosedException("connection from " + remoteAddress + " closed with "
                    + unsent + " bytes unsent");
        }
        state = CLOSED;
        openVisible = false;
        if (key != null) {
            key.cancel();
        }
        EventLoop.closeQuietly(channel);
        releaseTransport();
        releaseStores();
        slot.release();
        // After the accounting: whoever waits on a failed dial sees the slot already given back.
        CompletableFuture<Conn> future = connectFuture;
        if (future != null) {
            connectFuture = null;
            future.completeExceptionally(reported != null ? reported
                    : new ConnectException("cannot dial '" + dialedAddress + "': the engine stopped first"));
        }
        if (opened) {
            Action action = Action.NONE;
            try {
                action = handler.onClose(this, reported);
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

    /** Gives back what the byte path holds beyond the two queues (TLS overrides). */
    void releaseTransport() {
    }

    @Override
    final void closeOnLoop(Callback callback) {
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
        beginClose(null, false); // inside this connection's callback: once it returns
    }

    @Override
    final void abortOnLoop(Throwable cause) {
        fail(cause);
    }

    /**
     * Something other than the handler failed while serving this connection (direct memory ran
     * out as a buffer grew, or an engine bug): log it and close with it as the cause, so that the
     * loop and its other connections carry on.
     */
    @Override
    final void failed(Throwable t) {
        loop.handlerErrors().log(System.Logger.Level.ERROR,
                "unexpected failure serving the connection from " + remoteAddress + "; closing it", t);
        inCallback = false;
        closeNow(t);
    }

    // ---- the loop's rounds: sweep, memory budget, shutdown ----

    @Override
    final void sweepTick(SweepLimits limits) {
        switch (state) {
            case CONNECTING:
                if (++ticks >= limits.connect()) {
                    closeNow(new ConnectException("cannot dial '" + dialedAddress + "': no connection within connectTimeout "
                            + options.connectTimeout()));
                }
                break;
            case HANDSHAKING:
                if (++ticks >= limits.handshake()) {
                    handshakeTimedOut();
                }
                break;
            case OPEN:
                if (++ticks >= limits.idle()) {
                    beginClose(new IdleTimeoutException("no reads or writes for " + options.idleTimeout()
                            + " (idleTimeout) on the connection from " + remoteAddress), false);
                } else if (ticks == TRIM_AFTER_TICKS) {
                    trimStores(); // quiet for a whole sweep interval: kept and oversized chunks go back
                }
                break;
            case CLOSING:
            case LINGERING:
                if (++ticks >= limits.close()) {
                    closeNow(closeTimeoutCause());
                }
                break;
            default:
                break;
        }
    }

    /** The handshake took too long (only TLS connections are ever HANDSHAKING). */
    void handshakeTimedOut() {
        closeNow(new ConnectionClosedException("handshake timed out"));
    }

    private Throwable closeTimeoutCause() {
        int unsent = queued();
        if (unsent == 0) {
            return closing.cause(); // everything was sent; the peer just never closed its side
        }
        ConnectionClosedException e = new ConnectionClosedException("closed with " + unsent
                + " bytes unsent: the peer did not take them within closeTimeout " + options.closeTimeout());
        if (closing.cause() != null) {
            e.initCause(closing.cause());
        }
        return e;
    }

    @Override
    long heldBytes() {
        return storesHeldBytes();
    }

    @Override
    final void pauseForMemory() {
        if (live()) {
            pause(PAUSE_MEMORY_BUDGET);
        }
    }

    @Override
    final void resumeForMemory() {
        if ((pauseMask & PAUSE_MEMORY_BUDGET) != 0) {
            resume(PAUSE_MEMORY_BUDGET);
        }
    }

    @Override
    final boolean pausedForMemory() {
        return (pauseMask & PAUSE_MEMORY_BUDGET) != 0;
    }

    @Override
    final boolean pausableForMemory() {
        return live() && (pauseMask & PAUSE_MEMORY_BUDGET) == 0;
    }

    @Override
    final void abortFromLoop(Throwable cause) {
        closeNow(cause);
    }

    /** The engine is stopping: dials and handshakes fail, open connections close gracefully. */
    @Override
    final void beginShutdown() {
        if (state == CONNECTING || state == HANDSHAKING) {
            closeNow(new ConnectionClosedException("the engine stopped before the connection to "
                    + (dialedAddress != null ? dialedAddress : String.valueOf(remoteAddress)) + " opened"));
        } else {
            beginClose(null, false);
        }
    }

    /** The engine's stop deadline passed: close, saying what was left unsent. */
    @Override
    final void endShutdown(Duration waited) {
        if (state == CLOSED) {
            return;
        }
        int unsent = queued();
        closeNow(unsent == 0 ? (closing == null ? null : closing.cause())
                : new ConnectionClosedException("the engine stopped with " + unsent + " bytes unsent to "
                + remoteAddress + ": the peer did not take them within " + waited));
    }

    // ---- what the any-thread operations do on the loop ----

    @Override
    public final void runWake(Callback callback) {
        if (state != OPEN) {
            complete(callback, closed());
            return;
        }
        fireTraffic();
        complete(callback, null);
    }

    @Override
    final boolean openVisible() {
        return openVisible;
    }

    @Override
    public String toString() {
        return "Conn[" + localAddress + " <- " + remoteAddress + ", " + STATE_NAMES[state] + ']';
    }
}
