package io.gnetj.internal;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.Options;
import io.gnetj.StopReport;
import io.gnetj.Tick;
import io.gnetj.Transport;
import io.gnetj.buffer.BufferPool;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A server engine: listeners, the main reactor thread, and the event loops.
 *
 * <pre>
 *   main reactor (thread "gnetj-main-N"): accepts, balances, ticks, runs the stop sequence
 *        │ RegisterTask over each loop's MPSC queue
 *        ▼
 *   event loops ("gnetj-loop-N-i"): one Selector each, own their connections
 * </pre>
 *
 * <p>With {@code reusePort} every loop owns a {@code SO_REUSEPORT} listener per address and
 * accepts by itself; the main thread then only ticks and stops. UDP sockets are the loops' too
 * (one per loop on Linux; see {@link Listeners}).
 *
 * <p>Start sequence ({@link #start}): bind every address ({@link Listeners}), start the loops, run
 * {@code onBoot} on the calling thread, then let each loop register its listeners and start the
 * main thread, which registers its own: nothing is accepted or received before {@code onBoot}
 * returned.
 *
 * <p>Stop sequence (on the main thread, whoever asked): close listeners (removing unix socket
 * files), tell every loop to close its connections gracefully until the stop's deadline and cut
 * the rest ({@link EngineStop}), wait for the loops, run {@code onShutdown}, complete the
 * {@link StopReport}, release the latch that {@link #awaitTermination()} waits on.
 *
 * <p>Threading: the {@link Engine} methods are safe from any thread.
 */
public final class ServerEngine implements Engine, EngineCore {

    private static final System.Logger LOG = System.getLogger("io.gnetj");
    private static final AtomicInteger ENGINE_IDS = new AtomicInteger();
    private static final long LOOP_JOIN_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(30);

    private final EventHandler handler;
    private final Options options;
    private final BufferPool pool;
    private final EventLoop[] loops;
    private final Selector mainSelector;
    /** The transport every selector and socket of this engine comes from. */
    private final Transports.Chosen transport;
    private final Thread mainThread;
    private final AtomicInteger connections = new AtomicInteger();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final int id;
    /** The default executor for TLS delegated tasks; created on first use (see tlsTaskExecutor). */
    private ExecutorService tlsTasks;
    /** Bound before the loops start; no listener is registered with a selector before onBoot returned. */
    private Listeners listeners;
    private final AtomicInteger nextDialLoop = new AtomicInteger();
    /** The thread running onBoot, while it runs (see {@link #stop()}). */
    private volatile Thread bootThread;
    private final EngineStop stop = new EngineStop();
    /** The stop sequence has told the loops to end: a later, shorter stop request must tell them too. */
    private volatile boolean loopsStopping;
    private volatile boolean running = true;

    private ServerEngine(EventHandler handler, Options options, boolean udp, String what) throws IOException {
        JdkWarmUp.run();
        this.handler = handler;
        this.options = options;
        this.transport = Transports.choose(options.transport(), udp, what);
        this.pool = options.bufferPool() != null ? options.bufferPool() : BufferPool.create();
        this.id = ENGINE_IDS.incrementAndGet();
        this.loops = new EventLoop[options.effectiveEventLoops()];
        this.mainSelector = transport.provider.openSelector();
        this.mainThread = new Thread(this::runMain, "gnetj-main-" + id);
        try {
            for (int i = 0; i < loops.length; i++) {
                loops[i] = new EventLoop(this, i, "gnetj-loop-" + id + "-" + i, pool);
            }
        } catch (IOException | RuntimeException e) {
            closeSelectors();
            throw e;
        }
    }

    /**
     * Parses and binds every address, starts the loops, runs {@code beforeBoot} (if any) and
     * {@code onBoot}, then starts accepting.
     *
     * @param beforeBoot run on the calling thread with the engine before {@code onBoot}, or
     *                   {@code null} (Gnet.run installs its signal hook there, so that the hook
     *                   covers the engine from before anything is served)
     */
    public static Engine start(EventHandler handler, List<String> addresses, Options options,
                               Consumer<Engine> beforeBoot) throws IOException {
        List<ListenAddress> parsed = new ArrayList<>(addresses.size());
        for (String address : addresses) {
            ListenAddress listen = ListenAddress.parse(address);
            checkTls(listen, options, "serve");
            if (listen.tls() && !options.tls().hasKeyMaterial()) {
                throw new IllegalArgumentException("cannot serve '" + address + "': the TlsConfig has no certificate"
                        + " (give it keyStore(...), pem(...) or an sslContext with key material)");
            }
            parsed.add(listen);
        }
        boolean udp = parsed.stream().anyMatch(a -> a.network() == ListenAddress.Network.UDP);
        ServerEngine engine = new ServerEngine(handler, options, udp, "engine");
        try {
            engine.listeners = Listeners.bind(engine, options, engine.loops, parsed);
        } catch (IOException | RuntimeException e) {
            engine.closeSelectors();
            throw e;
        }
        engine.launch(beforeBoot);
        return engine;
    }

    /** Starts an engine with no listeners, whose loops serve the connections a client dials or enrolls. */
    public static ServerEngine startClient(EventHandler handler, Options options) throws IOException {
        ServerEngine engine = new ServerEngine(handler, options, false, "client");
        engine.listeners = Listeners.none(engine, options, engine.loops);
        engine.launch(null);
        return engine;
    }

    /**
     * Dials {@code address} without blocking: the connect completes on a loop ({@code OP_CONNECT}),
     * then {@code onOpen} runs, then the future completes. Any thread.
     *
     * @throws IllegalArgumentException if the address is malformed
     */
    public CompletableFuture<Conn> dial(String address, Object context) {
        return dial(address, context, nextDialLoop());
    }

    @Override
    public CompletableFuture<Conn> dial(String address, Object context, EventLoop loop) {
        ListenAddress target = ListenAddress.parse(address);
        checkTls(target, options, "dial");
        CompletableFuture<Conn> future = new CompletableFuture<>();
        if (stop.requested()) {
            future.completeExceptionally(new IllegalStateException("cannot dial '" + address + "': the engine is stopped"));
            return future;
        }
        ConnSlot slot = ConnSlot.reserve(this, loop);
        if (slot == null) {
            future.completeExceptionally(new ConnectException("cannot dial '" + address + "': "
                    + options.maxConnections() + " connections are open (maxConnections)"));
            return future;
        }
        java.nio.channels.Channel opened = null;
        try {
            if (target.network() == ListenAddress.Network.UDP) {
                if (transport.transport != Transport.NIO) {
                    throw new UnsupportedOperationException("the " + transport.transport.name().toLowerCase(Locale.ROOT)
                            + " transport dials TCP and unix domain sockets; UDP needs Transport.NIO");
                }
                DatagramChannel channel = target.family() == null ? DatagramChannel.open() : DatagramChannel.open(target.family());
                opened = channel;
                channel.configureBlocking(false);
                channel.connect(target.socketAddress());
                loop.execute(new DialTask(loop, channel, slot, false, context, future, address, target));
            } else {
                SocketChannel channel = target.family() == null ? transport.provider.openSocketChannel()
                        : transport.provider.openSocketChannel(target.family());
                opened = channel;
                channel.configureBlocking(false);
                SocketOptionsSupport.applyToStream(channel, options);
                boolean connected = channel.connect(target.socketAddress());
                loop.execute(new DialTask(loop, channel, slot, connected, context, future, address, target));
            }
        } catch (IOException | RuntimeException e) {
            if (opened != null) {
                EventLoop.closeQuietly(opened);
            }
            slot.release();
            ConnectException failure = new ConnectException("cannot dial '" + address + "': " + e.getMessage());
            failure.initCause(e);
            future.completeExceptionally(failure);
        }
        return future;
    }

    /** Adopts an already connected channel (made non-blocking here); completes once {@code onOpen} ran. */
    public CompletableFuture<Conn> enroll(SocketChannel channel, Object context) {
        return enroll(channel, context, nextDialLoop());
    }

    @Override
    public CompletableFuture<Conn> enroll(SocketChannel channel, Object context, EventLoop loop) {
        CompletableFuture<Conn> future = new CompletableFuture<>();
        if (!channel.isConnected()) {
            future.completeExceptionally(new IllegalArgumentException("enroll needs a connected channel: " + channel));
            return future;
        }
        if (channel.provider() != transport.provider) {
            future.completeExceptionally(new IllegalArgumentException("cannot enroll " + channel + ": it was made by "
                    + channel.provider().getClass().getName() + ", and this engine runs on the " + transport.transport
                    + " transport (enroll needs Transport.NIO for channels the JDK made)"));
            return future;
        }
        ConnSlot slot = ConnSlot.reserve(this, loop);
        if (slot == null) {
            future.completeExceptionally(new ConnectException("cannot enroll " + channel + ": "
                    + options.maxConnections() + " connections are open (maxConnections)"));
            return future;
        }
        try {
            channel.configureBlocking(false);
            SocketOptionsSupport.applyToStream(channel, options);
        } catch (IOException | RuntimeException e) {
            slot.release();
            future.completeExceptionally(e);
            return future;
        }
        loop.execute(new DialTask(loop, channel, slot, true, context, future, String.valueOf(channel), null));
        return future;
    }

    private EventLoop nextDialLoop() {
        return loops[Math.floorMod(nextDialLoop.getAndIncrement(), loops.length)];
    }

    /** Hands a dialed or enrolled channel to its loop. */
    private static final class DialTask extends LoopTask {
        private final EventLoop loop;
        private final java.nio.channels.Channel channel;
        private final ConnSlot slot;
        private final boolean connected;
        private final Object context;
        private final CompletableFuture<Conn> future;
        private final String address;
        private final ListenAddress target;

        DialTask(EventLoop loop, java.nio.channels.Channel channel, ConnSlot slot, boolean connected, Object context,
                 CompletableFuture<Conn> future, String address, ListenAddress target) {
            this.loop = loop;
            this.channel = channel;
            this.slot = slot;
            this.connected = connected;
            this.context = context;
            this.future = future;
            this.address = address;
            this.target = target;
        }

        @Override
        void run() {
            if (channel instanceof DatagramChannel) {
                loop.openDialedDatagram((DatagramChannel) channel, slot, context, future);
            } else {
                loop.openDialed((SocketChannel) channel, slot, connected, context, future, address, target);
            }
        }

        @Override
        void abort(Throwable cause) {
            EventLoop.closeQuietly(channel);
            slot.release();
            future.completeExceptionally(cause);
        }
    }

    /**
     * Starts the loops, runs {@code onBoot}, and only then lets the loops and the main reactor
     * register their listeners: nothing is accepted or received before {@code onBoot} returned.
     */
    private void launch(Consumer<Engine> beforeBoot) {
        for (EventLoop loop : loops) {
            loop.start();
        }
        Action boot;
        bootThread = Thread.currentThread();
        try {
            if (beforeBoot != null) {
                beforeBoot.accept(this);
            }
            boot = handler.onBoot(this);
        } catch (RuntimeException | Error e) {
            bootThread = null;
            stop.request(options.closeTimeout());
            mainThread.start();
            stop();
            throw e;
        }
        bootThread = null;
        if (boot == Action.SHUTDOWN) {
            stop.request(options.closeTimeout());
        } else if (!stop.requested()) { // onBoot, or a signal meanwhile, may have asked for a stop
            for (EventLoop loop : loops) {
                loop.startListening();
            }
        }
        mainThread.start(); // registers the main acceptor's listeners unless stopping
    }

    // ---- main reactor ----

    private void runMain() {
        Acceptor mainAcceptor = listeners.mainAcceptor();
        try {
            if (mainAcceptor != null && !stop.requested()) {
                mainAcceptor.register(mainSelector);
            }
            Consumer<SelectionKey> onAccept = key -> ((Acceptor) key.attachment()).acceptReady(key);
            long nextTick = options.ticker() ? System.nanoTime() : Long.MAX_VALUE;
            while (!stop.requested()) {
                long deadline = Math.min(nextTick, mainAcceptor == null ? Long.MAX_VALUE : mainAcceptor.resumeAt());
                long now = System.nanoTime();
                if (deadline != Long.MAX_VALUE && deadline - now <= 0) {
                    mainSelector.selectNow(onAccept);
                } else if (deadline == Long.MAX_VALUE) {
                    mainSelector.select(onAccept, 0);
                } else {
                    mainSelector.select(onAccept, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - now + 999_999)));
                }
                if (stop.requested()) {
                    break;
                }
                now = System.nanoTime();
                if (mainAcceptor != null) {
                    mainAcceptor.resumeIfDue(now);
                }
                if (now - nextTick >= 0) {
                    nextTick = tick(now);
                }
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "main reactor " + mainThread.getName() + " failed; stopping", t);
        } finally {
            shutdownSequence();
        }
    }

    private long tick(long now) {
        Tick tick;
        try {
            tick = handler.onTick();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "onTick threw; ticking again in one second", e);
            return now + TimeUnit.SECONDS.toNanos(1);
        }
        if (tick == null) {
            LOG.log(System.Logger.Level.WARNING, "onTick returned null; ticking again in one second");
            return now + TimeUnit.SECONDS.toNanos(1);
        }
        if (tick.action() == Action.SHUTDOWN) {
            stop.request(options.closeTimeout());
        }
        // Saturated: a "forever" delay (ChronoUnit.FOREVER) means no further tick, not an overflow.
        long delay = Durations.saturatedNanos(tick.delay());
        return delay >= Durations.MAX_NANOS ? Long.MAX_VALUE : now + delay;
    }

    /**
     * Closes the listeners (removing unix socket files), tells every loop to close its connections
     * by the stop's deadline and end, waits for them, runs {@code onShutdown}, and reports.
     */
    private void shutdownSequence() {
        long deadline = stop.request(options.closeTimeout()); // a no-op unless the reactor failed
        listeners.close();
        loopsStopping = true;
        deadline = stop.deadline(); // a shorter request may have come meanwhile
        for (EventLoop loop : loops) {
            loop.shutdown(deadline);
        }
        for (EventLoop loop : loops) {
            joinLoop(loop);
        }
        stopTlsTasks();
        try {
            handler.onShutdown(this);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "onShutdown threw", e);
        }
        closeSelectors();
        stop.finish(loops);
        running = false;
        terminated.countDown();
    }

    private void joinLoop(EventLoop loop) {
        Thread thread = loop.thread();
        if (thread.getState() == Thread.State.NEW) {
            return;
        }
        boolean interrupted = false;
        // A loop lets its connections close gracefully until the stop's deadline, then cuts the rest.
        long deadline = stop.deadline() + TimeUnit.MILLISECONDS.toNanos(LOOP_JOIN_TIMEOUT_MILLIS);
        while (thread.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LOG.log(System.Logger.Level.ERROR, "event loop " + thread.getName()
                        + " did not end within 30 s of the stop's deadline: a handler is blocking it");
                break;
            }
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeSelectors() {
        try {
            mainSelector.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the main selector", e);
        }
        for (EventLoop loop : loops) {
            if (loop != null && loop.thread().getState() == Thread.State.NEW) {
                try {
                    loop.selector().close();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "closing a loop selector", e);
                }
            }
        }
    }

    /** A TLS address needs a TlsConfig: fail fast, naming the address. */
    private static void checkTls(ListenAddress address, Options options, String verb) {
        if (address.tls() && options.tls() == null) {
            throw new IllegalArgumentException("cannot " + verb + " '" + address + "': a tls address needs"
                    + " Options.builder().tls(TlsConfig)");
        }
    }

    /** Whether connections accepted from {@code listener} speak TLS. Immutable once bound: any thread. */
    boolean isTlsListener(ServerSocketChannel listener) {
        return listeners.isTls(listener);
    }

    /** The loops have ended, so no task will be submitted any more: stop the default executor. */
    private void stopTlsTasks() {
        ExecutorService tasks;
        synchronized (this) {
            tasks = tlsTasks;
        }
        if (tasks == null) {
            return;
        }
        tasks.shutdownNow();
        try {
            if (!tasks.awaitTermination(LOOP_JOIN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.ERROR, "TLS task threads of " + mainThread.getName() + " did not end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- EngineCore ----

    @Override
    public Executor tlsTaskExecutor() {
        Executor configured = options.tls() == null ? null : options.tls().delegatedTaskExecutor();
        if (configured != null) {
            return configured;
        }
        synchronized (this) {
            if (tlsTasks == null) {
                // Handshake crypto is CPU-bound: a thread per core at most, and at most 4, so it
                // cannot crowd out the loops. Idle threads end after 30 s.
                int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
                AtomicInteger n = new AtomicInteger();
                ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(), r -> new Thread(r, "gnetj-tls-" + id + "-" + n.getAndIncrement()));
                pool.allowCoreThreadTimeOut(true);
                tlsTasks = pool;
            }
            return tlsTasks;
        }
    }

    @Override
    public EventHandler handler() {
        return handler;
    }

    @Override
    public Options options() {
        return options;
    }

    @Override
    public boolean tryAcquireConnection() {
        int max = options.maxConnections();
        for (;;) {
            int n = connections.get();
            if (n >= max) {
                return false;
            }
            if (connections.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    @Override
    public void releaseConnection() {
        connections.decrementAndGet();
    }

    @Override
    public void requestStop() {
        requestStop(options.closeTimeout());
    }

    /** Asks for a stop whose graceful part ends {@code within} from now (or sooner, if asked so before). */
    private void requestStop(Duration within) {
        long deadline = stop.request(within);
        mainSelector.wakeup();
        if (loopsStopping) { // the loops have their deadline already: bring it forward if this one is sooner
            for (EventLoop loop : loops) {
                loop.shutdown(deadline);
            }
        }
    }

    // ---- Engine ----

    @Override
    public int countConnections() {
        return connections.get();
    }

    @Override
    public List<io.gnetj.EventLoop> eventLoops() {
        return List.of(loops);
    }

    @Override
    public List<SocketAddress> addresses() {
        return listeners.addresses();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** {@code Selector.wakeup()} calls made so far by threads posting to the loops (a racy sum). */
    public long selectorWakeups() {
        long total = 0;
        for (EventLoop loop : loops) {
            total += loop.wakeups();
        }
        return total;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Any thread: reads each loop's counters racily (see {@link LoopCounters}).
     */
    @Override
    public Transport transport() {
        return transport.transport;
    }

    @Override
    public java.nio.channels.spi.SelectorProvider provider() {
        return transport.provider;
    }

    @Override
    public io.gnetj.EngineMetrics metrics() {
        List<io.gnetj.LoopMetrics> perLoop = new ArrayList<>(loops.length);
        for (EventLoop loop : loops) {
            perLoop.add(loop.metrics());
        }
        io.gnetj.LoopMetrics total = io.gnetj.LoopMetrics.sum(perLoop);
        Listeners bound = listeners;
        Acceptor main = bound == null ? null : bound.mainAcceptor();
        long backOffs = total.acceptBackOffs() + (main == null ? 0 : main.backOffs());
        return new io.gnetj.EngineMetrics(List.copyOf(perLoop), total, connections.get(), backOffs, pool.metrics());
    }

    /** The pool the engine's connections take buffers from. */
    public BufferPool bufferPool() {
        return pool;
    }

    @Override
    public void stop() {
        requestStop(options.closeTimeout());
        if (!mayWait()) {
            return;
        }
        awaitUninterruptibly();
    }

    @Override
    public StopReport stop(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline");
        if (!mayWait()) {
            throw new IllegalStateException("stop(" + deadline + ") waits for the engine's threads, so "
                    + Thread.currentThread().getName() + " cannot call it: use stopAsync(deadline) from a handler");
        }
        requestStop(deadline);
        awaitUninterruptibly();
        return stop.report().join();
    }

    @Override
    public CompletableFuture<StopReport> stopAsync(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline");
        requestStop(deadline);
        return stop.report().copy();
    }

    /**
     * Whether the calling thread may wait for the engine to end. From an engine thread, or from
     * onBoot (which runs before the main thread is started), it would wait for itself: the main
     * thread sees the request and stops on its own.
     */
    private boolean mayWait() {
        Thread current = Thread.currentThread();
        return !isEngineThread(current) && current != bootThread;
    }

    private void awaitUninterruptibly() {
        boolean interrupted = false;
        while (true) {
            try {
                awaitTermination();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether {@code thread} is one of this engine's threads (main or a loop). */
    public boolean isEngineThread(Thread thread) {
        if (thread == mainThread) {
            return true;
        }
        for (EventLoop loop : loops) {
            if (loop.thread() == thread) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void awaitTermination() throws InterruptedException {
        if (!mayWait()) {
            throw new IllegalStateException("awaitTermination waits for the engine's threads, so "
                    + Thread.currentThread().getName() + " (an engine thread, or onBoot) cannot call it: it would"
                    + " wait for itself");
        }
        terminated.await();
        // The main thread releases the latch as its last act but is still alive at that moment;
        // stop() promises that every engine thread has ended, so wait for it to finish too.
        mainThread.join();
    }

    @Override
    public String toString() {
        return "Engine" + listeners.addresses() + (running ? "" : " (stopped)");
    }
}
