package io.gnetj.internal;

import io.gnetj.Action;
import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.Options;
import io.gnetj.Tick;
import io.gnetj.buffer.BufferPool;
import java.io.IOException;
import io.gnetj.Conn;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
 * accepts by itself; the main thread then only ticks and stops.
 *
 * <p>Stop sequence (on the main thread, whoever asked): close listeners, tell every loop to close
 * its connections and end, wait for the loops, run {@code onShutdown}, release the latch that
 * {@link #awaitTermination()} waits on.
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
    private final Thread mainThread;
    private final AtomicInteger connections = new AtomicInteger();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final List<SocketAddress> boundAddresses = new ArrayList<>();
    private final List<Path> unixPaths = new ArrayList<>();
    private final List<ServerSocketChannel> allListeners = new ArrayList<>();
    private final List<DatagramChannel> allDatagramChannels = new ArrayList<>();
    /** Listeners whose connections speak TLS (identity: a channel's equals is identity). */
    private final java.util.Set<ServerSocketChannel> tlsListeners = new java.util.HashSet<>();
    private final int id;
    /** The default executor for TLS delegated tasks; created on first use (see tlsTaskExecutor). */
    private ExecutorService tlsTasks;
    private int udpListenerCount;
    private Acceptor mainAcceptor;
    private final AtomicInteger nextDialLoop = new AtomicInteger();
    /** The thread running onBoot, while it runs (see {@link #stop()}). */
    private volatile Thread bootThread;
    private volatile boolean stopRequested;
    private volatile boolean running = true;

    private ServerEngine(EventHandler handler, Options options) throws IOException {
        JdkWarmUp.run();
        this.handler = handler;
        this.options = options;
        this.pool = options.bufferPool() != null ? options.bufferPool() : BufferPool.create();
        this.id = ENGINE_IDS.incrementAndGet();
        this.loops = new EventLoop[options.effectiveEventLoops()];
        this.mainSelector = Selector.open();
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

    /** Parses and binds every address, starts the loops, runs {@code onBoot}, then starts accepting. */
    public static Engine start(EventHandler handler, List<String> addresses, Options options) throws IOException {
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
        ServerEngine engine = new ServerEngine(handler, options);
        try {
            engine.bindAll(parsed);
        } catch (IOException | RuntimeException e) {
            engine.closeListeners();
            engine.closeSelectors();
            throw e;
        }
        engine.launch();
        return engine;
    }

    /** Starts an engine with no listeners, whose loops serve the connections a client dials or enrolls. */
    public static ServerEngine startClient(EventHandler handler, Options options) throws IOException {
        ServerEngine engine = new ServerEngine(handler, options);
        engine.launch();
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
        if (stopRequested) {
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
                DatagramChannel channel = target.family() == null ? DatagramChannel.open() : DatagramChannel.open(target.family());
                opened = channel;
                channel.configureBlocking(false);
                channel.connect(target.socketAddress());
                loop.execute(new DialTask(loop, channel, slot, false, context, future, address, target));
            } else {
                SocketChannel channel = target.family() == null ? SocketChannel.open() : SocketChannel.open(target.family());
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

    private void bindAll(List<ListenAddress> all) throws IOException {
        List<ListenAddress> addresses = new ArrayList<>();
        for (ListenAddress address : all) {
            if (address.network() == ListenAddress.Network.UDP) {
                bindUdp(address);
            } else {
                addresses.add(address);
            }
        }
        LoadBalancer balancer = LoadBalancer.of(options.loadBalancing(), loops);
        if (!options.reusePort()) {
            List<ServerSocketChannel> listeners = new ArrayList<>();
            for (ListenAddress address : addresses) {
                ServerSocketChannel listener = bind(address, address.socketAddress(), false);
                listeners.add(listener);
                boundAddresses.add(listener.getLocalAddress());
                if (address.tls()) {
                    tlsListeners.add(listener);
                }
            }
            mainAcceptor = new Acceptor(this, listeners, null, balancer);
            return;
        }
        List<List<ServerSocketChannel>> perLoop = new ArrayList<>();
        for (int i = 0; i < loops.length; i++) {
            perLoop.add(new ArrayList<>());
        }
        for (ListenAddress address : addresses) {
            if (address.network() == ListenAddress.Network.UNIX) {
                // A path can be bound once: loop 0 accepts for it.
                ServerSocketChannel listener = bind(address, address.socketAddress(), false);
                perLoop.get(0).add(listener);
                boundAddresses.add(listener.getLocalAddress());
                continue;
            }
            ServerSocketChannel first = bind(address, address.socketAddress(), true);
            SocketAddress actual = first.getLocalAddress();
            perLoop.get(0).add(first);
            boundAddresses.add(actual);
            if (address.tls()) {
                tlsListeners.add(first);
            }
            for (int i = 1; i < loops.length; i++) {
                ServerSocketChannel listener = bind(address, actual, true);
                perLoop.get(i).add(listener);
                if (address.tls()) {
                    tlsListeners.add(listener);
                }
            }
        }
        for (int i = 0; i < loops.length; i++) {
            loops[i].adoptListener(new Acceptor(this, perLoop.get(i), loops[i], null));
        }
    }

    /**
     * Binds a UDP address: one socket served by one loop (the next in turn), or with reusePort one
     * {@code SO_REUSEPORT} socket per loop.
     */
    private void bindUdp(ListenAddress address) throws IOException {
        if (!options.reusePort()) {
            EventLoop loop = loops[udpListenerCount++ % loops.length];
            DatagramChannel channel = bindDatagram(address, address.socketAddress(), false);
            boundAddresses.add(channel.getLocalAddress());
            loop.adoptUdpListener(new UdpListener(loop, channel));
            return;
        }
        DatagramChannel first = bindDatagram(address, address.socketAddress(), true);
        SocketAddress actual = first.getLocalAddress();
        boundAddresses.add(actual);
        loops[0].adoptUdpListener(new UdpListener(loops[0], first));
        for (int i = 1; i < loops.length; i++) {
            SocketAddress at = new InetSocketAddress(((InetSocketAddress) address.socketAddress()).getAddress(),
                    ((InetSocketAddress) actual).getPort());
            loops[i].adoptUdpListener(new UdpListener(loops[i], bindDatagram(address, at, true)));
        }
    }

    /**
     * {@code SO_REUSEADDR}, {@code SO_REUSEPORT} when asked (a clear error where the platform has
     * none) and {@code SO_RCVBUF}, on a socket about to be bound.
     */
    private void applyListenOptions(NetworkChannel channel, ListenAddress address, boolean reuseAddr, boolean reusePort)
            throws IOException {
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, reuseAddr);
        if (reusePort) {
            if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                throw new UnsupportedOperationException("cannot serve '" + address
                        + "' with reusePort: SO_REUSEPORT is not supported on this platform");
            }
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        if (options.socketRecvBuffer() > 0) {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, options.socketRecvBuffer());
        }
    }

    private DatagramChannel bindDatagram(ListenAddress address, SocketAddress at, boolean reusePort) throws IOException {
        InetSocketAddress inet = (InetSocketAddress) at;
        boolean multicast = inet.getAddress().isMulticastAddress();
        ProtocolFamily family = address.family();
        if (family == null && multicast) {
            family = inet.getAddress() instanceof java.net.Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
        }
        DatagramChannel channel = family == null ? DatagramChannel.open() : DatagramChannel.open(family);
        allDatagramChannels.add(channel);
        try {
            channel.configureBlocking(false);
            applyListenOptions(channel, address, options.reuseAddr() || multicast, reusePort);
            if (options.socketSendBuffer() > 0) {
                channel.setOption(StandardSocketOptions.SO_SNDBUF, options.socketSendBuffer());
            }
            if (!multicast) {
                channel.bind(at);
                return channel;
            }
            String name = options.multicastInterface();
            if (name == null) {
                throw new IllegalArgumentException("cannot serve '" + address
                        + "': a multicast group needs Options.multicastInterface (the interface to join it on)");
            }
            NetworkInterface nif = NetworkInterface.getByName(name);
            if (nif == null) {
                throw new IllegalArgumentException("cannot serve '" + address + "': no network interface named '" + name + "'");
            }
            channel.bind(new InetSocketAddress(inet.getPort()));
            channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
            channel.join(inet.getAddress(), nif);
            return channel;
        } catch (BindException e) {
            BindException named = new BindException("cannot bind '" + address + "': " + e.getMessage());
            named.initCause(e);
            throw named;
        } catch (IOException e) {
            throw new IOException("cannot bind '" + address + "': " + e.getMessage(), e);
        }
    }

    private ServerSocketChannel bind(ListenAddress address, SocketAddress at, boolean reusePort) throws IOException {
        ServerSocketChannel listener = address.family() == null
                ? ServerSocketChannel.open()
                : ServerSocketChannel.open(address.family());
        allListeners.add(listener);
        try {
            listener.configureBlocking(false);
            if (address.network() == ListenAddress.Network.UNIX) {
                removeStaleSocketFile(address, ((UnixDomainSocketAddress) at).getPath());
            } else {
                applyListenOptions(listener, address, options.reuseAddr(), reusePort);
            }
            listener.bind(at, options.backlog());
            if (address.network() == ListenAddress.Network.UNIX) {
                unixPaths.add(((UnixDomainSocketAddress) at).getPath());
            }
            return listener;
        } catch (BindException e) {
            BindException named = new BindException("cannot bind '" + address + "': " + e.getMessage());
            named.initCause(e);
            throw named;
        } catch (IOException e) {
            throw new IOException("cannot bind '" + address + "': " + e.getMessage(), e);
        }
    }

    /** A socket file left by a process that died is removed; a regular file or directory is not touched. */
    private static void removeStaleSocketFile(ListenAddress address, Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)
                || Files.isSymbolicLink(path)) {
            throw new IOException("cannot bind '" + address + "': " + path + " exists and is not a socket");
        }
        Files.delete(path);
    }

    private void launch() {
        for (EventLoop loop : loops) {
            loop.start();
        }
        Action boot;
        bootThread = Thread.currentThread();
        try {
            boot = handler.onBoot(this);
        } catch (RuntimeException | Error e) {
            bootThread = null;
            stopRequested = true;
            mainThread.start();
            stop();
            throw e;
        }
        bootThread = null;
        if (boot == Action.SHUTDOWN) {
            stopRequested = true;
        }
        mainThread.start();
    }

    // ---- main reactor ----

    private void runMain() {
        try {
            if (mainAcceptor != null) {
                mainAcceptor.register(mainSelector);
            }
            Consumer<SelectionKey> onAccept = key -> ((Acceptor) key.attachment()).acceptReady(key);
            long nextTick = options.ticker() ? System.nanoTime() : Long.MAX_VALUE;
            while (!stopRequested) {
                long deadline = Math.min(nextTick, mainAcceptor == null ? Long.MAX_VALUE : mainAcceptor.resumeAt());
                long now = System.nanoTime();
                if (deadline != Long.MAX_VALUE && deadline - now <= 0) {
                    mainSelector.selectNow(onAccept);
                } else if (deadline == Long.MAX_VALUE) {
                    mainSelector.select(onAccept, 0);
                } else {
                    mainSelector.select(onAccept, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - now + 999_999)));
                }
                if (stopRequested) {
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
            stopRequested = true;
        }
        // Saturated: a "forever" delay (ChronoUnit.FOREVER) means no further tick, not an overflow.
        long delay = Durations.saturatedNanos(tick.delay());
        return delay >= Durations.MAX_NANOS ? Long.MAX_VALUE : now + delay;
    }

    private void shutdownSequence() {
        closeListeners();
        for (EventLoop loop : loops) {
            loop.shutdown();
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
        running = false;
        terminated.countDown();
    }

    private void joinLoop(EventLoop loop) {
        Thread thread = loop.thread();
        if (thread.getState() == Thread.State.NEW) {
            return;
        }
        boolean interrupted = false;
        // A loop first lets its connections close gracefully, for at most closeTimeout.
        long deadline = System.nanoTime() + Math.min(Durations.MAX_NANOS,
                Durations.saturatedNanos(options.closeTimeout()) + TimeUnit.MILLISECONDS.toNanos(LOOP_JOIN_TIMEOUT_MILLIS));
        while (thread.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LOG.log(System.Logger.Level.ERROR, "event loop " + thread.getName()
                        + " did not end within closeTimeout + 30 s of stop: a handler is blocking it");
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

    private void closeListeners() {
        for (ServerSocketChannel listener : allListeners) {
            EventLoop.closeQuietly(listener);
        }
        for (DatagramChannel channel : allDatagramChannels) {
            EventLoop.closeQuietly(channel);
        }
        for (Path path : unixPaths) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not remove socket file " + path, e);
            }
        }
        unixPaths.clear();
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
        return !tlsListeners.isEmpty() && tlsListeners.contains(listener);
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
        stopRequested = true;
        mainSelector.wakeup();
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
        return Collections.unmodifiableList(boundAddresses);
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

    /** The pool the engine's connections take buffers from. */
    public BufferPool bufferPool() {
        return pool;
    }

    @Override
    public void stop() {
        requestStop();
        // From an engine thread, or from onBoot (which runs before the main thread is started),
        // waiting would wait for ourselves: the main thread sees the request and stops on its own.
        Thread current = Thread.currentThread();
        if (isEngineThread(current) || current == bootThread) {
            return;
        }
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
        terminated.await();
        // The main thread releases the latch as its last act but is still alive at that moment;
        // stop() promises that every engine thread has ended, so wait for it to finish too.
        // (The main thread itself never gets here: stop() returns early on engine threads.)
        if (Thread.currentThread() != mainThread) {
            mainThread.join();
        }
    }

    @Override
    public String toString() {
        return "Engine" + boundAddresses + (running ? "" : " (stopped)");
    }
}
