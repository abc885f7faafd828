package io.gnetj.internal;

import io.gnetj.ConnectionClosedException;
import io.gnetj.Options;
import io.gnetj.buffer.BufferCache;
import io.gnetj.buffer.BufferPool;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import io.gnetj.Conn;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * One event loop: one thread, one {@link Selector}, the connections registered with it, and a
 * lock-free queue of work posted from other threads.
 *
 * <h2>An iteration</h2>
 * <ol>
 *   <li>Select with {@link Selector#select(Consumer, long)} (no selected-key set, no iterator),
 *       handling each ready key as it is reported: read and run {@code onTraffic}, or flush.
 *   <li>Run posted tasks, at most {@link #MAX_TASKS_PER_ITERATION}, so a flood of posts cannot
 *       starve IO.
 *   <li>If a sweep is due: count idle and closing connections' ticks, closing those past their
 *       limit.
 * </ol>
 *
 * <h2>Wakeups</h2>
 * As in Netty 4.1's {@code NioEventLoop}: {@code nextWakeupNanos} says {@link #AWAKE}, or the
 * deadline the loop is (about to be) sleeping until. Before blocking, the loop stores its deadline
 * and checks the task queue again; a poster swaps in {@code AWAKE} after offering its task and
 * calls {@link Selector#wakeup()} only if the old value was not {@code AWAKE}. A busy loop is thus
 * never woken needlessly, and a task offered while the loop goes to sleep is never missed: either
 * the loop sees the task on its second check, or the poster sees the deadline and wakes it.
 *
 * <h2>Ending</h2>
 * {@link #shutdown()} asks the loop to close every connection and end. After its last iteration
 * the loop marks itself terminated and drains the queue, aborting what is left; a poster that
 * finds the loop terminated after offering drains too. Both drains hold {@link #lateDrainLock}, so
 * the queue keeps one consumer at a time. That lock is only ever taken after the loop has ended.
 *
 * <p>Threading: {@link #execute}, {@link #shutdown()}, {@link #load()} and {@link #thread()} from
 * any thread; everything else on the loop thread only.
 */
final class EventLoop implements Runnable {

    static final int MAX_TASKS_PER_ITERATION = 1024;

    private static final System.Logger LOG = System.getLogger("io.gnetj");
    private static final long AWAKE = -1L;
    private static final long MAX_SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MIN_SWEEP_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final VarHandle NEXT_WAKEUP_NANOS;

    static {
        try {
            NEXT_WAKEUP_NANOS = MethodHandles.lookup()
                    .findVarHandle(EventLoop.class, "nextWakeupNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EngineCore engine;
    private final int index;
    private final Selector selector;
    private final Thread thread;
    private final MpscUnboundedAtomicArrayQueue<LoopTask> tasks = new MpscUnboundedAtomicArrayQueue<>(1024);
    private final Object lateDrainLock = new Object();
    private final Consumer<SelectionKey> keyHandler = this::processKey;
    private final AtomicInteger load = new AtomicInteger();
    private final BufferCache cache;
    private final ByteBuffer readBuffer;
    private final ByteBuffer readView;
    /** Where closing connections drop what their peers still send (see GracefulClose.finish). */
    private final ByteBuffer discardBuffer = ByteBuffer.allocateDirect(8 * 1024);
    private final RateLimitedLog handlerErrors = new RateLimitedLog(TimeUnit.SECONDS.toNanos(1));
    private final RateLimitedLog acceptErrors = new RateLimitedLog(TimeUnit.SECONDS.toNanos(1));
    private final RateLimitedLog tlsErrors = new RateLimitedLog(TimeUnit.SECONDS.toNanos(1));

    private final long sweepIntervalNanos;
    private final int idleTicksLimit;
    private final int closeTicksLimit;
    private final int connectTicksLimit;
    private final int handshakeTicksLimit;

    @SuppressWarnings("unused") // accessed through NEXT_WAKEUP_NANOS
    private volatile long nextWakeupNanos = AWAKE;
    private volatile boolean shutdownRequested;
    private volatile boolean terminated;

    private TcpConn[] conns = new TcpConn[64];
    private int connCount;
    private long nextSweepNanos;
    private Acceptor reusePortAcceptor;
    private final java.util.List<UdpListener> udpListeners = new java.util.ArrayList<>();
    private final java.util.List<UdpConn> datagramConns = new java.util.ArrayList<>();
    private ByteBuffer datagramBuffer;
    private ByteBuffer datagramView;
    private ByteBuffer datagramScratch;
    /** Where TLS plaintext is unwrapped when the read buffer is smaller than a record. */
    private ByteBuffer tlsPlaintext;

    EventLoop(EngineCore engine, int index, String name, BufferPool pool) throws IOException {
        this.engine = engine;
        this.index = index;
        this.selector = Selector.open();
        this.thread = new Thread(this, name);
        this.cache = pool.newCache();
        Options options = engine.options();
        this.readBuffer = ByteBuffer.allocateDirect(options.readBufferCap());
        this.readView = readBuffer.duplicate();
        long idle = options.idleTimeout().toNanos();
        long close = options.closeTimeout().toNanos();
        long interval = MAX_SWEEP_INTERVAL_NANOS;
        if (idle > 0) {
            interval = Math.min(interval, idle / 4);
        }
        if (close > 0) {
            interval = Math.min(interval, close / 4);
        }
        long connect = options.connectTimeout().toNanos();
        interval = Math.min(interval, connect / 4);
        long handshake = options.tls() == null ? 0 : options.tls().handshakeTimeout().toNanos();
        if (handshake > 0) {
            interval = Math.min(interval, handshake / 4);
        }
        this.sweepIntervalNanos = Math.max(MIN_SWEEP_INTERVAL_NANOS, interval);
        // One tick more than the quotient, so a connection is never closed before its full timeout.
        this.idleTicksLimit = idle > 0 ? ticksFor(idle) : Integer.MAX_VALUE;
        this.closeTicksLimit = ticksFor(close);
        this.connectTicksLimit = ticksFor(connect);
        this.handshakeTicksLimit = handshake > 0 ? ticksFor(handshake) : Integer.MAX_VALUE;
    }

    private int ticksFor(long nanos) {
        long ticks = (nanos + sweepIntervalNanos - 1) / sweepIntervalNanos + 1;
        return (int) Math.min(Integer.MAX_VALUE, ticks);
    }

    // ---- any thread ----

    /** The loop's thread. */
    Thread thread() {
        return thread;
    }

    int index() {
        return index;
    }

    /** Connections assigned to this loop (including ones posted but not yet registered). */
    AtomicInteger load() {
        return load;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    void start() {
        thread.start();
    }

    /**
     * Runs {@code task} on the loop thread, soon; from any thread (on the loop thread it runs in
     * the task phase of the current or next iteration, never inline).
     */
    void execute(LoopTask task) {
        tasks.offer(task);
        if (terminated) {
            drainAfterTermination();
        } else if (!inLoop()) {
            wakeup();
        }
    }

    private void wakeup() {
        if ((long) NEXT_WAKEUP_NANOS.getAndSet(this, AWAKE) != AWAKE) {
            selector.wakeup();
        }
    }

    /** Asks the loop to close every connection and end; returns at once. */
    void shutdown() {
        shutdownRequested = true;
        NEXT_WAKEUP_NANOS.setVolatile(this, AWAKE);
        selector.wakeup();
    }

    boolean isTerminated() {
        return terminated;
    }

    // ---- loop thread ----

    EngineCore engine() {
        return engine;
    }

    BufferCache cache() {
        return cache;
    }

    /** The loop's shared read buffer: every connection reads into it when it has nothing buffered. */
    ByteBuffer readBuffer() {
        return readBuffer;
    }

    /** A second window on {@link #readBuffer()}, lent to handlers as the view of fresh bytes. */
    ByteBuffer readView() {
        return readView;
    }

    /** A scratch buffer for input that is read only to be dropped. */
    ByteBuffer discardBuffer() {
        return discardBuffer;
    }

        RateLimitedLog handlerErrors() {
        return handlerErrors;
    }

    RateLimitedLog acceptErrors() {
        return acceptErrors;
    }

    /** TLS handshakes that failed on connections that never opened. */
    RateLimitedLog tlsErrors() {
        return tlsErrors;
    }

    /** A buffer of at least {@code size} bytes for TLS plaintext, cleared; see {@link TlsSession}. */
    ByteBuffer tlsPlaintextBuffer(int size) {
        if (tlsPlaintext == null || tlsPlaintext.capacity() < size) {
            tlsPlaintext = ByteBuffer.allocateDirect(size);
        }
        return tlsPlaintext.clear();
    }

    Selector selector() {
        return selector;
    }

    /** Makes this loop serve a bound UDP socket (before the loop starts). */
    void adoptUdpListener(UdpListener listener) {
        udpListeners.add(listener);
    }

    /**
     * The buffer datagrams are received into: 64 KiB, more than any UDP payload, so none is cut.
     * Allocated on first use: loops that serve no UDP never hold it.
     */
    ByteBuffer datagramBuffer() {
        if (datagramBuffer == null) {
            datagramBuffer = ByteBuffer.allocateDirect(64 * 1024);
            datagramView = datagramBuffer.duplicate();
        }
        return datagramBuffer;
    }

    /** A second window on {@link #datagramBuffer()}, lent to handlers as the datagram's view. */
    ByteBuffer datagramView() {
        datagramBuffer();
        return datagramView;
    }

    /** Where a UDP {@code writev} gathers its buffers into one datagram. */
    ByteBuffer datagramScratch() {
        if (datagramScratch == null) {
            datagramScratch = ByteBuffer.allocateDirect(64 * 1024);
        }
        return datagramScratch;
    }

    void addDatagramConn(UdpConn conn) {
        datagramConns.add(conn);
    }

    void removeDatagramConn(UdpConn conn) {
        datagramConns.remove(conn);
    }

    /** Makes this loop accept by itself from {@code acceptor}'s listeners ({@code reusePort} mode). */
    void adoptListener(Acceptor acceptor) {
        this.reusePortAcceptor = acceptor;
    }

    @Override
    public void run() {
        try {
            if (reusePortAcceptor != null) {
                reusePortAcceptor.register(selector);
            }
            for (UdpListener listener : udpListeners) {
                listener.register(selector);
            }
            nextSweepNanos = System.nanoTime() + sweepIntervalNanos;
            while (!shutdownRequested) {
                select();
                runTasks();
                long now = System.nanoTime();
                if (reusePortAcceptor != null) {
                    reusePortAcceptor.resumeIfDue(now);
                }
                if (now - nextSweepNanos >= 0) {
                    sweep();
                    nextSweepNanos = now + sweepIntervalNanos;
                }
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "event loop " + thread.getName() + " failed", t);
        } finally {
            closeEverything();
        }
    }

    private void select() throws IOException {
        if (tasks.isEmpty()) {
            long deadline = reusePortAcceptor == null
                    ? nextSweepNanos : Math.min(nextSweepNanos, reusePortAcceptor.resumeAt());
            // nanoTime may be any long: never publish the AWAKE sentinel as a deadline.
            NEXT_WAKEUP_NANOS.setVolatile(this, deadline == AWAKE ? AWAKE - 1 : deadline);
            try {
                if (tasks.isEmpty() && !shutdownRequested) {
                    long timeoutMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime() + 999_999));
                    selector.select(keyHandler, timeoutMillis);
                } else {
                    selector.selectNow(keyHandler);
                }
            } finally {
                // A plain (release) store: the next poster may still call wakeup() needlessly, once.
                NEXT_WAKEUP_NANOS.setRelease(this, AWAKE);
            }
        } else {
            selector.selectNow(keyHandler);
        }
    }

    private void processKey(SelectionKey key) {
        Object attachment = key.attachment();
        if (attachment instanceof TcpConn) {
            TcpConn conn = (TcpConn) attachment;
            int ready;
            try {
                ready = key.readyOps();
            } catch (java.nio.channels.CancelledKeyException e) {
                return;
            }
            try {
                if ((ready & SelectionKey.OP_CONNECT) != 0) {
                    conn.onConnectable();
                    return;
                }
                if ((ready & SelectionKey.OP_WRITE) != 0) {
                    conn.onWritable();
                }
                if ((ready & SelectionKey.OP_READ) != 0 && conn.isRegistered()) {
                    conn.onReadable();
                }
            } catch (RuntimeException | Error e) {
                // Handler exceptions are caught closer to the handler; this is anything else that
                // fails while serving one connection, typically direct memory running out as its
                // buffer grows. Left to propagate it ended the loop and every connection on it.
                conn.failed(e);
            }
        } else if (attachment instanceof Acceptor) {
            ((Acceptor) attachment).acceptReady(key);
        } else if (attachment instanceof UdpListener) {
            ((UdpListener) attachment).onReadable();
        } else if (attachment instanceof UdpConn) {
            ((UdpConn) attachment).onReadable();
        }
    }

    private void runTasks() {
        for (int i = 0; i < MAX_TASKS_PER_ITERATION; i++) {
            LoopTask task = tasks.relaxedPoll();
            if (task == null) {
                return;
            }
            try {
                task.run();
            } catch (Throwable t) {
                handlerErrors.log(System.Logger.Level.WARNING, "task failed on " + thread.getName(), t);
            }
        }
    }

    private void sweep() {
        // Backwards: closing a connection swaps the last one into its slot.
        for (int i = connCount - 1; i >= 0; i--) {
            if (i < connCount) {
                conns[i].sweepTick(idleTicksLimit, closeTicksLimit, connectTicksLimit, handshakeTicksLimit);
            }
        }
    }

    /** Registers a connection with this loop's bookkeeping; returns its slot. */
    void add(TcpConn conn) {
        if (connCount == conns.length) {
            conns = Arrays.copyOf(conns, conns.length * 2);
        }
        conn.slot = connCount;
        conns[connCount++] = conn;
    }

    /** Forgets a closed connection. */
    void remove(TcpConn conn) {
        int slot = conn.slot;
        if (slot < 0 || slot >= connCount || conns[slot] != conn) {
            return;
        }
        TcpConn last = conns[--connCount];
        conns[slot] = last;
        last.slot = slot;
        conns[connCount] = null;
        conn.slot = -1;
    }

    /**
     * Registers an accepted channel with this loop and opens the connection (with {@code tls},
     * starts its handshake).
     */
    void open(SocketChannel channel, boolean acquired, boolean tls) {
        TcpConn conn = new TcpConn(this, channel);
        try {
            if (tls) {
                conn.useTls(TlsSession.server(conn, this, channel, engine.options().tls(),
                        String.valueOf(conn.remoteAddress())));
            }
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ, conn);
            conn.opened(key);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            load.decrementAndGet();
            if (acquired) {
                engine.releaseConnection();
            }
            acceptErrors.log(System.Logger.Level.WARNING, "could not register a connection on " + thread.getName(), e);
        }
    }

    /**
     * Registers a stream channel a client dialed (connect pending, or already connected) or
     * enrolled, and completes {@code future} once {@code onOpen} ran (with TLS, after the
     * handshake), or with why not.
     *
     * @param target the dialed address ({@code null} for an enrolled channel)
     */
    void openDialed(SocketChannel channel, boolean connected, Object context, CompletableFuture<Conn> future,
                    String address, ListenAddress target) {
        TcpConn conn = new TcpConn(this, channel);
        conn.context(context);
        try {
            if (target != null && target.tls()) {
                int port = ((java.net.InetSocketAddress) target.socketAddress()).getPort();
                conn.useTls(TlsSession.client(conn, this, channel, engine.options().tls(), target.host(), port, address));
                conn.connecting(channel.register(selector, SelectionKey.OP_CONNECT, conn), future, address);
                if (connected) {
                    conn.onConnectable();
                }
            } else if (connected) {
                conn.opened(channel.register(selector, SelectionKey.OP_READ, conn));
                future.complete(conn);
            } else {
                conn.connecting(channel.register(selector, SelectionKey.OP_CONNECT, conn), future, address);
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            load.decrementAndGet();
            engine.releaseConnection();
            future.completeExceptionally(e);
        }
    }

    /** Registers a connected UDP channel a client dialed, and completes {@code future} once {@code onOpen} ran. */
    void openDialedDatagram(DatagramChannel channel, Object context, CompletableFuture<Conn> future) {
        try {
            UdpConn conn = new UdpConn(this, channel, channel.getLocalAddress(), channel.getRemoteAddress(), true);
            conn.context(context);
            conn.opened(channel.register(selector, SelectionKey.OP_READ, conn));
            future.complete(conn);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            load.decrementAndGet();
            engine.releaseConnection();
            future.completeExceptionally(e);
        }
    }

    private void closeEverything() {
        for (int i = connCount - 1; i >= 0; i--) {
            if (i < connCount) {
                conns[i].closeForShutdown();
            }
        }
        for (int i = datagramConns.size() - 1; i >= 0; i--) {
            datagramConns.get(i).closeNow(null);
        }
        if (reusePortAcceptor != null) {
            reusePortAcceptor.close();
        }
        for (UdpListener listener : udpListeners) {
            listener.close();
        }
        terminated = true;
        drainAfterTermination();
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing selector", e);
        }
        cache.close();
    }

    private void drainAfterTermination() {
        synchronized (lateDrainLock) {
            LoopTask task;
            while ((task = tasks.poll()) != null) {
                try {
                    task.abort(new ConnectionClosedException("the event loop " + thread.getName() + " has stopped"));
                } catch (Throwable t) {
                    LOG.log(System.Logger.Level.WARNING, "aborting a task after " + thread.getName() + " stopped", t);
                }
            }
        }
    }

    static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "close", e);
        }
    }

    @Override
    public String toString() {
        return thread.getName();
    }
}
