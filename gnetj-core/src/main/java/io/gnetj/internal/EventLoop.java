package io.gnetj.internal;

import io.gnetj.ConnectionClosedException;
import io.gnetj.Conn;
import io.gnetj.Options;
import io.gnetj.ProxyHeader;
import io.gnetj.buffer.BufferPool;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One event loop: one thread, one {@link Selector}, the connections registered with it, and a
 * lock-free queue of work posted from other threads.
 *
 * <h2>An iteration (a "step" is each numbered part)</h2>
 * <ol>
 *   <li>Select with {@link Selector#select(Consumer, long)} (no selected-key set, no iterator),
 *       handling each ready key as it is reported: read and run {@code onTraffic}, or flush.
 *   <li>Run posted tasks, at most {@link #MAX_TASKS_PER_ITERATION}, so a flood of posts cannot
 *       starve IO.
 *   <li>If a sweep is due: each connection's timeouts, quiet connections' trims, the memory budget.
 * </ol>
 * After each step the loop flushes every connection written to outside its own callback
 * ({@link #flushDirty()}): N {@code asyncWrite}s to one connection in one task batch cost one
 * write syscall, not N.
 *
 * <h2>Wake-ups and the task queue</h2>
 * Two small classes hold the cross-thread protocols, so a model checker can drive them: the
 * {@link WakeupGate} (Netty 4.1's: one word says awake, or the deadline the loop sleeps until; a
 * poster wakes the selector only if it swapped a deadline out) and the {@link TaskQueue} (every
 * task posted runs on the loop or, once it has ended, is aborted, exactly once). The loop marks
 * itself awake as soon as select hands it the first ready key, not after the last: posts made
 * while it serves the keys then cost no {@code wakeup()} syscall.
 *
 * <h2>Memory budget</h2>
 * Each loop enforces an equal share of {@link Options#memoryBudget()}: {@link LoopMemoryBudget}.
 *
 * <h2>Starting</h2>
 * A server's loops start before {@code onBoot} runs (so it may post tasks and timers to them) but
 * serve no listener yet: the listeners handed to a loop ({@code reusePort} acceptors, UDP sockets)
 * are registered with its selector by {@link #startListening()}, which the engine calls once
 * {@code onBoot} has returned. Until then connections wait in the kernel's backlog and datagrams
 * in the socket's receive buffer.
 *
 * <h2>Ending</h2>
 * {@link #shutdown(long)} makes the loop stop accepting and close every connection gracefully:
 * queued bytes still go out while the loop keeps running, until the stop's deadline (and each
 * connection's own {@code closeTimeout}); whatever is left is then cut: closed abortively, its
 * {@code onClose} told that the stop deadline cut it and how many bytes were dropped. The loop
 * counts both for the engine's {@link io.gnetj.StopReport}. Its last act terminates the task
 * queue, which aborts what is posted from then on.
 *
 * <p>Threading: {@link #execute}, {@link #shutdown(long)}, {@link #startListening()},
 * {@link #load()}, {@link #thread()}, {@link #inLoop()} and {@link #wakeups()} from any thread;
 * {@link #stopCounts()} after the loop has ended; everything else on the loop thread.
 */
final class EventLoop implements io.gnetj.EventLoop {

    static final int MAX_TASKS_PER_ITERATION = 1024;

    private static final System.Logger LOG = System.getLogger("io.gnetj");
    private static final long NO_DEADLINE = Long.MIN_VALUE;
    private static final VarHandle WAKEUPS;

    static {
        try {
            WAKEUPS = MethodHandles.lookup().findVarHandle(EventLoop.class, "wakeups", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EngineCore engine;
    private final int index;
    private final Selector selector;
    private final Thread thread;
    private final TaskQueue tasks;
    private final WakeupGate gate = new WakeupGate();
    private final Consumer<SelectionKey> keyHandler = this::processKey;
    private final Consumer<Throwable> taskFailed =
            t -> handlerErrors().log(System.Logger.Level.WARNING, "task failed on " + thread().getName(), t);
    private final AtomicInteger load = new AtomicInteger();
    private final LoopBuffers buffers;
    private final RateLimitedLog handlerErrors = new RateLimitedLog(TimeUnit.SECONDS.toNanos(1));
    private final RateLimitedLog acceptErrors = new RateLimitedLog(TimeUnit.SECONDS.toNanos(1));
    private final RateLimitedLog tlsErrors = new RateLimitedLog(TimeUnit.SECONDS.toNanos(1));
    private final long sweepIntervalNanos;
    private final SweepLimits limits;
    private final LoopMemoryBudget budget;
    private final EngineStop.Counts stopCounts = new EngineStop.Counts();
    private final LoopCounters counters = new LoopCounters();
    /** A recording wants handler stalls: time every callback (refreshed each sweep). */
    private boolean timeCallbacks = Jfr.handlerStallEnabled();
    /** When the stop's graceful part ends ({@code System.nanoTime()}); see {@link #shutdown(long)}. */
    private final AtomicLong stopDeadline = new AtomicLong(NO_DEADLINE);

    @SuppressWarnings("unused") // accessed through WAKEUPS
    private volatile long wakeups;
    private volatile boolean shutdownRequested;
    /** Stopping: connections are closing, nothing new is registered. */
    private boolean draining;
    private ConnSlot[] table = new ConnSlot[64];
    private int tableCount;
    private TcpConn[] dirty = new TcpConn[16];
    /** When the last iteration did its last work: the clock read the next select's accounting reuses. */
    private long iterationEnd;
    private int dirtyCount;
    private long nextSweepNanos;
    private Acceptor reusePortAcceptor;
    private final LoopTimers timers = new LoopTimers();
    private final List<UdpListener> udpListeners = new ArrayList<>();

    EventLoop(EngineCore engine, int index, String name, BufferPool pool) throws IOException {
        this.engine = engine;
        this.index = index;
        this.selector = engine.provider().openSelector();
        this.thread = new Thread(this::run, name);
        this.tasks = new TaskQueue(TaskQueue.loopStopped(name));
        Options options = engine.options();
        this.buffers = new LoopBuffers(pool.newCache(), options.readBufferCap());
        this.sweepIntervalNanos = SweepLimits.intervalNanos(options);
        this.limits = SweepLimits.of(options, sweepIntervalNanos);
        this.budget = new LoopMemoryBudget(this, Math.max(options.readBufferCap(),
                options.memoryBudget() / options.effectiveEventLoops()));
    }

    // ---- any thread ----

    /** The loop's thread. */
    Thread thread() {
        return thread;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public boolean inEventLoop() {
        return inLoop();
    }

    @Override
    public int countConnections() {
        return load.get();
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

    /** {@link Selector#wakeup()} calls made by posters so far (racy read). */
    long wakeups() {
        return wakeups;
    }

    /** A snapshot of the loop's counters; any thread (racy: see {@link LoopCounters}). */
    io.gnetj.LoopMetrics metrics() {
        return counters.snapshot(index, tableCount, tasks.size(), wakeups);
    }

    /**
     * Posts {@code task} to run on the loop thread, soon; any thread (on the loop thread it runs
     * in the task step of the current or next iteration, never inline).
     *
     * @return {@code false} if the loop had ended (the task was aborted already)
     */
    boolean execute(LoopTask task) {
        if (!tasks.offer(task)) {
            return false;
        }
        if (!inLoop() && gate.mustWake()) {
            WAKEUPS.getAndAdd(this, 1L);
            selector.wakeup();
        }
        return true;
    }

    // ---- the public EventLoop: user tasks, timers, dials (any thread) ----

    @Override
    public void execute(Runnable task) {
        UserTask posted = new UserTask(Objects.requireNonNull(task, "task"), thread.getName());
        if (tasks.isTerminated() || !execute(posted)) {
            throw new RejectedExecutionException("the event loop " + thread.getName() + " has stopped");
        }
    }

    @Override
    public Scheduled schedule(Runnable task, Duration delay) {
        Objects.requireNonNull(task, "task");
        long nanos = Durations.saturatedNanos(Objects.requireNonNull(delay, "delay"));
        LoopTimers.Timer timer = new LoopTimers.Timer(timers, task, System.nanoTime() + nanos);
        if (tasks.isTerminated() || !(inLoop() ? addTimer(timer) : execute(timer))) {
            throw new RejectedExecutionException("the event loop " + thread.getName() + " has stopped");
        }
        return timer;
    }

    private boolean addTimer(LoopTimers.Timer timer) {
        timers.add(timer);
        return true;
    }

    @Override
    public CompletableFuture<Conn> dial(String address, Object context) {
        return engine.dial(address, context, this);
    }

    @Override
    public CompletableFuture<Conn> enroll(SocketChannel channel, Object context) {
        return engine.enroll(Objects.requireNonNull(channel, "channel"), context, this);
    }

    /**
     * Asks the loop to stop accepting, close every connection gracefully until {@code deadline}
     * (a {@code System.nanoTime()} instant), cut the rest, and end; returns at once. Called again
     * with an earlier deadline, brings the cut forward (a later one is ignored).
     */
    void shutdown(long deadline) {
        stopDeadline.accumulateAndGet(deadline, (current, asked) -> current == NO_DEADLINE || asked - current < 0 ? asked : current);
        shutdownRequested = true;
        gate.forceAwake();
        selector.wakeup();
    }

    /** Asks the loop to end, giving its connections {@code closeTimeout} to close gracefully. */
    void shutdown() {
        shutdown(System.nanoTime() + Durations.saturatedNanos(engine.options().closeTimeout()));
    }

    /**
     * Registers the listeners this loop serves ({@code reusePort} acceptors, UDP sockets) with its
     * selector, on its own thread, unless it is stopping by then. The engine calls it once
     * {@code onBoot} has returned. Any thread.
     */
    void startListening() {
        execute(new LoopTask() {
            @Override
            void run() {
                if (isDraining()) {
                    return;
                }
                try {
                    if (reusePortAcceptor != null) {
                        reusePortAcceptor.register(selector);
                    }
                    for (UdpListener listener : udpListeners) {
                        listener.register(selector);
                    }
                } catch (java.nio.channels.ClosedChannelException e) {
                    // The engine is stopping and closed the listeners first: nothing to serve.
                }
            }

            @Override
            void abort(Throwable cause) {
                // The loop ended before it served anything: its listeners are closed with it.
            }
        });
    }

    /** What the loop's stop counted; read once the loop has ended. */
    EngineStop.Counts stopCounts() {
        return stopCounts;
    }

    boolean isTerminated() {
        return tasks.isTerminated();
    }

    // ---- loop thread ----

    EngineCore engine() {
        return engine;
    }

    LoopBuffers buffers() {
        return buffers;
    }

    RateLimitedLog handlerErrors() {
        return handlerErrors;
    }

    /** The loop's counters; written on the loop thread only. */
    LoopCounters counters() {
        return counters;
    }

    /** Whether handler callbacks are timed (a recording wants {@code io.gnetj.HandlerStall}). */
    boolean timingCallbacks() {
        return timeCallbacks;
    }

    /** A timed callback of {@code conn} that began at {@code began} returned: a stall if it took too long. */
    void callbackTimed(long began, String method, AbstractConn conn) {
        long took = System.nanoTime() - began;
        if (took >= LoopCounters.STALL_THRESHOLD_NANOS) {
            counters.stalls++;
            Jfr.handlerStall(conn, method, took);
        }
    }

    RateLimitedLog acceptErrors() {
        return acceptErrors;
    }

    /** TLS handshakes that failed on connections that never opened. */
    RateLimitedLog tlsErrors() {
        return tlsErrors;
    }

    Selector selector() {
        return selector;
    }

    /** Makes this loop serve a bound UDP socket (before the loop starts). */
    void adoptUdpListener(UdpListener listener) {
        udpListeners.add(listener);
    }

    /** Makes this loop accept by itself from {@code acceptor}'s listeners ({@code reusePort} mode). */
    void adoptListener(Acceptor acceptor) {
        this.reusePortAcceptor = acceptor;
    }

    /** Whether the loop is stopping and takes no new connections. */
    boolean isDraining() {
        return draining || shutdownRequested;
    }

    /** The loop thread's body. */
    private void run() {
        try {
            iterationEnd = System.nanoTime();
            nextSweepNanos = iterationEnd + sweepIntervalNanos;
            counters.loopStarted();
            while (!shutdownRequested) {
                iterate();
            }
            iterationEnded(System.nanoTime()); // the last one, which the stop request ended before it selected again
            drainForShutdown();
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "event loop " + thread.getName() + " failed", t);
        } finally {
            closeEverything();
        }
    }

    private void iterate() throws IOException {
        select(iterationEnd);
        flushDirty();
        runTasks();
        long now = System.nanoTime();
        timers.runDue(now, taskFailed);
        flushDirty();
        if (reusePortAcceptor != null && !draining) {
            reusePortAcceptor.resumeIfDue(now);
        }
        if (now - nextSweepNanos >= 0) {
            counters.tickLate(now - nextSweepNanos);
            sweep();
            nextSweepNanos = now + sweepIntervalNanos;
            flushDirty();
            now = System.nanoTime(); // the sweep's time belongs to this iteration
        }
        iterationEnd = now;
    }

    /** @param iterationEnd when the iteration that ends here did its last work (one clock read serves both) */
    private void select(long iterationEnd) throws IOException {
        iterationEnded(iterationEnd);
        try {
            selectAndServe();
        } finally {
            counters.afterSelect();
        }
    }

    /** The iteration that began when the loop last woke is over: a stall if it took too long. */
    private void iterationEnded(long now) {
        long iteration = counters.beforeSelect(now);
        if (iteration >= LoopCounters.STALL_THRESHOLD_NANOS) {
            counters.stalls++;
            Jfr.loopStall(this, iteration);
        }
    }

    private void selectAndServe() throws IOException {
        if (!tasks.isEmpty() || (shutdownRequested && !draining)) {
            selector.selectNow(keyHandler);
            return;
        }
        long deadline = Math.min(nextSweepNanos, timers.nextDeadline());
        if (reusePortAcceptor != null && !draining) {
            deadline = Math.min(deadline, reusePortAcceptor.resumeAt());
        }
        gate.sleepingUntil(deadline);
        try {
            if (tasks.isEmpty() && (draining || !shutdownRequested)) {
                long timeoutMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime() + 999_999));
                selector.select(keyHandler, timeoutMillis);
            } else {
                selector.selectNow(keyHandler);
            }
        } finally {
            gate.awake();
        }
    }

    private void processKey(SelectionKey key) {
        gate.awake(); // the first key: posts from here on need no wake-up
        counters.keyReady();
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
                if ((ready & SelectionKey.OP_READ) != 0 && conn.state() != TcpConn.CLOSED) {
                    conn.onReadable();
                }
            } catch (RuntimeException | Error e) {
                // Handler exceptions are caught closer to the handler; this is anything else that
                // fails while serving one connection, typically direct memory running out as its
                // buffer grows. Left to propagate it would end the loop and every connection on it.
                conn.failed(e);
            }
            flushDirty(); // what its callback wrote to other connections
            budget.check();
        } else if (attachment instanceof Acceptor) {
            ((Acceptor) attachment).acceptReady(key);
        } else if (attachment instanceof UdpListener) {
            ((UdpListener) attachment).onReadable();
        } else if (attachment instanceof UdpConn) {
            ((UdpConn) attachment).onReadable();
        } else if (attachment instanceof ProxyPreamble) {
            ((ProxyPreamble) attachment).onReadable();
        }
    }

    private void runTasks() {
        counters.tasksRun += tasks.runBatch(MAX_TASKS_PER_ITERATION, taskFailed);
        budget.check();
    }

    // ---- the end-of-step flush ----

    /** Queues {@code conn} for the end-of-step flush (it is not in the list yet). */
    void addDirty(TcpConn conn) {
        if (dirtyCount == dirty.length) {
            dirty = Arrays.copyOf(dirty, dirtyCount * 2);
        }
        dirty[dirtyCount++] = conn;
    }

    /** Flushes every connection written to outside its own callback during the step. */
    void flushDirty() {
        // Flushing may close a connection, whose onClose may write to others: they join the end.
        for (int i = 0; i < dirtyCount; i++) {
            TcpConn conn = dirty[i];
            dirty[i] = null;
            try {
                conn.flushDirty();
            } catch (RuntimeException | Error e) {
                conn.failed(e);
            }
        }
        dirtyCount = 0;
    }

    // ---- the connection table ----

    /** Adds a registered connection's slot to the table. */
    void addToTable(ConnSlot slot) {
        if (tableCount == table.length) {
            table = Arrays.copyOf(table, table.length * 2);
        }
        slot.tableIndex = tableCount;
        table[tableCount++] = slot;
        counters.opened++;
        Jfr.connectionOpened(slot.conn);
    }

    /** Removes a slot from the table (the last entry moves into its place). */
    void removeFromTable(ConnSlot slot) {
        int i = slot.tableIndex;
        if (i < 0 || i >= tableCount || table[i] != slot) {
            return;
        }
        ConnSlot last = table[--tableCount];
        table[i] = last;
        last.tableIndex = i;
        table[tableCount] = null;
        slot.tableIndex = -1;
    }

    /** Connections in the table (registered, not yet closed). */
    int connectionCount() {
        return tableCount;
    }

    /** The connection in table entry {@code i} (below {@link #connectionCount()}). */
    AbstractConn connectionAt(int i) {
        return table[i].conn;
    }

    // ---- sweep and memory budget ----

    private void sweep() {
        // Backwards: closing a connection swaps the last one into its slot.
        for (int i = tableCount - 1; i >= 0; i--) {
            if (i < tableCount) {
                AbstractConn conn = table[i].conn;
                // Stopping, a connection's own closeTimeout may cut it before the deadline: count it.
                int unsent = draining && conn instanceof TcpConn ? ((TcpConn) conn).queued() : 0;
                try {
                    conn.sweepTick(limits);
                } catch (RuntimeException | Error e) {
                    conn.failed(e);
                }
                if (unsent > 0 && ((TcpConn) conn).state() == TcpConn.CLOSED) {
                    stopCounts.cut(unsent);
                }
            }
        }
        budget.sweep();
        LoopTask probe = counters.lagProbe(); // how late the next posted task runs
        if (probe != null) {
            execute(probe);
        }
        timeCallbacks = Jfr.handlerStallEnabled();
    }


    // ---- registering connections ----

    /**
     * Registers an accepted channel and opens the connection (with {@code tls}, starts its
     * handshake). A failure here closes this connection only.
     */
    void open(SocketChannel channel, ConnSlot slot, boolean tls) {
        if (engine.options().proxyProtocol() && !isDraining()) {
            ProxyPreamble preamble = new ProxyPreamble(this, channel, slot, tls);
            try {
                preamble.start(channel.register(selector, SelectionKey.OP_READ, preamble));
            } catch (IOException | RuntimeException e) {
                preamble.fail(e);
            }
            return;
        }
        open(channel, slot, tls, null);
    }

    /**
     * As {@link #open(SocketChannel, ConnSlot, boolean)}, once the PROXY header (if any) was read:
     * the connection reports the header's addresses.
     */
    void open(SocketChannel channel, ConnSlot slot, boolean tls, ProxyHeader header) {
        if (isDraining()) {
            refuse(channel, slot);
            return;
        }
        TcpConn conn = null;
        try {
            conn = tls ? new TlsConn(this, channel, slot, TlsSession.server(engine.options().tls(), buffers.cache(),
                    String.valueOf(channel.getRemoteAddress())))
                    : new TcpConn(this, channel, slot);
            conn.proxied(header);
            conn.start(channel.register(selector, SelectionKey.OP_READ, conn), null, null);
        } catch (IOException | RuntimeException | Error e) {
            setUpFailed(conn, channel, slot, e);
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
    void openDialed(SocketChannel channel, ConnSlot slot, boolean connected, Object context, CompletableFuture<Conn> future,
                    String address, ListenAddress target) {
        if (isDraining()) {
            refuse(channel, slot);
            future.completeExceptionally(new ConnectionClosedException("cannot dial '" + address + "': the client is stopping"));
            return;
        }
        TcpConn conn = null;
        try {
            if (target != null && target.tls()) {
                int port = ((InetSocketAddress) target.socketAddress()).getPort();
                conn = new TlsConn(this, channel, slot,
                        TlsSession.client(engine.options().tls(), buffers.cache(), target.host(), port, address));
            } else {
                conn = new TcpConn(this, channel, slot);
            }
            conn.context(context);
            if (connected) {
                conn.start(channel.register(selector, SelectionKey.OP_READ, conn), future, address);
            } else {
                conn.connecting(channel.register(selector, SelectionKey.OP_CONNECT, conn), future, address);
            }
        } catch (IOException | RuntimeException | Error e) {
            setUpFailed(conn, channel, slot, e);
            future.completeExceptionally(e);
        }
    }

    /** Registers a connected UDP channel a client dialed, and completes {@code future} once {@code onOpen} ran. */
    void openDialedDatagram(DatagramChannel channel, ConnSlot slot, Object context, CompletableFuture<Conn> future) {
        if (isDraining()) {
            refuse(channel, slot);
            future.completeExceptionally(new ConnectionClosedException("the client is stopping"));
            return;
        }
        UdpConn conn = null;
        try {
            conn = new UdpConn(this, channel, channel.getLocalAddress(), channel.getRemoteAddress(), slot);
            conn.context(context);
            conn.opened(channel.register(selector, SelectionKey.OP_READ, conn));
            future.complete(conn);
        } catch (IOException | RuntimeException | Error e) {
            if (conn != null && slot.tableIndex >= 0) {
                conn.failed(e);
            } else {
                refuse(channel, slot);
            }
            future.completeExceptionally(e);
        }
    }

    /** Setting a connection up failed: close it through its teardown if it got that far, else by hand. */
    private static void setUpFailed(TcpConn conn, SocketChannel channel, ConnSlot slot, Throwable e) {
        if (conn != null && slot.tableIndex >= 0) {
            conn.failed(e);
        } else {
            refuse(channel, slot);
        }
    }

    private static void refuse(java.nio.channels.Channel channel, ConnSlot slot) {
        closeQuietly(channel);
        slot.release();
    }

    // ---- ending ----

    /** Stop requested: no more accepts here, every connection closes gracefully, within closeTimeout. */
    private void drainForShutdown() throws IOException {
        draining = true;
        if (reusePortAcceptor != null) {
            reusePortAcceptor.close();
        }
        stopCounts.began(tableCount);
        for (int i = tableCount - 1; i >= 0; i--) {
            if (i < tableCount) {
                AbstractConn conn = table[i].conn;
                try {
                    conn.beginShutdown();
                } catch (RuntimeException | Error e) {
                    conn.failed(e);
                }
            }
        }
        flushDirty();
        // The deadline is read again each time round: a later stop request may bring it forward.
        for (long deadline = stopDeadline.get(); tableCount > 0 && System.nanoTime() - deadline < 0;
                deadline = stopDeadline.get()) {
            nextSweepNanos = Math.min(nextSweepNanos, deadline);
            iterate();
        }
    }

    /**
     * The stop's deadline passed (or the loop failed): closes what is left abortively, each told why
     * and how many bytes it dropped. A connection that sent everything and only waits for its
     * peer's end of stream (LINGERING) lost nothing: it closes with no cause and is not a cut.
     */
    private void cutRemaining() {
        for (int i = tableCount - 1; i >= 0; i--) {
            if (i < tableCount) {
                AbstractConn conn = table[i].conn;
                int unsent = conn instanceof TcpConn ? ((TcpConn) conn).queued() : 0;
                if (unsent == 0 && conn instanceof TcpConn && ((TcpConn) conn).state() == TcpConn.LINGERING) {
                    try {
                        conn.abortFromLoop(null);
                    } catch (RuntimeException | Error e) {
                        conn.failed(e);
                    }
                    continue;
                }
                String why = draining
                        ? "the engine's stop deadline passed before the connection closed gracefully"
                        : "the event loop " + thread.getName() + " failed";
                ConnectionClosedException cause = new ConnectionClosedException("connection from " + conn.remoteAddress()
                        + " cut: " + why + "; " + unsent + " queued bytes dropped");
                stopCounts.cut(unsent);
                try {
                    conn.abortFromLoop(cause);
                } catch (RuntimeException | Error e) {
                    conn.failed(e);
                }
            }
        }
    }

    private void closeEverything() {
        try {
            cutRemaining();
            for (SelectionKey key : selector.keys()) {
                if (key.attachment() instanceof ProxyPreamble) { // accepted, header never complete
                    ((ProxyPreamble) key.attachment()).fail(new ConnectionClosedException("the event loop "
                            + thread.getName() + " ended before the PROXY header came"));
                }
            }
            if (reusePortAcceptor != null) {
                reusePortAcceptor.close();
            }
            for (UdpListener listener : udpListeners) {
                listener.close();
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "closing the connections of " + thread.getName(), t);
        } finally {
            timers.clear();
            tasks.terminate();
            try {
                selector.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing selector", e);
            }
            buffers.cache().close();
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
