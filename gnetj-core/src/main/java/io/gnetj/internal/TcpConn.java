package io.gnetj.internal;

import io.gnetj.Action;
import io.gnetj.Callback;
import io.gnetj.Conn;
import io.gnetj.ConnectionClosedException;
import io.gnetj.IdleState;
import io.gnetj.IdleTimeoutException;
import io.gnetj.OutboundLimitException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
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
 *       │                       │           OPEN, reading paused (or, half-closed, ended)         │ LINGERING
 *       └─ fails, times out ────┴─ abort, I/O error, refused write, inbound cap, memory budget ───┴──┴─► CLOSED
 * </pre>
 * With {@code halfClose}, the peer's EOF is a pause reason that never clears, and
 * {@link #shutdownOutput()} ends our side once the queue is empty: both ended is an orderly close.
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
 * While a callback runs ({@link StreamConn#invoke}), nothing may free the memory behind the
 * views the handler holds, and {@code onClose} must not run nested: a failure inside it (a flush
 * that hits a dead socket, a refused write, an abort) is recorded and acted on once it returns,
 * in {@link #afterCallback}.
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
    static final int PAUSE_USER = 8;
    /** The peer ended its output (half-close): never cleared. */
    static final int PAUSE_INPUT_DONE = 16;

    /** Half-close of our side: asked for by shutdownOutput, then done once the queue drained. */
    private static final int OUTPUT_ASKED = 1;
    private static final int OUTPUT_DONE = 2;

    private final ConnSlot slot;

    private int state = OPEN;
    private int pauseMask;
    /** {@link #OUTPUT_ASKED}, {@link #OUTPUT_DONE}: our side's half-close. */
    private int outputShut;
    /** Sweep ticks spent towards the current state's timeout: connect, handshake, idle or close. */
    private int ticks;
    /** While OPEN: sweep ticks since the last byte read, and since the last byte sent. */
    private int readTicks;
    private int writeTicks;
    private SelectionKey key;
    private int interestOps;
    /** {@code true} while OPEN: what other threads see of the state. */
    private volatile boolean openVisible;
    /** Under the water marks: what {@link #isWritable()} answers on any thread (set only on a change). */
    private volatile boolean writable = true;

    /** {@code close()} or {@code Action.CLOSE} inside this connection's callback: close when it returns. */
    private boolean closeRequested;
    /** A failure or abort inside this connection's callback: close at once when it returns. */
    private boolean abortRequested;
    private Throwable abortCause;
    /** Whether onOpen ran, and so whether onClose must. */
    private boolean opened;
    /** Made when the connection starts closing. */
    private GracefulClose closing;
    /** A dial in progress (null for accepted connections, and once open). */
    private PendingDial dial;
    /** In the loop's list of connections to flush at the end of the step. */
    boolean dirty;
    /** The tasks this connection posts to its own loop; made on first use. */
    private ConnTasks tasks;

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
        this.dial = future == null ? null : new PendingDial(future, address);
        loop.addToTable(slot);
        connected();
    }

    /** Registered for {@code OP_CONNECT}: the dial completes in {@link #onConnectable()}. */
    final void connecting(SelectionKey key, CompletableFuture<Conn> future, String address) {
        this.key = key;
        this.interestOps = SelectionKey.OP_CONNECT;
        this.dial = new PendingDial(future, address);
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
            closeNow(dial.connectFailure(e));
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
        PendingDial pending = dial;
        dial = null;
        enter(OPEN);
        opened = true;
        afterCallback(invoke(ON_OPEN), null);
        if (pending != null) {
            pending.opened(this);
        }
    }

    private void enter(int next) {
        state = next;
        ticks = readTicks = writeTicks = 0;
        openVisible = next == OPEN;
        updateInterest();
    }

    final int state() {
        return state;
    }

    /** OPEN or HANDSHAKING: the peer's input is wanted. */
    final boolean live() {
        return state == OPEN || state == HANDSHAKING;
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
            endOfInput();
        } else if (n > 0) {
            progressRead();
            fireTraffic();
        }
    }

    /**
     * The peer ended its output. Without {@code halfClose} the connection closes; with it, reading
     * stops for good and the handler hears of it, and if our side is already shut, that is the end.
     */
    private void endOfInput() {
        if (!options.halfClose()) {
            beginClose(null, true);
            return;
        }
        pause(PAUSE_INPUT_DONE, true);
        if ((outputShut & OUTPUT_DONE) != 0) {
            closeNow(null);
        } else {
            afterCallback(invoke(ON_INPUT_CLOSED), null);
        }
    }

    @Override
    public void shutdownOutput() {
        checkLoop("shutdownOutput");
        if (state == OPEN && outputShut == 0) {
            outputShut = OUTPUT_ASKED;
            afterWrite(); // the next send point shuts it once the queue is empty
        }
    }

    /** shutdownOutput asked and everything sent: the FIN goes out; with the peer's side ended too, closed. */
    private void outputDrained() {
        outputShut = OUTPUT_DONE;
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            fail(e);
            return;
        }
        if ((pauseMask & PAUSE_INPUT_DONE) != 0) {
            fail(null); // both ways ended: an orderly close (once this callback, if any, returns)
        }
    }

    /** The socket is writable: send what is queued. */
    void onWritable() {
        flush0();
    }

    /** Bytes came in: restarts the read-idle and idle timeouts (the other states' are not reset by traffic). */
    final void progressRead() {
        if (state == OPEN) {
            ticks = readTicks = 0;
        }
    }

    /** Bytes went to the socket: restarts the write-idle and idle timeouts. */
    final void progressWrite() {
        if (state == OPEN) {
            ticks = writeTicks = 0;
        }
    }

    /** Runs {@code onTraffic}, then acts on what it did and returned. */
    final void fireTraffic() {
        afterCallback(invoke(ON_TRAFFIC), null);
    }

    /**
     * After a callback of this connection: keep the bytes it left, then act on what happened
     * inside it, most drastic first: an abort or failure closes now, then the inbound cap; an
     * exception or a close closes gracefully; otherwise its writes go out.
     */
    private void afterCallback(Action action, Throwable closeCause) {
        inboundAfterCallback();
        Throwable threw = takeFailure();
        if (abortRequested) {
            abortRequested = false;
            closeNow(abortCause);
        } else if (ringBuffered() > options.maxInboundBuffered()) {
            closeNow(inboundLimit());
        } else if (threw != null) {
            beginClose(threw, false);
        } else if (action == Action.CLOSE || closeRequested) {
            beginClose(closeCause, false);
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
        if (inCallback()) {
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
        return state == OPEN && !abortRequested && outputShut == 0;
    }

    @Override
    final void refuse(OutboundLimitException refused) {
        fail(refused);
    }

    @Override
    final void afterWrite() {
        if (inCallback()) {
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
        if (sendPlain() > 0) {
            progressWrite();
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
        if (outputShut == OUTPUT_ASKED && queued == 0 && state == OPEN) {
            outputDrained();
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
        if (writable) {
            if (queued >= options.writeBufferHighWaterMark()) {
                if (options.pauseReadingWhenUnwritable()) {
                    pauseMask |= PAUSE_WATER_MARK;
                }
                writabilityChanged(false);
            }
        } else if (queued <= options.writeBufferLowWaterMark()) {
            resume(PAUSE_WATER_MARK);
            writabilityChanged(true);
        }
    }

    /** {@code onWritabilityChanged} runs as a task: this may be inside a callback or a flush. */
    private void writabilityChanged(boolean now) {
        writable = now;
        tasks().postWritability(now);
    }

    @Override
    public final boolean isWritable() {
        return writable;
    }

    /** The writability task found a change the handler was not told of: tell it. */
    final void fireWritability(boolean now) {
        afterCallback(invoke(now ? ON_WRITABLE : ON_UNWRITABLE), null);
    }

    private ConnTasks tasks() {
        ConnTasks t = tasks;
        if (t == null) {
            t = new ConnTasks(this);
            tasks = t;
        }
        return t;
    }

    /** {@code pauseReading()} or {@code resumeReading()} reached the loop. */
    @Override
    final void userPause(boolean pause) {
        setPause(PAUSE_USER, pause);
    }

    /** Sets a pause reason (only while live), or clears it, handing over waiting input if it was the last. */
    private void setPause(int reason, boolean on) {
        if (on) {
            if (live()) {
                pause(reason, true);
            }
        } else if ((pauseMask & reason) != 0) {
            resume(reason);
        }
    }

    /** Sets a pause reason ({@code pause}), or clears one without handing over waiting input. */
    final void pause(int reason, boolean pause) {
        pauseMask = pause ? pauseMask | reason : pauseMask & ~reason;
        updateInterest();
    }

    /**
     * Clears a pause reason; once none is left, bytes already buffered get their {@code onTraffic}
     * (a handler may have stopped decoding a pipeline at the high-water mark, and no new bytes may
     * ever come to call it again), as a task, since this may run inside a flush.
     */
    final void resume(int reason) {
        pauseMask &= ~reason;
        if ((pauseMask & ~PAUSE_INPUT_DONE) == 0 && state == OPEN && inputWaiting()) {
            tasks().postResume();
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

    /** The resume task: hands over waiting input if reading is still on. */
    final void resumeIfReading() {
        if (state == OPEN && (pauseMask & ~PAUSE_INPUT_DONE) == 0) {
            resumeInput();
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
        if (inCallback()) {
            closeRequested = true;
            recordFailure(cause);
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
        releaseStores(reported);
        slot.release(reported, closing);
        // After the accounting: whoever waits on a failed dial sees the slot already given back.
        PendingDial pending = dial;
        if (pending != null) {
            dial = null;
            pending.failed(reported);
        }
        if (opened) {
            notifyClosed(reported);
        }
        completeCloseCallbacks();
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
        addCloseCallback(callback);
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
        leaveCallback();
        closeNow(t);
    }

    // ---- the loop's rounds: sweep, memory budget, shutdown ----

    @Override
    final void sweepTick(SweepLimits limits) {
        ConnTimeouts.sweep(this, limits);
    }

    /** One more sweep tick in the current state; returns how many. */
    final int tick() {
        return ++ticks;
    }

    final int tickRead() {
        return ++readTicks;
    }

    final int tickWrite() {
        return ++writeTicks;
    }

    /**
     * Quiet for one of the idle timeouts: {@code onIdle}, which closes the connection (its writes
     * first) unless it returns {@code NONE}; then that timeout starts over.
     */
    final void idle(IdleState kind, String what) {
        ticks = kind == IdleState.ALL ? 0 : ticks;
        readTicks = kind == IdleState.READ ? 0 : readTicks;
        writeTicks = kind == IdleState.WRITE ? 0 : writeTicks;
        afterCallback(invoke(ON_IDLE + kind.ordinal()),
                new IdleTimeoutException(what + " on the connection from " + remoteAddress));
    }

    /** The dialed address, or {@code null} for an accepted connection. */
    final String dialedAddress() {
        return dial == null ? null : dial.address();
    }

    /** Why the connection is closing, or {@code null} (orderly, or not closing). */
    final Throwable closingCause() {
        return closing == null ? null : closing.cause();
    }

    /** The handshake took too long (only TLS connections are ever HANDSHAKING). */
    void handshakeTimedOut() {
        closeNow(new ConnectionClosedException("handshake timed out"));
    }

    @Override
    long heldBytes() {
        return storesHeldBytes();
    }

    @Override
    final void pauseForMemory() {
        setPause(PAUSE_MEMORY_BUDGET, true);
    }

    @Override
    final void resumeForMemory() {
        setPause(PAUSE_MEMORY_BUDGET, false);
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

    @Override
    final void beginShutdown() {
        ConnTimeouts.beginShutdown(this);
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
