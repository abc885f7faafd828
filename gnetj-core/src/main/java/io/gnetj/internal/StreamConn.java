package io.gnetj.internal;

import io.gnetj.Action;
import io.gnetj.Callback;
import io.gnetj.ConnectionClosedException;
import io.gnetj.IdleState;
import io.gnetj.InboundLimitException;
import io.gnetj.Options;
import io.gnetj.OutboundLimitException;
import io.gnetj.ProxyHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The API surface of a stream connection: reading its inbound bytes, queueing outbound ones,
 * socket options, and the operations other threads may call. It holds the two byte stores and no
 * state of its own: whether a write is accepted, what a refused one does, when queued bytes go
 * out and what a close does are {@link TcpConn}'s decisions, asked through the abstract methods.
 *
 * <h2>Writing back what just came, without a copy</h2>
 * A view of fresh bytes (in the loop's read buffer) written back inside this connection's own
 * callback, with nothing else queued, is lent to the {@link OutboundQueue} rather than copied:
 * the read buffer takes no other read before the callback returns. When it returns
 * ({@link #invoke}), before anything else can happen, the lent bytes are written straight from
 * the read buffer and only what the kernel did not take is copied; if the connection is closing
 * or failed instead, they are copied, so a close or abort treats them as any queued bytes. TLS
 * never lends: it wraps plaintext into records (a copy anyway) and may hold it across callbacks.
 *
 * <p>Threading: the loop-thread methods check they run on the connection's loop thread, as
 * {@link io.gnetj.Conn} requires; {@code asyncWrite}, {@code asyncWritev}, {@code wake},
 * {@code close}, {@code abort} and {@code isOpen} are safe from any thread (see
 * {@link AnyThreadOps}).
 */
abstract class StreamConn extends AbstractConn implements WakeTask.Target {

    private static final VarHandle WAKE_TASK;

    static {
        try {
            WAKE_TASK = MethodHandles.lookup().findVarHandle(StreamConn.class, "wakeTask", WakeTask.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final SocketChannel channel;
    final Options options;
    /** Made on the first read: an idle connection carries none (see {@link #inbound()}). */
    private InboundBytes inbound;
    /** Made on the first write (see {@link #outbound()}). */
    private OutboundQueue outbound;
    /** Set by close() or abort() on any thread, so isOpen() turns false as soon as they return. */
    private volatile boolean closeCalled;
    /** Reused by every wake that finds it free: see {@link WakeTask}. Made by the first wake. */
    private volatile WakeTask wakeTask;
    /** {@code close(callback)} callbacks waiting for the close (loop thread); made on first use. */
    private List<Callback> closeCallbacks;
    /** A handler callback of this connection is running (loop thread). */
    private boolean inCallback;
    /** What the handler threw: the connection closes with it once the callback is over. */
    private Throwable handlerFailure;
    /** The PROXY header this connection came with, if its listener reads one. */
    private ProxyHeader proxyHeader;
    /** Whether writes of fresh views may be lent to the outbound queue (see the class comment). */
    private final boolean lendsFreshViews;

    StreamConn(EventLoop loop, SocketChannel channel) {
        super(loop, channel, addressOrNull(channel, true), addressOrNull(channel, false));
        this.channel = channel;
        this.options = loop.engine().options();
        this.lendsFreshViews = !(this instanceof TlsConn);
    }

    @Override
    final java.nio.channels.NetworkChannel networkChannel() {
        return channel;
    }

    /** The loop's shared buffers. */
    final LoopBuffers buffers() {
        return loop.buffers();
    }

    /** The received bytes; made on first need. */
    final InboundBytes inbound() {
        InboundBytes in = inbound;
        if (in == null) {
            in = new InboundBytes(loop.buffers(), loop.counters());
            inbound = in;
        }
        return in;
    }

    /**
     * Before {@code onOpen}: the PROXY header read for this connection (may be null). Its
     * addresses, when it has them, become the connection's.
     */
    final void proxied(ProxyHeader header) {
        proxyHeader = header;
        if (header != null && !header.local()) {
            remoteAddress = header.source();
            localAddress = header.destination();
        }
    }

    @Override
    public final ProxyHeader proxyHeader() {
        return proxyHeader;
    }

    /** The bytes to send; made on first need. */
    final OutboundQueue outbound() {
        OutboundQueue out = outbound;
        if (out == null) {
            out = new OutboundQueue(loop.buffers().cache(), options.writeBufferCap(), options.maxOutboundBuffered(),
                    loop.counters());
            outbound = out;
        }
        return out;
    }

    /** Unconsumed bytes held in the connection's ring (what the inbound cap counts). */
    final int ringBuffered() {
        InboundBytes in = inbound;
        return in == null ? 0 : in.ringBuffered();
    }

    /** Whether the ring holds bytes the handler left. */
    final boolean ringBusy() {
        InboundBytes in = inbound;
        return in != null && in.ringBusy();
    }

    /** Plaintext bytes still to send, file bytes included (capped at {@code Integer.MAX_VALUE}); racy but safe off the loop. */
    final int outboundBuffered0() {
        OutboundQueue out = outbound;
        return out == null ? 0 : (int) Math.min(out.pending(), Integer.MAX_VALUE);
    }

    /** Whether queueing {@code len} more bytes would pass {@code maxOutboundBuffered}. Loop thread. */
    private boolean pastCap(long len) {
        return outboundMemory() + len > options.maxOutboundBuffered();
    }

    /** Memory queued to send: what {@code maxOutboundBuffered} caps. Loop thread. */
    private int outboundMemory() {
        OutboundQueue out = outbound;
        return out == null ? 0 : out.buffered();
    }

    /** Pooled bytes the two stores hold. */
    final long storesHeldBytes() {
        return (inbound == null ? 0 : inbound.heldBytes()) + (outbound == null ? 0 : outbound.heldBytes());
    }

    /** After a callback: the inbound store keeps leftovers and fits its memory. */
    final void inboundAfterCallback() {
        if (inbound != null) {
            inbound.afterCallback();
        }
    }

    /** A quiet connection's sweep: both stores give back memory that holds nothing. */
    final void trimStores() {
        if (inbound != null) {
            inbound.trim();
        }
        if (outbound != null) {
            outbound.trim();
        }
    }

    /** Closed: both stores drop their bytes and give their memory back; unsent files learn {@code cause}. */
    final void releaseStores(Throwable cause) {
        if (inbound != null) {
            inbound.release();
        }
        if (outbound != null) {
            outbound.release(cause != null ? cause : closed());
            postFinishedFiles();
        }
    }

    /** Hands plaintext to the socket (TLS sends through its session instead); see {@link OutboundQueue#writeTo}. */
    final long sendPlain() throws IOException {
        OutboundQueue out = outbound;
        if (out == null || out.isEmpty()) {
            return 0;
        }
        long n = out.writeTo(channel);
        postFinishedFiles();
        return n;
    }

    /** Files that left the outbound queue: each caller is told as a task, never nested. */
    final void postFinishedFiles() {
        for (FileRegion done; (done = outbound.pollFinished()) != null; ) {
            loop.execute(done);
        }
    }

    /** The shared wake task, made (and published with a CAS) by the first wake. */
    final WakeTask sharedWakeTask() {
        WakeTask shared = wakeTask;
        if (shared == null) {
            shared = new WakeTask(this);
            if (!WAKE_TASK.compareAndSet(this, null, shared)) {
                shared = wakeTask; // another thread's first wake won
            }
        }
        return shared;
    }

    static SocketAddress addressOrNull(SocketChannel channel, boolean local) {
        try {
            return local ? channel.getLocalAddress() : channel.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether writes are accepted now (the connection is open and nothing failed). */
    abstract boolean acceptsWrites();

    /** A write was refused by the outbound cap: the connection must close (a stream never goes on after a hole). */
    abstract void refuse(OutboundLimitException refused);

    /** Bytes were queued: send them at the connection's next send point. */
    abstract void afterWrite();

    /** Whether the connection is open, as the loop last published it (a volatile read). */
    abstract boolean openVisible();

    /** {@code close()} reached the loop. */
    abstract void closeOnLoop(Callback callback);

    /** {@code pauseReading()} ({@code true}) or {@code resumeReading()} reached the loop. */
    abstract void userPause(boolean pause);

    /** {@code abort(cause)} reached the loop. */
    abstract void abortOnLoop(Throwable cause);

    /** Closes because of {@code cause}: at once, or once this connection's callback returns. */
    abstract void fail(Throwable cause);

    /** Bytes went to the socket: restarts the write-idle timeouts. */
    abstract void progressWrite();

    // ---- running the handler (loop thread) ----

    static final int ON_OPEN = 0;
    static final int ON_TRAFFIC = 1;
    static final int ON_WRITABLE = 2;
    static final int ON_UNWRITABLE = 3;
    static final int ON_INPUT_CLOSED = 4;
    /** onIdle: ON_IDLE + the IdleState's ordinal. */
    static final int ON_IDLE = 5;
    private static final String[] CALLBACK_NAMES = {"onOpen", "onTraffic", "onWritabilityChanged",
        "onWritabilityChanged", "onInputClosed", "onIdle", "onIdle", "onIdle"};
    private static final IdleState[] IDLE_STATES = IdleState.values();

    /**
     * Runs a handler callback with the callback guard up. What it throws is logged and recorded
     * ({@link #takeFailure()}), not acted on: the connection decides once the callback is over.
     * Bytes the callback lent to the outbound queue are sent or copied before this returns.
     */
    final Action invoke(int callback) {
        long began = loop.timingCallbacks() ? System.nanoTime() : 0L; // only while JFR wants handler stalls
        Action action = Action.CLOSE; // stays so only if the failure path itself threw: lent bytes are copied
        inCallback = true;
        try {
            action = dispatch(callback);
        } catch (Throwable t) {
            logHandlerFailure(CALLBACK_NAMES[callback], t);
            recordFailure(t);
            action = Action.NONE;
        } finally {
            inCallback = false;
            if (began != 0L) {
                loop.callbackTimed(began, CALLBACK_NAMES[callback], this);
            }
            OutboundQueue out = outbound;
            if (out != null && out.lending()) {
                endLending(out, action);
            }
        }
        return action;
    }

    private Action dispatch(int callback) {
        switch (callback) {
            case ON_OPEN:
                return handler.onOpen(this);
            case ON_TRAFFIC:
                return handler.onTraffic(this);
            case ON_WRITABLE:
            case ON_UNWRITABLE:
                return handler.onWritabilityChanged(this, callback == ON_WRITABLE);
            case ON_INPUT_CLOSED:
                return handler.onInputClosed(this);
            default:
                return handler.onIdle(this, IDLE_STATES[callback - ON_IDLE]);
        }
    }

    /**
     * The callback that lent bytes returned; the read buffer they are in must not take another
     * read before they are dealt with. If the connection is about to flush anyway, they are
     * written straight from it, and what the kernel did not take is copied. If it is closing,
     * failed, or past its inbound cap instead, they are only copied: whatever the close does with
     * queued bytes (send them, or drop and count them) it then does with these, as before.
     */
    private void endLending(OutboundQueue out, Action action) {
        if (action != Action.CLOSE && handlerFailure == null && !closeCalled && acceptsWrites()
                && (inbound == null || inbound.buffered() <= options.maxInboundBuffered())) {
            try {
                if (out.sendLent(channel) > 0) {
                    progressWrite();
                }
            } catch (IOException e) {
                fail(e); // closes now: the lent bytes are dropped with the rest and counted as unsent
                return;
            }
        }
        out.unlend();
    }

    /** Whether one of this connection's callbacks is running. */
    final boolean inCallback() {
        return inCallback;
    }

    /** Something failed inside a callback (or a close with this cause was asked for): the first one counts. */
    final void recordFailure(Throwable t) {
        if (handlerFailure == null) {
            handlerFailure = t;
        }
    }

    /** The failure recorded during the callback that just returned, cleared. */
    final Throwable takeFailure() {
        Throwable t = handlerFailure;
        handlerFailure = null;
        return t;
    }

    /** The engine failed while a callback ran: the guard comes down so the teardown can run. */
    final void leaveCallback() {
        inCallback = false;
    }

    /** A {@code close(callback)} callback, completed by {@link #completeCloseCallbacks()} once closed. */
    final void addCloseCallback(Callback callback) {
        if (callback != null) {
            if (closeCallbacks == null) {
                closeCallbacks = new ArrayList<>(2);
            }
            closeCallbacks.add(callback);
        }
    }

    /** Closed: completes the {@code close(callback)} callbacks. */
    final void completeCloseCallbacks() {
        List<Callback> callbacks = closeCallbacks;
        closeCallbacks = null;
        if (callbacks != null) {
            for (int i = 0; i < callbacks.size(); i++) {
                complete(callbacks.get(i), null);
            }
        }
    }

    @Override
    public final void wakeFailed(Callback callback, Throwable cause) {
        complete(callback, cause);
    }

    // ---- inbound ----

    @Override
    public final ByteBuffer next(int n) {
        checkLoop("next");
        return inbound().next(n);
    }

    @Override
    public final ByteBuffer peek(int n) {
        checkLoop("peek");
        return inbound().peek(n);
    }

    @Override
    public final int discard(int n) {
        checkLoop("discard");
        return inbound().discard(n);
    }

    @Override
    public final int read(ByteBuffer dst) {
        checkLoop("read");
        return inbound().read(dst);
    }

    @Override
    public final int inboundBuffered() {
        checkLoop("inboundBuffered");
        InboundBytes in = inbound;
        return in == null ? 0 : in.buffered();
    }

    // ---- outbound ----

    @Override
    public final int write(ByteBuffer src) {
        checkLoop("write");
        int len = src.remaining();
        checkWritable(len, "write");
        OutboundQueue out = outbound();
        if (len > 0 && lendsFreshViews && inCallback && src == loop.buffers().readView()
                && out.lend(loop.buffers().readBuffer(), src.position(), src.limit())) {
            src.position(src.limit()); // as a copy would: see the class comment
        } else {
            out.write(src);
        }
        afterWrite();
        return len;
    }

    @Override
    public final int write(byte[] src, int off, int len) {
        checkLoop("write");
        Objects.checkFromIndexSize(off, len, src.length);
        checkWritable(len, "write");
        outbound().write(src, off, len);
        afterWrite();
        return len;
    }

    @Override
    public final long writev(ByteBuffer... srcs) {
        checkLoop("writev");
        long total = 0;
        for (ByteBuffer src : srcs) {
            total += src.remaining();
        }
        checkWritable(total, "writev");
        OutboundQueue out = outbound();
        for (ByteBuffer src : srcs) {
            out.write(src);
        }
        afterWrite();
        return total;
    }

    @Override
    public final void sendFile(FileChannel file, long position, long count, Callback callback) {
        checkLoop("sendFile");
        Objects.requireNonNull(file, "file");
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("sendFile: position " + position + " and count " + count
                    + " must not be negative");
        }
        long size;
        try {
            size = file.size();
        } catch (IOException e) {
            throw new UncheckedIOException("sendFile: cannot read the file's size", e);
        }
        if (count > size - position) {
            throw new IllegalArgumentException("sendFile: the range [" + position + ", " + position + " + "
                    + count + ") ends beyond the file's size of " + size + " bytes");
        }
        checkWritable(FileRegion.OVERHEAD, "sendFile");
        OutboundQueue out = outbound(); // an empty range is queued too: its callback keeps its place
        out.add(new FileRegion(this, loop.buffers().cache(), file, position, count, callback, out.mark()));
        postFinishedFiles();
        afterWrite();
    }

    /** Exact on the loop; from other threads a racy read of the stores' sizes (never torn). */
    @Override
    public final int outboundBuffered() {
        return outboundBuffered0();
    }

    private void checkWritable(long len, String op) {
        if (!acceptsWrites()) {
            throw closed();
        }
        if (pastCap(len)) {
            OutboundLimitException refused = refusal(op, len);
            refuse(refused);
            throw refused;
        }
    }

    /**
     * The loop-thread half of {@code asyncWrite}: queue now (sent at the next send point, as any
     * write). Refused past the cap, which also closes the connection.
     *
     * @return {@code null} once queued, else why not (for the callback)
     */
    final Throwable queueAsync(ByteBuffer single, ByteBuffer[] many) {
        if (!acceptsWrites()) {
            return closed();
        }
        long len = 0;
        if (single != null) {
            len = single.remaining();
        } else {
            for (ByteBuffer b : many) {
                len += b.remaining();
            }
        }
        if (pastCap(len)) {
            OutboundLimitException refused = refusal("asyncWrite", len);
            refuse(refused);
            return refused;
        }
        OutboundQueue out = outbound();
        if (single != null) {
            out.write(single);
        } else {
            for (ByteBuffer b : many) {
                out.write(b);
            }
        }
        afterWrite();
        return null;
    }

    final InboundLimitException inboundLimit() {
        return new InboundLimitException("connection from " + remoteAddress + " buffered more than "
                + options.maxInboundBuffered() + " unconsumed inbound bytes (maxInboundBuffered)");
    }

    final ConnectionClosedException closed() {
        return new ConnectionClosedException("connection from " + remoteAddress + " is closed");
    }

    private OutboundLimitException refusal(String op, long len) {
        loop.counters().refusedWrites++;
        return new OutboundLimitException(op + " of " + len + " bytes to " + remoteAddress + " refused: "
                + outboundMemory() + " bytes already queued, maxOutboundBuffered " + options.maxOutboundBuffered()
                + "; the peer is not reading, so the connection is closed and what was queued dropped");
    }

    // ---- any thread: see AnyThreadOps ----

    @Override
    public final void asyncWrite(ByteBuffer src, Callback callback) {
        AnyThreadOps.asyncWrite(this, src, callback);
    }

    @Override
    public final void asyncWritev(ByteBuffer[] srcs, Callback callback) {
        AnyThreadOps.asyncWritev(this, srcs, callback);
    }

    @Override
    public final void wake(Callback callback) {
        AnyThreadOps.wake(this, callback);
    }

    @Override
    public final void close() {
        close(null);
    }

    @Override
    public final void close(Callback callback) {
        closeCalled = true;
        AnyThreadOps.close(this, callback);
    }

    @Override
    public final void abort(Throwable cause) {
        closeCalled = true;
        AnyThreadOps.abort(this, cause);
    }

    @Override
    public final boolean isOpen() {
        return openVisible() && !closeCalled;
    }

    @Override
    public final void pauseReading() {
        AnyThreadOps.pauseReading(this, true);
    }

    @Override
    public final void resumeReading() {
        AnyThreadOps.pauseReading(this, false);
    }

    // ---- socket options ----

    @Override
    public final void setTcpNoDelay(boolean on) {
        setOption("setTcpNoDelay", StandardSocketOptions.TCP_NODELAY, on);
    }

    @Override
    public final void setKeepAlive(boolean on, int idleSeconds, int intervalSeconds, int count) {
        setOption("setKeepAlive", StandardSocketOptions.SO_KEEPALIVE, on);
        if (on) {
            SocketOptionsSupport.keepAliveDetails(channel, idleSeconds, intervalSeconds, count);
        }
    }

    @Override
    public final void setLinger(int seconds) {
        setOption("setLinger", StandardSocketOptions.SO_LINGER, seconds < 0 ? -1 : seconds);
    }
}
